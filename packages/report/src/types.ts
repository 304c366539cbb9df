/**
 * The input of {@link writeEvaluationReport}. The metrics objects are structurally the result of
 * `binaryMetrics(...)` from `@cxr/metrics` (JSON-serialisable, camelCase keys); they are described here
 * rather than imported so a report can also be rendered from a `metrics.json` read back from disk.
 */

/** A proportion with its Wilson 95% confidence interval; NaN or null when undefined (0/0). */
export interface IntervalValue {
  value: number | null;
  lower: number | null;
  upper: number | null;
}

/** A 2x2 confusion matrix; rows are the actual class, columns the predicted class, in `labels` order. */
export interface ConfusionMatrixLike {
  labels: string[];
  matrix: number[][];
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * What `binaryMetrics(...)` of `@cxr/metrics` returns (its `BinaryMetrics` is assignable to this), or the same
 * read back from `metrics.json`, where undefined values (NaN in memory) are `null`. Extra keys are kept in
 * `metrics.json`. Curves may come in either order (scikit-learn's PR curve runs from high recall to low).
 */
export interface BinaryMetricsLike {
  n: number;
  positiveLabel: string;
  negativeLabel: string;
  threshold: number;
  confusionMatrix: ConfusionMatrixLike;
  accuracy: IntervalValue;
  sensitivity: IntervalValue;
  specificity: IntervalValue;
  precision: IntervalValue;
  npv: IntervalValue;
  prevalence: IntervalValue;
  balancedAccuracy: number | null;
  f1: number | null;
  mcc: number | null;
  youdenJ: number | null;
  /** Null when only one class is present (the ROC curve is undefined). */
  auc: IntervalValue | null;
  averagePrecision: number | null;
  roc: { fpr: number[]; tpr: number[]; thresholds: Array<number | null> };
  pr: { precision: number[]; recall: number[]; thresholds: Array<number | null> };
  warnings?: string[];
}

/** The model the report is about. */
export interface ReportModelInfo {
  backbone: string;
  /** Where the weights came from, e.g. "ImageNet MobileNet v1 (frozen) + head trained 12 epochs". */
  weights: string;
  /** Class names, e.g. `['covid', 'normal']`. */
  classes: string[];
  positiveClass: string;
  /** Score at or above which an image is called positive. */
  threshold: number;
}

/** One training epoch: the training-set loss/accuracy and, when there was a validation set, its values. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** One evaluated image: its true label and the model's score for the positive class. */
export interface ScoredImage {
  path: string;
  label: string;
  score: number;
  source?: string;
}

/** A Grad-CAM overlay (a PNG on disk) of one evaluated image. */
export interface GradcamCase {
  path: string;
  overlayPngPath: string;
  label: string;
  score: number;
  correct: boolean;
}

/** Everything a report shows. */
export interface EvaluationReportInput {
  title: string;
  model: ReportModelInfo;
  metrics: BinaryMetricsLike;
  perSource?: Record<string, BinaryMetricsLike>;
  /** The same metrics per group of images (`cxr evaluate --group-by`: by source, view, finding or sex). */
  groups?: { by: string; groups: Record<string, BinaryMetricsLike> };
  history?: { epochs: EpochRecord[] };
  scores: ScoredImage[];
  gradcam?: GradcamCase[];
  notes?: string[];
  warnings?: string[];
  /** Calibration, predictive values at a stated prevalence, and out-of-distribution coverage (issue 15). */
  safety?: ReportSafety;
}

/** One bin of a reliability diagram (`reliabilityDiagram` of `@cxr/metrics`; NaN read back as null). */
export interface ReliabilityBinLike {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number | null;
  observedRate: number | null;
}

/** A few headline numbers of a subset of the evaluated images. */
export interface SubsetSummary {
  n: number;
  accuracy: number | null;
  sensitivity: number | null;
  specificity: number | null;
  auc: number | null;
}

/** The safety section of a report. */
export interface ReportSafety {
  /** Reliability of the positive-class probability: ECE, MCE and the diagram's bins; the model's temperature (null: none). */
  calibration?: { ece: number; mce: number; bins: ReliabilityBinLike[]; temperature: number | null };
  /** PPV and NPV at a user-given prevalence, from the sensitivity and specificity measured here (Bayes). */
  atPrevalence?: { prevalence: number; ppv: number | null; npv: number | null; sensitivity: number; specificity: number };
  /** The out-of-distribution refusal: how many images got a decision, why the others did not, metrics on each set. */
  coverage?: { n: number; decided: number; refused: number; reasons: Array<{ reason: string; count: number }>; all: SubsetSummary; decidedOnly: SubsetSummary | null };
}

/** One rendered plot: a file stem (`roc`), a caption, and the SVG text and PNG bytes. */
export interface RenderedPlot {
  name: string;
  caption: string;
  svg: string;
  png: Buffer;
}

/** What {@link writeEvaluationReport} wrote. Paths are absolute. */
export interface EvaluationReportFiles {
  dir: string;
  html: string;
  markdown: string;
  metricsJson: string;
  /** Every plot's SVG and PNG, by plot name. */
  plots: Record<string, { svg: string; png: string }>;
  /** The Grad-CAM overlays copied beside the Markdown. */
  gradcam: string[];
}

/** A Grad-CAM case with its overlay read into memory and its file name beside the Markdown report. */
export interface LoadedGradcam extends GradcamCase {
  png: Buffer;
  /** Path relative to the report directory, e.g. `gradcam/01-wrong.png`. */
  relativePath: string;
}

/** Everything the HTML and Markdown renderers need, computed once. */
export interface ReportContent {
  input: EvaluationReportInput;
  /** Rendered plots in display order. */
  plots: RenderedPlot[];
  gradcam: LoadedGradcam[];
  /** Why ROC/PR are absent, or null when they are drawn. */
  aucReason: string | null;
  /** The most confident mistakes (highest score for actual negatives, lowest for actual positives). */
  worstMistakes: ScoredImage[];
}
