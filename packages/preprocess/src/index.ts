// Browser-safe public API of @cxr/preprocess. Node-only parts (sharp, files, batches) are in ./node.
export { DEFAULT_PREPROCESS_SPEC } from './preprocessSpec';
export type { NormalizationPreset, PreprocessSpec, ResizeMode } from './preprocessSpec';
export { parsePreprocessSpec } from './parsePreprocessSpec';
export { describePreprocessSpec } from './describePreprocessSpec';
export {
  CsvFormatError,
  ImageDecodeError,
  ImageTooLargeError,
  PatientLeakError,
  PixelFormatError,
  PreprocessError,
  PreprocessSpecError,
  SplitOptionsError,
  UnknownLabelError,
  UnsafePathError,
} from './errors';
export type { FloatImage, RawPixels, Rect } from './floatImage';
export { toGrey } from './toGrey';
export type { ToGreyOptions } from './toGrey';
export { cropBorder } from './cropBorder';
export type { CropBorderOptions } from './cropBorder';
export { claheEqualize, claheTileLut } from './claheEqualize';
export type { ClaheOptions } from './claheEqualize';
export { resizeGeometry, resizeImage } from './resizeImage';
export type { ResizeGeometry, ResizeOptions } from './resizeImage';
export { replicateChannels } from './replicateChannels';
export { IMAGENET_CAFFE_MEANS_BGR, normalizeIntensity } from './normalizeIntensity';
export { fitToSpec, preprocessPixels, toModelInput } from './preprocessPixels';
export type { FitInfo } from './preprocessPixels';
export { createRng, hashSeed, shuffleInPlace } from './createRng';
export type { Rng } from './createRng';
export { affineMatrix, affineTransform, rotateImage } from './affineTransform';
export type { AffineMatrix, AffineOptions } from './affineTransform';
export { augmentation, randBrightness, randContrast, randRotate, randShift, randZoom } from './augmentation';
export type { AugmentationOptions, AugmentFn } from './augmentation';
export { SPLIT_NAMES, splitByPatient } from './splitByPatient';
export type { ImageRecord, SplitAssignment, SplitName, SplitOptions } from './splitByPatient';
export { validateSplit } from './validateSplit';
export { splitReport } from './splitReport';
export type { SplitCounts, SplitReport } from './splitReport';
export { formatSplitCsv, parseSplitCsv, SPLIT_CSV_COLUMNS } from './splitCsv';
export { parseManifestCsv } from './parseManifestCsv';
export { formatCsvField, parseCsv, parseCsvRecords } from './parseCsv';
