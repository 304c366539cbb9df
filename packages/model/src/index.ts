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
export { quantizeOnnxGraph, quantizableTensors, calibrationGraph, isGroupedConv } from './onnx/quantizeOnnxGraph';
export type { ActivationRange, QuantizeOnnxOptions } from './onnx/quantizeOnnxGraph';
export type { OnnxAttribute, OnnxGraph, OnnxInitializer, OnnxNode, OnnxValueInfo } from './onnx/encodeOnnxModel';
export { createTfjsExtractor } from './onnx/createTfjsExtractor';
export type { TfjsExtractorOptions } from './onnx/createTfjsExtractor';
export type { FeatureEngineName, FeatureExtractor, FeatureExtractorInfo } from './onnx/featureExtractor';
export { extractFeatures } from './features/extractFeatures';
export type { ExtractFeaturesOptions, FeatureProgress } from './features/extractFeatures';

// Head, training, saving/loading, prediction, Grad-CAM (browser-safe part)
export { ModelConfigError, ModelIoError, TrainingInputError, CheckpointError, PredictInputError, GradCamLayerError } from './errors';
export { createHead, resolveHeadOptions, HEAD_LAYER_NAMES } from './head/createHead';
export type { HeadBlock, HeadOptions, ResolvedHeadOptions } from './head/createHead';
export { createClassifier, headLayers } from './head/createClassifier';
export type { BackboneLike, ClassifierHeadOptions } from './head/createClassifier';
export { FineTuneError } from './errors';
export { planFineTune, fineTuneRecord, fineTuneWeights } from './finetune/planFineTune';
export type { FineTuneActivation, FineTuneLayer, FineTuneOptions, FineTunePlan } from './finetune/planFineTune';
export { FINE_TUNE_LAYER_PREFIX, isFineTuneLayer } from './finetune/fineTuneLayerPrefix';
export { trainHead, resumeTrainHead } from './train/trainHead';
export type {
  EarlyStoppingOptions,
  FeatureInput,
  LabelInput,
  ResolvedTrainOptions,
  TrainHeadOptions,
  TrainHeadResult,
  TrainHistory,
  TrainingCheckpoint,
  TrainProgress,
  WeightData,
} from './train/trainHead';
export { LegacyDecayAdam, legacyDecayLearningRate } from './train/legacyDecayAdam';
export type { LegacyDecayAdamOptions } from './train/legacyDecayAdam';
export { computeClassWeights } from './train/computeClassWeights';
export type { ClassWeightOption } from './train/computeClassWeights';
export { spectralDecouplingPenalty } from './train/spectralDecoupling';
export { gradientReversal, SourceAdversary, sourceAdversaryWeights } from './train/sourceAdversarial';
export type { SourceAdversarialOptions } from './train/sourceAdversarial';
export { sourceBalancedWeights } from './train/sourceBalancedWeights';
export { headForward } from './train/headForward';
export type { HeadForward } from './train/headForward';
export { MODEL_CONFIG_FORMAT_VERSION, validateModelConfig, checkModelMatchesConfig } from './io/modelConfig';
export type { CxrModel, ModelConfig, SavedBackboneInfo, Calibration, DataDesignRecord, FineTuneRecord } from './io/modelConfig';
export { createModelConfig } from './io/createModelConfig';
export type { ModelConfigOptions } from './io/createModelConfig';
export { modelToFiles } from './io/modelToFiles';
export type { ModelFiles, ModelToFilesOptions } from './io/modelToFiles';
export { encodeFloat16 } from './io/encodeFloat16';
export { loadModelFromUrl } from './io/loadModelFromUrl';
export type { LoadModelFromUrlOptions } from './io/loadModelFromUrl';
export { predict, decide, NO_DECISION } from './predict/predict';
export type { Prediction, PredictOptions } from './predict/predict';
export { toInputBatch } from './predict/toInputBatch';
export type { ModelInput } from './predict/toInputBatch';
export { gradCam, findGradCamLayer } from './explain/gradCam';
export type { GradCamOptions, GradCamResult } from './explain/gradCam';
export { overlayHeatmap } from './explain/overlayHeatmap';
export type { GreyImage, Heatmap, OverlayOptions, RgbaImage } from './explain/overlayHeatmap';
export { jetColormap } from './explain/jetColormap';
export { loadBackboneFromUrl } from './backbones/loadBackboneFromUrl';
export type { LoadBackboneFromUrlOptions } from './backbones/loadBackboneFromUrl';

// Shortcut probe: does a feature (or score) predict the data source? (browser-safe)
export { ProbeInputError } from './errors';
export { sourceProbe } from './probe/sourceProbe';
export type { SourceProbeFold, SourceProbeOptions, SourceProbeResult } from './probe/sourceProbe';
export { groupBootstrapAuc, toUnitRanks } from './probe/groupBootstrapAuc';
export type { GroupBootstrapAuc, GroupBootstrapOptions } from './probe/groupBootstrapAuc';
export { groupedFolds } from './probe/groupedFolds';
export { fitLogisticRegression } from './probe/logisticRegression';
export type { LogisticRegressionModel, LogisticRegressionOptions } from './probe/logisticRegression';
export { globalAveragePool } from './probe/globalAveragePool';
export { auditFeatureSources, SOURCE_ALARM_AUC } from './probe/auditFeatureSources';
export type { FeatureSourceAudit, ClassSourceProbe } from './probe/auditFeatureSources';

// Out-of-distribution refusal: is an input like what the model was trained on? (browser-safe)
export { InputCheckError } from './errors';
export {
  describeInputDistribution,
  checkInput,
  inputDistance,
  describeImage,
  DEFAULT_IMAGE_LIMITS,
} from './ood/inputDistribution';
export type { InputDistribution, DescribeInputsOptions, ImageLimits, ImageFacts, InputCheck } from './ood/inputDistribution';
export { trainingSafeguards, headProbabilities, createDataDesignRecord } from './safety/trainingSafeguards';
export type { TrainingSafeguards, TrainingSafeguardsOptions } from './safety/trainingSafeguards';

// Patient-level cross-validation of the head on precomputed features (browser-safe)
export { crossValidateHead } from './experiment/crossValidateHead';
export type { CrossValidateHeadOptions, CrossValidatedHead } from './experiment/crossValidateHead';
