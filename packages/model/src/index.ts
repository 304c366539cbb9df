export const PACKAGE_NAME = '@cxr/model';

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
} from './errors';

// Backbones and weights (browser-safe part)
export { createVgg16, VGG16_BLOCKS } from './backbones/createVgg16';
export type { CreateVgg16Options } from './backbones/createVgg16';
export { createBackbone } from './backbones/createBackbone';
export type { CreateBackboneOptions } from './backbones/createBackbone';
export { cutModel } from './backbones/cutModel';
export { backbonePreprocessing, BACKBONE_NORMALIZATION } from './backbones/backbonePreprocessing';
export { BACKBONE_NAMES } from './backbones/backbone';
export type { Backbone, BackboneInfo, BackboneName, WeightsFormat } from './backbones/backbone';
export { assignLayerWeights } from './weights/assignLayerWeights';
export type { AssignReport } from './weights/assignLayerWeights';
export type { LayerWeights, NamedWeight } from './weights/layerWeights';

// ONNX export of frozen backbones (browser-safe part; the onnxruntime engine is in @cxr/model/node)
export { OnnxExportError, OnnxRuntimeError } from './errors';
export { exportOnnx, buildOnnxGraph, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME, ONNX_EXPORTER_VERSION } from './onnx/exportOnnx';
export type { ExportOnnxOptions } from './onnx/exportOnnx';
export { encodeOnnxModel, ONNX_OPSET } from './onnx/encodeOnnxModel';
export type { OnnxAttribute, OnnxGraph, OnnxInitializer, OnnxNode, OnnxValueInfo } from './onnx/encodeOnnxModel';
export { createTfjsExtractor } from './onnx/createTfjsExtractor';
export type { TfjsExtractorOptions } from './onnx/createTfjsExtractor';
export type { FeatureEngineName, FeatureExtractor, FeatureExtractorInfo } from './onnx/featureExtractor';
export { extractFeatures } from './features/extractFeatures';
export type { ExtractFeaturesOptions, FeatureProgress } from './features/extractFeatures';
