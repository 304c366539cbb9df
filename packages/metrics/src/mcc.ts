/** The four cells of a binary confusion matrix. */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * Matthews correlation coefficient, `(tp*tn - fp*fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn))`, in [-1, 1].
 * `NaN` when a row or column of the confusion matrix is empty (0/0); scikit-learn returns 0 there instead.
 *
 * @example mcc({ tp: 90, fp: 4, tn: 1, fn: 5 }); // 0.1351
 */
export function mcc({ tp, fp, tn, fn }: ConfusionCounts): number {
  const denominator = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  if (denominator === 0) return NaN;
  // Rounding can push a perfect (anti-)correlation a hair past +-1.
  return Math.max(-1, Math.min(1, (tp * tn - fp * fn) / denominator));
}
