// Node entry of @cxr/preprocess: everything browser-safe, plus sharp decoding and batches.
// Everything of the browser entry, named (no `export *`: the public face stays a list one can read).
export {
  affineMatrix,
  affineTransform,
  augmentation,
  claheEqualize,
  claheTileLut,
  cropBorder,
  cropFraction,
  fractionRectPixels,
  DEFAULT_PREPROCESS_SPEC,
  describePreprocessSpec,
  fitToSpec,
  checkRadiographGeometry,
  ImageDecodeError,
  ImageGeometryError,
  IMAGENET_CAFFE_MEANS_BGR,
  ImageTooLargeError,
  RADIOGRAPH_GEOMETRY,
  normalizeIntensity,
  parsePreprocessSpec,
  PixelFormatError,
  PreprocessError,
  preprocessPixels,
  previewImage,
  PreprocessSpecError,
  randBrightness,
  randContrast,
  randRotate,
  randShift,
  randZoom,
  replicateChannels,
  resizeGeometry,
  resizeImage,
  rotateImage,
  toGrey,
  toModelInput,
  UnlistedLabelError,
} from './index';
export type {
  AffineMatrix,
  AffineOptions,
  AugmentationOptions,
  AugmentFn,
  ClaheOptions,
  CropBorderOptions,
  FractionRect,
  FitInfo,
  FloatImage,
  NormalizationPreset,
  PreprocessSpec,
  PreviewOptions,
  RadiographGeometry,
  RawPixels,
  Rect,
  ResizeGeometry,
  ResizeMode,
  ResizeOptions,
  ToGreyOptions,
} from './index';
export { DEFAULT_LIMIT_INPUT_PIXELS, decodeImage } from './decodeImage';
// sharp's messages in words: @cxr/dataset's (its image conversion reads through sharp too), the same function
export { describeSharpError } from '@cxr/dataset/node';
export type { DecodeMeta, DecodeOptions } from './decodeImage';
export { preprocessGreyImage, preprocessImage } from './preprocessImage';
export type { PreprocessImageOptions, PreprocessMeta } from './preprocessImage';
export { batches } from './batches';
export type { Batch, BatchIterator, BatchOptions, BatchStats } from './batches';
