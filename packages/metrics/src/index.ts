export { averagePrecision } from './averagePrecision';
export { balancedAccuracy } from './balancedAccuracy';
export { binaryMetrics } from './binaryMetrics';
export { bootstrapAuc, DEFAULT_BOOTSTRAP_ITERATIONS, DEFAULT_BOOTSTRAP_SEED } from './bootstrapAuc';
export { classificationReport } from './classificationReport';
export { cohenKappa } from './cohenKappa';
export { confusionMatrix } from './confusionMatrix';
export { createRng, hashSeed, shuffleInPlace } from './createRng';
export {
  EmptyInputError,
  InvalidOptionError,
  InvalidScoreError,
  LengthMismatchError,
  MetricsError,
  UnknownLabelError,
} from './errors';
export { formatClassificationReport } from './formatClassificationReport';
export { formatFixed } from './formatFixed';
export { mcc } from './mcc';
export { multiclassMetrics } from './multiclassMetrics';
export { normalQuantile } from './normalQuantile';
export { precisionRecallCurve } from './precisionRecallCurve';
export { predictiveValues } from './predictiveValues';
export { reliabilityDiagram } from './reliabilityDiagram';
export { rocAuc } from './rocAuc';
export { rocCurve } from './rocCurve';
export { applyTemperature, fitTemperature } from './temperatureScaling';
export { thresholdForSensitivity } from './thresholdForSensitivity';
export { thresholdForSpecificity } from './thresholdForSpecificity';
export { wilsonInterval } from './wilsonInterval';
export { youdenThreshold } from './youdenThreshold';

export type { BinaryLabelOptions } from './binaryTargets';
export type { BinaryConfusionMatrix, BinaryMetrics, BinaryMetricsOptions } from './binaryMetrics';
export type { BootstrapAucResult, BootstrapOptions } from './bootstrapAuc';
export type { ClassificationReport, ClassScores } from './classificationReport';
export type { ConfusionMatrix, LabelOptions } from './confusionMatrix';
export type { Rng } from './createRng';
export type { FormatReportOptions } from './formatClassificationReport';
export type { Interval } from './interval';
export type { ConfusionCounts } from './mcc';
export type { MulticlassMetrics, MulticlassMetricsOptions, OneVsRestMetrics } from './multiclassMetrics';
export type { PrecisionRecallCurve } from './precisionRecallCurve';
export type { PredictiveValues } from './predictiveValues';
export type { ReliabilityBin, ReliabilityDiagram, ReliabilityOptions } from './reliabilityDiagram';
export type { TemperatureFit } from './temperatureScaling';
export type { RocCurve } from './rocCurve';
export type { ThresholdChoice } from './thresholdChoice';
