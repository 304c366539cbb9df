// Node entry of @cxr/preprocess: everything browser-safe, plus sharp decoding, files and batches.
export * from './index';
export { DEFAULT_LIMIT_INPUT_PIXELS, decodeImage } from './decodeImage';
export type { DecodeMeta, DecodeOptions } from './decodeImage';
export { preprocessGreyImage, preprocessImage } from './preprocessImage';
export type { PreprocessImageOptions, PreprocessMeta } from './preprocessImage';
export { batches } from './batches';
export type { Batch, BatchIterator, BatchOptions, BatchStats } from './batches';
export { readManifest, readSplitFile, writeFileAtomic, writeSplitFile } from './splitFile';
