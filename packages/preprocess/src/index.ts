// Browser-safe public API of @cxr/preprocess: pixels. Node-only parts (sharp, files, batches) are in ./node.
// Records (manifest, split, CSV, path safety) are @cxr/dataset's; the seeded generator is @cxr/metrics' createRng.
export { DEFAULT_PREPROCESS_SPEC } from './preprocessSpec';
export type { NormalizationPreset, PreprocessSpec, ResizeMode } from './preprocessSpec';
export { parsePreprocessSpec } from './parsePreprocessSpec';
export { describePreprocessSpec } from './describePreprocessSpec';
export {
  ImageDecodeError,
  ImageGeometryError,
  ImageTooLargeError,
  PixelFormatError,
  PreprocessError,
  PreprocessSpecError,
  UnlistedLabelError,
} from './errors';
export type { FloatImage, RawPixels, Rect } from './floatImage';
export { checkRadiographGeometry, RADIOGRAPH_GEOMETRY } from './radiographGeometry';
export type { RadiographGeometry } from './radiographGeometry';
export { toGrey } from './toGrey';
export type { ToGreyOptions } from './toGrey';
export { cropBorder } from './cropBorder';
export type { CropBorderOptions } from './cropBorder';
export { cropFraction, fractionRectPixels } from './cropFraction';
export type { FractionRect } from './cropFraction';
export { claheEqualize, claheTileLut } from './claheEqualize';
export type { ClaheOptions } from './claheEqualize';
export { resizeGeometry, resizeImage } from './resizeImage';
export type { ResizeGeometry, ResizeOptions } from './resizeImage';
export { replicateChannels } from './replicateChannels';
export { IMAGENET_CAFFE_MEANS_BGR, normalizeIntensity } from './normalizeIntensity';
export { fitToSpec, preprocessPixels, toModelInput } from './preprocessPixels';
export type { FitInfo } from './preprocessPixels';
export { previewImage } from './previewImage';
export type { PreviewOptions } from './previewImage';
export { affineMatrix, affineTransform, rotateImage } from './affineTransform';
export type { AffineMatrix, AffineOptions } from './affineTransform';
export { augmentation, randBrightness, randContrast, randRotate, randShift, randZoom } from './augmentation';
export type { AugmentationOptions, AugmentFn } from './augmentation';
