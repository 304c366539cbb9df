import { averagePrecisionOf } from './averagePrecision';
import { binaryTargets } from './binaryTargets';
import { bootstrapAucOf, checkBootstrapOptions, type BootstrapOptions } from './bootstrapAuc';
import { InvalidOptionError } from './errors';
import type { Interval } from './interval';
import { mcc as mccOf } from './mcc';
import { precisionRecallCurveOf, type PrecisionRecallCurve } from './precisionRecallCurve';
import { rocCurveOf, type RocCurve } from './rocCurve';
import { scoreGroups } from './scoreGroups';
import { wilsonInterval } from './wilsonInterval';

/** Input of {@link binaryMetrics}. */
export interface BinaryMetricsOptions {
  /** The actual class of each sample. */
  labels: readonly string[];
  /** The predicted probability of the POSITIVE class for each sample, in [0, 1]. */
  scores: readonly number[];
  /** The positive class (e.g. `'covid'`). Always explicit: never inferred from alphabetical order. */
  positiveLabel: string;
  /** The negative class; inferred as the one other label present when omitted. */
  negativeLabel?: string;
  /** Predict positive when `score >= threshold`; 0.5 by default. */
  threshold?: number;
  /** Confidence level of every interval; 0.95 by default. */
  confidenceLevel?: number;
  /** Settings of the AUC bootstrap (2000 resamples, seed 42 by default). */
  bootstrap?: BootstrapOptions;
  /** Where the data came from (e.g. `preds.csv`), named in error messages. */
  source?: string;
}

/** The binary confusion matrix: labels `[negative, positive]`, rows actual, columns predicted. */
export interface BinaryConfusionMatrix {
  labels: [string, string];
  /** `[[tn, fp], [fn, tp]]`. */
  matrix: [[number, number], [number, number]];
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * Everything {@link binaryMetrics} measures: a plain object that `JSON.stringify` serialises whole.
 * Undefined values (0/0) are `NaN`, written `null` in JSON.
 */
export interface BinaryMetrics {
  n: number;
  positiveLabel: string;
  /** The negative label: as given, else the other label present, else (one class only) `not <positiveLabel>`. */
  negativeLabel: string;
  threshold: number;
  confidenceLevel: number;
  confusionMatrix: BinaryConfusionMatrix;
  /** (tp + tn) / n, Wilson interval. */
  accuracy: Interval;
  /** (sensitivity + specificity) / 2. */
  balancedAccuracy: number;
  /** Recall of the positive class, tp / (tp + fn), Wilson interval. */
  sensitivity: Interval;
  /** tn / (tn + fp), Wilson interval. */
  specificity: Interval;
  /** Positive predictive value, tp / (tp + fp), Wilson interval. */
  precision: Interval;
  /** Negative predictive value, tn / (tn + fn), Wilson interval. */
  npv: Interval;
  /** 2tp / (2tp + fp + fn). */
  f1: number;
  /** Matthews correlation coefficient. */
  mcc: number;
  /** sensitivity + specificity - 1. */
  youdenJ: number;
  /** (tp + fn) / n, Wilson interval. */
  prevalence: Interval;
  /** ROC AUC (threshold-free) with a stratified percentile bootstrap interval; `null` unless both classes occur. */
  auc: Interval | null;
  /** How the AUC interval was computed. */
  aucBootstrap: { iterations: number; seed: number; method: string };
  /** Average precision (scikit-learn's step definition); `null` without a positive sample. */
  averagePrecision: number | null;
  roc: RocCurve;
  pr: PrecisionRecallCurve;
  /** Why some values are undefined, in words (e.g. `AUC needs both classes; only 'normal' present`). */
  warnings: string[];
}

/**
 * A full binary evaluation of probabilistic predictions: confusion matrix at a threshold, sensitivity,
 * specificity, PPV, NPV, accuracy and prevalence with Wilson intervals, F1, MCC, Youden's J, ROC AUC with a
 * seeded stratified bootstrap interval (see {@link bootstrapAuc}), average precision, and the ROC and PR curves.
 *
 * When only one class is present AUC is `null` and `warnings` says why; any other 0/0 metric is `NaN` (`null`
 * in JSON) with a warning too.
 *
 * @example
 * const m = binaryMetrics({ labels: ['covid', 'normal', 'covid'], scores: [0.9, 0.2, 0.4], positiveLabel: 'covid' });
 * m.sensitivity.value; // 0.5
 * JSON.stringify(m); // the whole report
 */
export function binaryMetrics(options: BinaryMetricsOptions): BinaryMetrics {
  const { labels, scores, positiveLabel, source } = options;
  const threshold = options.threshold ?? 0.5;
  const level = options.confidenceLevel ?? 0.95;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new InvalidOptionError('threshold', threshold, 'a number', { source });
  }
  if (!(level > 0 && level < 1)) throw new InvalidOptionError('confidenceLevel', level, 'strictly between 0 and 1', { source });
  const t = binaryTargets(labels, scores, positiveLabel, { negativeLabel: options.negativeLabel, source });
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < t.y.length; i++) {
    if (t.scores[i] >= threshold) {
      if (t.y[i] === 1) tp++;
      else fp++;
    }
  }
  const fn = t.positives - tp;
  const tn = t.negatives - fp;
  const n = t.y.length;
  const negativeName = t.negativeLabel ?? `not ${positiveLabel}`;
  const warnings: string[] = [];

  const sensitivity = wilsonInterval(tp, tp + fn, level);
  const specificity = wilsonInterval(tn, tn + fp, level);
  const precision = wilsonInterval(tp, tp + fp, level);
  const npv = wilsonInterval(tn, tn + fn, level);
  const q = (s: string): string => `'${s}'`;
  if (t.positives === 0) warnings.push(`sensitivity is undefined: no sample labelled ${q(positiveLabel)}`);
  if (t.negatives === 0) warnings.push(`specificity is undefined: no sample labelled ${q(negativeName)}`);
  if (tp + fp === 0) warnings.push(`precision (PPV) is undefined: no sample predicted ${q(positiveLabel)} at threshold ${threshold}`);
  if (tn + fn === 0) warnings.push(`NPV is undefined: no sample predicted ${q(negativeName)} at threshold ${threshold}`);

  const bootstrapOptions = { ...options.bootstrap, source, level };
  checkBootstrapOptions(bootstrapOptions);
  // One grouping of the scores serves the AUC, average precision and both curves.
  const g = scoreGroups(t.y, t.scores);
  const bootstrap = bootstrapAucOf(t, g, bootstrapOptions);
  let auc: Interval | null = { value: bootstrap.value, lower: bootstrap.lower, upper: bootstrap.upper };
  if (t.positives === 0 || t.negatives === 0) {
    auc = null;
    const present = t.positives === 0 ? negativeName : positiveLabel;
    warnings.push(`AUC needs both classes; only ${q(present)} present`);
  }
  const ap = averagePrecisionOf(t, g);
  if (t.positives === 0) warnings.push(`average precision needs a sample labelled ${q(positiveLabel)}`);
  const mcc = mccOf({ tp, fp, tn, fn });
  if (Number.isNaN(mcc) && t.positives > 0 && t.negatives > 0) {
    warnings.push(`MCC is undefined: every sample is predicted ${q(tp + fp === 0 ? negativeName : positiveLabel)} at threshold ${threshold}`);
  }

  return {
    n,
    positiveLabel,
    negativeLabel: negativeName,
    threshold,
    confidenceLevel: level,
    confusionMatrix: {
      labels: [negativeName, positiveLabel],
      matrix: [
        [tn, fp],
        [fn, tp],
      ],
      tp,
      fp,
      tn,
      fn,
    },
    accuracy: wilsonInterval(tp + tn, n, level),
    balancedAccuracy: (sensitivity.value + specificity.value) / 2,
    sensitivity,
    specificity,
    precision,
    npv,
    f1: 2 * tp + fp + fn === 0 ? NaN : (2 * tp) / (2 * tp + fp + fn),
    mcc,
    youdenJ: sensitivity.value + specificity.value - 1,
    prevalence: wilsonInterval(tp + fn, n, level),
    auc,
    aucBootstrap: { iterations: bootstrap.iterations, seed: bootstrap.seed, method: bootstrap.method },
    averagePrecision: Number.isNaN(ap) ? null : ap,
    roc: rocCurveOf(t, g),
    pr: precisionRecallCurveOf(t, g),
    warnings,
  };
}
