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
export { importKerasVgg16 } from './weights/importKerasVgg16';
export type { ImportKerasVgg16Result } from './weights/importKerasVgg16';
export { loadLayersModelFromDir, fileSystemLoader, layersModelFiles } from './weights/loadLayersModelFromDir';
export { initBackend, defaultBackendLoader, BACKEND_PREFERENCE } from './backend/initBackend';
export type { BackendInfo, BackendLoader, BackendName, InitBackendOptions } from './backend/initBackend';
export { fetchWeights } from './weights/fetchWeights';
export type { FetchWeightsOptions, FetchedWeights } from './weights/fetchWeights';
export { downloadFile, hashFile } from './weights/downloadFile';
export type { DownloadFileOptions, DownloadProgress, DownloadResult } from './weights/downloadFile';
export { OFFICIAL_WEIGHTS } from './weights/officialWeights';
export type { OfficialWeights } from './weights/officialWeights';

// ONNX export and the onnxruntime-node engine for frozen backbones
export {
  OnnxExportError,
  OnnxRuntimeError,
  exportOnnx,
  buildOnnxGraph,
  ONNX_INPUT_NAME,
  ONNX_OUTPUT_NAME,
  ONNX_EXPORTER_VERSION,
  encodeOnnxModel,
  ONNX_OPSET,
  createTfjsExtractor,
  quantizeOnnxGraph,
  quantizableTensors,
  calibrationGraph,
  isGroupedConv,
} from './index';
export type {
  ActivationRange,
  QuantizeOnnxOptions,
  ExportOnnxOptions,
  OnnxAttribute,
  OnnxGraph,
  OnnxInitializer,
  OnnxNode,
  OnnxValueInfo,
  TfjsExtractorOptions,
  FeatureEngineName,
  FeatureExtractor,
  FeatureExtractorInfo,
} from './index';
export { createOnnxExtractor } from './onnx/createOnnxExtractor';
export type { OnnxExtractorOptions } from './onnx/createOnnxExtractor';
export { createFeatureExtractor } from './onnx/createFeatureExtractor';
export type { CreateFeatureExtractorOptions, FeatureEngineChoice } from './onnx/createFeatureExtractor';
export { getOrExportOnnx, onnxCacheFileName, exportInt8Onnx, ONNX_QUANTIZER_VERSION } from './onnx/getOrExportOnnx';
export type { GetOrExportOnnxOptions, OnnxCacheEntry, FeaturePrecision, OnnxCalibration } from './onnx/getOrExportOnnx';
export { hashModelWeights } from './onnx/hashModelWeights';
export { calibrateOnnxGraph } from './onnx/calibrateOnnxGraph';
export { measureBiasCorrections } from './onnx/measureBiasCorrections';
export type { MeasureBiasCorrectionsOptions } from './onnx/measureBiasCorrections';
export type { CalibrateOnnxOptions } from './onnx/calibrateOnnxGraph';
export { isOnnxRuntimeAvailable, loadOnnxRuntime, defaultOnnxRuntimeLoader } from './onnx/loadOnnxRuntime';
export type { OnnxRuntimeLoader, OnnxRuntimeModule, OnnxRuntimeSession } from './onnx/loadOnnxRuntime';
export { openBackbone } from './backbones/openBackbone';
export type { BackboneSpec } from './backbones/openBackbone';
export { extractFeatures } from './index';
export type { ExtractFeaturesOptions, FeatureProgress } from './index';
export { extractFileFeatures, fileCalibration, DEFAULT_CALIBRATION_IMAGES } from './features/extractFileFeatures';
export type { ExtractFileFeaturesOptions } from './features/extractFileFeatures';
export { FeatureCache } from './features/FeatureCache';
export type { FeatureCacheStats, FeatureKeyParts } from './features/FeatureCache';
export { createFeaturePool } from './features/createFeaturePool';
export type { FeaturePool, FeaturePoolOptions, PoolExtractOptions } from './features/createFeaturePool';

// Head, training, saving/loading, prediction, Grad-CAM
export {
  ModelConfigError,
  ModelIoError,
  TrainingInputError,
  CheckpointError,
  PredictInputError,
  GradCamLayerError,
  FineTuneError,
  planFineTune,
  fineTuneRecord,
  fineTuneWeights,
  FINE_TUNE_LAYER_PREFIX,
  isFineTuneLayer,
  createHead,
  resolveHeadOptions,
  HEAD_LAYER_NAMES,
  createClassifier,
  headLayers,
  trainHead,
  resumeTrainHead,
  LegacyDecayAdam,
  legacyDecayLearningRate,
  computeClassWeights,
  spectralDecouplingPenalty,
  gradientReversal,
  SourceAdversary,
  sourceAdversaryWeights,
  sourceBalancedWeights,
  headForward,
  MODEL_CONFIG_FORMAT_VERSION,
  validateModelConfig,
  checkModelMatchesConfig,
  createModelConfig,
  modelToFiles,
  encodeFloat16,
  loadModelFromUrl,
  predict,
  decide,
  NO_DECISION,
  toInputBatch,
  gradCam,
  findGradCamLayer,
  overlayHeatmap,
  jetColormap,
} from './index';
export type {
  FineTuneActivation,
  FineTuneLayer,
  FineTuneOptions,
  FineTunePlan,
  FineTuneRecord,
  HeadBlock,
  HeadOptions,
  ResolvedHeadOptions,
  BackboneLike,
  ClassifierHeadOptions,
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
  LegacyDecayAdamOptions,
  ClassWeightOption,
  SourceAdversarialOptions,
  HeadForward,
  CxrModel,
  ModelConfig,
  SavedBackboneInfo,
  Calibration,
  DataDesignRecord,
  ModelConfigOptions,
  ModelFiles,
  ModelToFilesOptions,
  LoadModelFromUrlOptions,
  Prediction,
  PredictOptions,
  ModelInput,
  GradCamOptions,
  GradCamResult,
  GreyImage,
  Heatmap,
  OverlayOptions,
  RgbaImage,
} from './index';
export { saveModel } from './io/saveModel';
export type { SaveModelOptions, SaveModelResult } from './io/saveModel';
export { loadModel, readModelConfig } from './io/loadModel';
export { recoverModelFolder } from './io/recoverModelFolder';
export type { ModelFolderRecovery } from './io/recoverModelFolder';
export type { LoadModelOptions } from './io/loadModel';
export { saveCheckpoint, loadCheckpoint } from './io/saveCheckpoint';
export { predictFiles } from './predict/predictFiles';
export type { FilePrediction } from './predict/predictFiles';
export { writeOverlayPng } from './explain/writeOverlayPng';
export { loadBackboneFromUrl } from './index';
export type { LoadBackboneFromUrlOptions } from './index';

// Shortcut probe
export {
  ProbeInputError,
  sourceProbe,
  groupBootstrapAuc,
  toUnitRanks,
  groupedFolds,
  fitLogisticRegression,
  globalAveragePool,
  auditFeatureSources,
  SOURCE_ALARM_AUC,
} from './index';
export type {
  SourceProbeFold,
  SourceProbeOptions,
  SourceProbeResult,
  GroupBootstrapAuc,
  GroupBootstrapOptions,
  LogisticRegressionModel,
  LogisticRegressionOptions,
  FeatureSourceAudit,
  ClassSourceProbe,
} from './index';

// The pipeline (Node): what `cxr train`, `evaluate`, `predict` and `demo` do, as functions a project can call.
// It lives in the model package because each step runs a model; records come from @cxr/dataset, numbers from
// @cxr/metrics, the report from @cxr/report (none of which imports this package).
export { PipelineInputError, PipelineOptionsError, PipelineInterruptedError } from './errors';
export type { PipelineProgress } from './pipeline/pipelineProgress';
export { readModelInput, isDicomFile } from './predict/readModelInput';
export type { ModelInputImage } from './predict/readModelInput';
export { openTrainingBackbone, checkBackboneOptions, missingWeightsMessage, DEFAULT_BACKBONE, FULL_RANDOM_BASE } from './backbones/openTrainingBackbone';
export type { OpenTrainingBackboneOptions, OpenedBackbone, RandomBaseSize } from './backbones/openTrainingBackbone';
export { headScores } from './train/headScores';
export { extractDatasetFeatures } from './pipeline/extractDatasetFeatures';
export type { ExtractDatasetFeaturesOptions, FeatureRun } from './pipeline/extractDatasetFeatures';
export { extractAugmentedFeatures, NOTEBOOK_AUGMENTATION } from './pipeline/extractAugmentedFeatures';
export type { ExtractAugmentedFeaturesOptions } from './pipeline/extractAugmentedFeatures';
export { trainFromDataset, defaultCacheRoot, checkpointFileFor } from './pipeline/trainFromDataset';
export { cacheDatasetFeatures } from './pipeline/cacheDatasetFeatures';
export type { CacheDatasetFeaturesOptions, CacheDatasetFeaturesResult } from './pipeline/cacheDatasetFeatures';
export type { ThresholdMethod, TrainFromDatasetOptions, TrainFromDatasetResult } from './pipeline/trainFromDataset';
export { scoreImages, scoreAndCheckImages, classProbabilities } from './pipeline/scoreImages';
export { writeGradcamOverlay } from './pipeline/writeGradcamOverlay';
export { evaluateModel, EVALUATE_GROUP_BY } from './pipeline/evaluateModel';
export type {
  BinaryEvaluateResult,
  EvaluateGroupBy,
  EvaluateModelOptions,
  EvaluateModelResult,
  EvaluationCoverage,
  MulticlassEvaluateResult,
} from './pipeline/evaluateModel';
export { predictImages } from './pipeline/predictImages';
export type { ImagePrediction, PredictImagesOptions, PredictImagesResult } from './pipeline/predictImages';
export { findDemoWeights, SHARED_MOBILENET } from './pipeline/findDemoWeights';
export type { FoundWeights } from './pipeline/findDemoWeights';
export { runDemo, DEMO_PRESETS, DEMO_RECIPES } from './pipeline/runDemo';
export type { DemoOptions, DemoRecipe, DemoResult, DemoSize } from './pipeline/runDemo';
export { packageVersions } from './pipeline/packageVersions';

// Experiments (Node): leave-one-source-out validation with a shortcut alarm
export { runExperimentLoso } from './experiment/runExperimentLoso';
export type { ExperimentLosoOptions, ExperimentLosoResult } from './experiment/runExperimentLoso';
export { runLoso } from './experiment/runLoso';
export type { ArmResult, EvaluationResult, LosoOptions, LosoReport, ProbeReport, ProbeSummary, ScoreSummary } from './experiment/runLoso';
export { formatLosoReport } from './experiment/formatLosoReport';
export { MITIGATION_NAMES, resolveMitigation, LUNG_CROP, STRONG_AUGMENTATION } from './experiment/mitigations';
export type { MitigationName, MitigationSettings } from './experiment/mitigations';
export { planHoldOuts } from './experiment/planHoldOuts';
export type { HoldOutPlan, PlanRecord, SkippedHoldOut } from './experiment/planHoldOuts';

// Out-of-distribution refusal
export { trainingSafeguards, headProbabilities, createDataDesignRecord } from './index';
export type { TrainingSafeguards, TrainingSafeguardsOptions } from './index';
export { InputCheckError, describeInputDistribution, checkInput, inputDistance, describeImage, DEFAULT_IMAGE_LIMITS } from './index';
export type { InputDistribution, DescribeInputsOptions, ImageLimits, ImageFacts, InputCheck } from './index';

// The same-collection test: patient-level cross-validation inside one source (Node: file system)
export { crossValidateHead } from './index';
export type { CrossValidateHeadOptions, CrossValidatedHead } from './index';
export { runSameCollection } from './experiment/runSameCollection';
export type { SameCollectionOptions, SameCollectionResult, SameCollectionRun } from './experiment/runSameCollection';
// Experiments (Node): recipes x train configurations ranked on held-out hospitals
export { rankGeneralisation, rankGeneralisationRows, thresholdAtSensitivity, compareGeneralisationRows, compareSeedRanges } from './experiment/rankGeneralisation';
export type {
  GeneralisationItem,
  GeneralisationRecipe,
  GeneralisationReport,
  GeneralisationRow,
  GeneralisationRun,
  HeldOutSpecificity,
  RankGeneralisationOptions,
  SeedRangeComparison,
  SeedSpread,
} from './experiment/rankGeneralisation';
export { formatGeneralisationReport } from './experiment/formatGeneralisationReport';
export { parseTrainConfiguration, NO_TRAIN_OPTIONS, TRAIN_CONFIGURATION_FLAGS } from './experiment/trainConfiguration';
export type { TrainConfiguration } from './experiment/trainConfiguration';
export { runExperimentRank, DEFAULT_RANK_CONFIGURATIONS } from './experiment/runExperimentRank';
export type { ExperimentRankOptions, ExperimentRankResult } from './experiment/runExperimentRank';
