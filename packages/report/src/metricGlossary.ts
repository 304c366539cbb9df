import type { BinaryMetricsLike, IntervalValue } from './types';

/** A headline metric of the report: where to find it and what it means, in words a reader can check. */
export interface GlossaryEntry {
  key: 'accuracy' | 'sensitivity' | 'specificity' | 'precision' | 'npv' | 'prevalence';
  name: string;
  formula: string;
  meaning: (positive: string, negative: string) => string;
}

/**
 * The metrics the report leads with, each with its formula and plain meaning. Sensitivity and specificity
 * are the numbers that matter for a screening-like task; accuracy alone hides class imbalance.
 */
export const METRIC_GLOSSARY: readonly GlossaryEntry[] = [
  {
    key: 'sensitivity',
    name: 'Sensitivity (recall)',
    formula: 'TP / (TP + FN)',
    meaning: (p) => `Recall of the positive class: the share of actual ${p} images the model calls ${p}. Low sensitivity means missed ${p} cases.`,
  },
  {
    key: 'specificity',
    name: 'Specificity',
    formula: 'TN / (TN + FP)',
    meaning: (p, n) => `Recall of the negative class: the share of actual ${n} images the model calls ${n}. Low specificity means false alarms of ${p}.`,
  },
  {
    key: 'precision',
    name: 'Precision (PPV)',
    formula: 'TP / (TP + FP)',
    meaning: (p) => `Of the images called ${p}, the share that really are ${p}. Depends on prevalence: it falls when ${p} is rarer than in this test set.`,
  },
  {
    key: 'npv',
    name: 'Negative predictive value',
    formula: 'TN / (TN + FN)',
    meaning: (_p, n) => `Of the images called ${n}, the share that really are ${n}. Also depends on prevalence.`,
  },
  {
    key: 'accuracy',
    name: 'Accuracy',
    formula: '(TP + TN) / n',
    meaning: () => 'The share of all images classified correctly. With unbalanced classes it can be high while one class is mostly wrong.',
  },
  {
    key: 'prevalence',
    name: 'Prevalence',
    formula: '(TP + FN) / n',
    meaning: (p) => `The share of ${p} images in this test set (a property of the data, not of the model).`,
  },
];

/** Formats a proportion as a percentage with one decimal ("80.0%"), or "n/a" when undefined. */
export function percent(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : 'n/a';
}

/** Formats a Wilson (or other) 95% confidence interval as "49.0-94.3%", or "n/a". */
export function percentInterval(v: IntervalValue | null | undefined): string {
  if (!v || typeof v.lower !== 'number' || typeof v.upper !== 'number' || !Number.isFinite(v.lower) || !Number.isFinite(v.upper)) {
    return 'n/a';
  }
  return `${(100 * v.lower).toFixed(1)}-${(100 * v.upper).toFixed(1)}%`;
}

/** Formats a plain number (F1, MCC, AUC) with three decimals, or "n/a". */
export function decimal(value: number | null | undefined, digits = 3): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/**
 * Why the ROC and precision-recall curves are not drawn when the AUC is null, naming the class the test
 * set lacks; null when the AUC exists.
 */
export function missingAucReason(metrics: BinaryMetricsLike): string | null {
  if (metrics.auc) return null;
  const { tp, fn, tn, fp } = metrics.confusionMatrix;
  const positives = tp + fn;
  const negatives = tn + fp;
  if (positives === 0 || negatives === 0) {
    const present = positives === 0 ? metrics.negativeLabel : metrics.positiveLabel;
    const absent = positives === 0 ? metrics.positiveLabel : metrics.negativeLabel;
    return (
      `The AUC, ROC curve and precision-recall curve are not shown: the test set has only "${present}" images ` +
      `(${positives + negatives}) and no "${absent}" images, and these need both classes to rank one against the other.`
    );
  }
  return 'The AUC, ROC curve and precision-recall curve are not shown: the metrics give no AUC for this test set.';
}
