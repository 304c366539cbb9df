/**
 * @cxr/report: evaluation reports (HTML, self-contained; Markdown with PNG plots; metrics.json).
 * NOT FOR CLINICAL USE.
 */
export { writeEvaluationReport } from './writeEvaluationReport';
export type { WriteEvaluationReportOptions } from './writeEvaluationReport';
export { writeMulticlassReport, renderMulticlassMarkdown, renderMulticlassHtml } from './writeMulticlassReport';
export type { MulticlassReportFiles, MulticlassReportInput, MulticlassReportPlot } from './writeMulticlassReport';
export { ReportError, PredictionsOptionsError } from './errors';
export { measurePredictions, DECIMAL_NUMBER } from './measurePredictions';
export type { MeasurePredictionsOptions, MeasurePredictionsResult } from './measurePredictions';
export { renderVegaLiteSvg, svgToPng } from './renderPlot';
export { confusionMatrixSpec } from './confusionMatrixSpec';
export { rocCurveSpec } from './rocCurveSpec';
export { multiclassRocSpec } from './multiclassRocSpec';
export type { OneVsRestCurve } from './multiclassRocSpec';
export { prCurveSpec } from './prCurveSpec';
export { scoreHistogramSpec } from './scoreHistogramSpec';
export { trainingCurvesSpec } from './trainingCurvesSpec';
export { reliabilityDiagramSpec } from './reliabilityDiagramSpec';
export { CLINICAL_BANNER } from './reportSections';
export type {
  BinaryMetricsLike,
  ConfusionMatrixLike,
  EpochRecord,
  EvaluationReportFiles,
  EvaluationReportInput,
  GradcamCase,
  IntervalValue,
  ReportModelInfo,
  ReportSafety,
  ReliabilityBinLike,
  ScoredImage,
  SubsetSummary,
} from './types';
