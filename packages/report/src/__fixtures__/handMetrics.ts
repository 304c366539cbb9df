import type { BinaryMetricsLike, IntervalValue, ScoredImage } from '../types';

/**
 * A 10-image test set whose metrics are worked out by hand (see the comments), shaped like the result of
 * `binaryMetrics(...)` of @cxr/metrics, so report tests do not depend on that package.
 *
 * covid (positive) scores: 0.95 0.85 0.70 0.40; normal scores: 0.60 0.30 0.20 0.10 0.05 0.02; threshold 0.5.
 * TP = 3, FN = 1 (0.40), FP = 1 (0.60), TN = 5.
 */
export const handScores: ScoredImage[] = [
  ...[0.95, 0.85, 0.7, 0.4].map((score, i) => ({ path: `covid/c${i}.png`, label: 'covid', score, source: 'covid-chestxray' })),
  ...[0.6, 0.3, 0.2, 0.1, 0.05, 0.02].map((score, i) => ({ path: `normal/n${i}.png`, label: 'normal', score, source: i < 3 ? 'nih' : 'covid-chestxray' })),
];

/** Wilson 95% score interval, z = 1.959964 (Wilson 1927), written out independently of @cxr/metrics. */
function wilson(k: number, n: number): IntervalValue {
  const z = 1.959964;
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { value: p, lower: centre - half, upper: centre + half };
}

export const handMetrics: BinaryMetricsLike = {
  n: 10,
  positiveLabel: 'covid',
  negativeLabel: 'normal',
  threshold: 0.5,
  confusionMatrix: { labels: ['covid', 'normal'], matrix: [[3, 1], [1, 5]], tp: 3, fp: 1, tn: 5, fn: 1 },
  accuracy: wilson(8, 10), // 0.800 (0.490-0.943)
  sensitivity: wilson(3, 4), // 0.750
  specificity: wilson(5, 6), // 0.833
  precision: wilson(3, 4),
  npv: wilson(5, 6),
  prevalence: wilson(4, 10),
  balancedAccuracy: (0.75 + 5 / 6) / 2,
  f1: 0.75,
  mcc: 14 / 24, // (3*5 - 1*1) / sqrt(4*4*6*6)
  youdenJ: 0.75 + 5 / 6 - 1,
  // 23 of the 24 (covid, normal) pairs are ranked correctly: only 0.40 < 0.60.
  auc: { value: 23 / 24, lower: 0.83, upper: 0.99 },
  averagePrecision: 0.95, // 0.25*1 + 0.25*1 + 0.25*1 + 0.25*0.8
  roc: {
    fpr: [0, 0, 0, 0, 1 / 6, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1],
    tpr: [0, 0.25, 0.5, 0.75, 0.75, 1, 1, 1, 1, 1, 1],
    thresholds: [null, 0.95, 0.85, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02],
  },
  pr: {
    precision: [1, 1, 1, 0.75, 0.8, 4 / 6, 4 / 7, 0.5, 4 / 9, 0.4],
    recall: [0.25, 0.5, 0.75, 0.75, 1, 1, 1, 1, 1, 1],
    thresholds: [0.95, 0.85, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02],
  },
  warnings: ['Fewer than 30 images of a class: the confidence intervals are wide.'],
};

/** Only normals (3 images, all called normal): no AUC, no sensitivity. */
export const oneClassMetrics: BinaryMetricsLike = {
  ...handMetrics,
  n: 3,
  confusionMatrix: { labels: ['covid', 'normal'], matrix: [[0, 0], [0, 3]], tp: 0, fp: 0, tn: 3, fn: 0 },
  accuracy: wilson(3, 3),
  sensitivity: { value: null, lower: null, upper: null },
  specificity: wilson(3, 3),
  precision: { value: null, lower: null, upper: null },
  npv: wilson(3, 3),
  prevalence: wilson(0, 3),
  balancedAccuracy: null,
  f1: null,
  mcc: null,
  youdenJ: null,
  auc: null,
  averagePrecision: null,
  roc: { fpr: [], tpr: [], thresholds: [] },
  pr: { precision: [], recall: [], thresholds: [] },
  warnings: [],
};
