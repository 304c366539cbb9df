export { PACKAGE_NAME } from './index';

// Backbones, weights, backends (Node-only: fs, h5wasm/node, optional tfjs-node)
export {
  ModelError,
  WeightsFormatError,
  MissingWeightsError,
  WeightShapeError,
  BackboneConfigError,
  DownloadError,
  ChecksumError,
  BackendError,
  FeatureExtractionError,
  createVgg16,
  VGG16_BLOCKS,
  createBackbone,
  cutModel,
  backbonePreprocessing,
  BACKBONE_NORMALIZATION,
  BACKBONE_NAMES,
  assignLayerWeights,
} from './index';
export type {
  CreateVgg16Options,
  CreateBackboneOptions,
  Backbone,
  BackboneInfo,
  BackboneName,
  WeightsFormat,
  AssignReport,
  LayerWeights,
  NamedWeight,
} from './index';
export { loadBackbone } from './backbones/loadBackbone';
export type { LoadBackboneOptions } from './backbones/loadBackbone';
export { readKerasH5Weights } from './weights/readKerasH5Weights';
export type { KerasH5Layout, KerasH5Weights } from './weights/readKerasH5Weights';
export { loadLayersModelFromDir, fileSystemLoader, layersModelFiles } from './weights/loadLayersModelFromDir';
export { sha256File, sha256Files } from './weights/hashFiles';
export { initBackend, defaultBackendLoader, BACKEND_PREFERENCE } from './backend/initBackend';
export type { BackendInfo, BackendLoader, BackendName, InitBackendOptions } from './backend/initBackend';
export { fetchWeights } from './weights/fetchWeights';
export type { FetchWeightsOptions, FetchedWeights } from './weights/fetchWeights';
export { downloadFile, hashFile } from './weights/downloadFile';
export type { DownloadFileOptions, DownloadProgress, DownloadResult } from './weights/downloadFile';
export { OFFICIAL_WEIGHTS } from './weights/officialWeights';
export type { OfficialWeights } from './weights/officialWeights';
