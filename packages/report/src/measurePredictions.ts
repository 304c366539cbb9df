import path from 'node:path';
import { recipeClasses } from '@cxr/dataset';
import { readCsvRecords } from '@cxr/dataset/node';
import { binaryMetrics, classificationReport, InvalidScoreError, UnknownLabelError, type BinaryMetrics, type ClassificationReport } from '@cxr/metrics';
import { PredictionsOptionsError, ReportError } from './errors';

/** Options of {@link measurePredictions} (the flags of `cxr metrics`). */
export interface MeasurePredictionsOptions {
  /** CSV with one row per image: a label column and a score column (the positive class's probability). */
  predictions: string;
  /** Column holding the actual class name; `label` by default. */
  labelColumn?: string;
  /** Column holding the positive class's probability; `score` by default. */
  scoreColumn?: string;
  /** The positive class; the default recipe's positive class (`recipeClasses` of `@cxr/dataset`) when omitted and present among the labels. */
  positive?: string;
  /** The negative class; the one other label present when omitted. */
  negative?: string;
  /** Predict positive when `score >= threshold`; 0.5 by default. */
  threshold?: number;
  /** Resamples of the AUC bootstrap; 2000 by default. */
  bootstrapIterations?: number;
  /** Seed of the AUC bootstrap; 42 by default. */
  seed?: number;
  /** Directory against which a relative `predictions` path is resolved; the process's by default. */
  cwd?: string;
}

/** What `cxr metrics` measured: the keys of `binaryMetrics` plus the per-class report and the file. */
export interface MeasurePredictionsResult extends BinaryMetrics {
  /** The predictions file, as given. */
  predictions: string;
  /** Per-class precision, recall, F1 and support at the threshold (scikit-learn's classification report). */
  classificationReport: ClassificationReport;
  notice: 'NOT FOR CLINICAL USE';
}

/** A plain decimal number as a CSV or a command line writes it (`0.93`, `.5`, `1e-3`): what a score field must match. */
export const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a predictions CSV and measures it: `binaryMetrics` of `@cxr/metrics` (confusion matrix, Wilson CIs,
 * bootstrap AUC CI, curves) and the classification report at the threshold. Returns the data; printing is
 * {@link formatMetrics}. The CSV is streamed by `readCsvRecords` of `@cxr/dataset/node`: a missing file or malformed
 * CSV is its `MetadataSchemaError` naming the file (and line). A missing column, a bad label or a non-numeric score
 * is a `ReportError` naming the file and line; a missing `--positive` when no `covid` label exists is a `PredictionsOptionsError`.
 */
export async function measurePredictions(options: MeasurePredictionsOptions): Promise<MeasurePredictionsResult> {
  const file = options.predictions;
  const fullPath = path.resolve(options.cwd ?? process.cwd(), file);
  const labelColumn = options.labelColumn ?? 'label';
  const scoreColumn = options.scoreColumn ?? 'score';
  const threshold = options.threshold ?? 0.5;

  const labels: string[] = [];
  const scores: number[] = [];
  const lines: number[] = [];
  let header: string[] | undefined;
  let labelIndex = -1;
  let scoreIndex = -1;
  for await (const { fields, line } of readCsvRecords(fullPath, { displayName: file })) {
    if (header === undefined) {
      header = fields.map((f) => f.trim());
      labelIndex = header.indexOf(labelColumn);
      scoreIndex = header.indexOf(scoreColumn);
      const columns = header.map((h) => JSON.stringify(h)).join(', ');
      if (labelIndex < 0) throw new ReportError(`${file}: no column ${JSON.stringify(labelColumn)} (columns: ${columns}); use --label-column`);
      if (scoreIndex < 0) throw new ReportError(`${file}: no column ${JSON.stringify(scoreColumn)} (columns: ${columns}); use --score-column`);
      continue;
    }
    if (fields.length !== header.length) {
      throw new ReportError(`${file}, line ${line}: expected ${header.length} fields like the header, found ${fields.length}`);
    }
    const label = fields[labelIndex].trim();
    if (label === '') throw new ReportError(`${file}, line ${line}: empty label in column ${JSON.stringify(labelColumn)}`);
    const rawScore = fields[scoreIndex].trim();
    const score = Number(rawScore);
    if (!DECIMAL_NUMBER.test(rawScore) || !(score >= 0 && score <= 1)) {
      throw new ReportError(
        `${file}, line ${line}: score ${JSON.stringify(rawScore)} in column ${JSON.stringify(scoreColumn)} is not a number in [0, 1]`,
      );
    }
    labels.push(label);
    scores.push(score);
    lines.push(line);
  }
  if (header === undefined) throw new ReportError(`${file}: empty file (expected a header row and one row per image)`);
  if (labels.length === 0) throw new ReportError(`${file}: no data rows after the header`);

  const present = [...new Set(labels)];
  const listed = present.map((l) => JSON.stringify(l)).join(', ');
  let positive = options.positive;
  if (positive === undefined) {
    const recipePositive = recipeClasses().positiveClass ?? recipeClasses().classes[0];
    if (!present.includes(recipePositive)) throw new PredictionsOptionsError(`--positive is required: no ${JSON.stringify(recipePositive)} label in ${file} (labels: ${listed})`);
    positive = recipePositive;
  }
  const others = present.filter((l) => l !== positive && l !== options.negative);
  if (!present.includes(positive) && others.length > (options.negative === undefined ? 1 : 0)) {
    throw new PredictionsOptionsError(`--positive ${JSON.stringify(positive)} is not a label in ${file} (labels: ${listed})`);
  }

  let metrics: BinaryMetrics;
  try {
    metrics = binaryMetrics({
      labels,
      scores,
      positiveLabel: positive,
      negativeLabel: options.negative,
      threshold,
      bootstrap: { iterations: options.bootstrapIterations, seed: options.seed },
      source: file,
    });
  } catch (error) {
    // Name the file's line rather than the sample's index.
    if (error instanceof UnknownLabelError && error.index !== undefined) {
      const negative = options.negative ?? present.find((l) => l !== positive);
      throw new ReportError(
        `${file}, line ${lines[error.index]}: label ${JSON.stringify(error.label)} is neither the positive ${JSON.stringify(positive)} ` +
          `nor the negative ${JSON.stringify(negative)}; binary metrics need exactly two classes`,
        { cause: error },
      );
    }
    if (error instanceof InvalidScoreError) {
      throw new ReportError(`${file}, line ${lines[error.index]}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const [negativeName, positiveName] = metrics.confusionMatrix.labels;
  const predicted = scores.map((s) => (s >= threshold ? positiveName : negativeName));
  const report = classificationReport(labels, predicted, { labels: [negativeName, positiveName], source: file });
  return { ...metrics, predictions: file, classificationReport: report, notice: 'NOT FOR CLINICAL USE' };
}

