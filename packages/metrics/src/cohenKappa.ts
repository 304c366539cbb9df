import { confusionMatrix, type LabelOptions } from './confusionMatrix';

/**
 * Cohen's kappa between two labellings of the same samples (here: actual and predicted classes), as
 * scikit-learn's `cohen_kappa_score` without weights: `(po - pe) / (1 - pe)`, with `po` the observed agreement
 * and `pe` the agreement expected from the two marginal distributions. 1 is perfect agreement, 0 what chance
 * gives. `NaN` when `pe` is 1 (both labellings put every sample in the same one class).
 *
 * @example cohenKappa(['a', 'b', 'a', 'b'], ['a', 'b', 'b', 'b'], { labels: ['a', 'b'] }); // 0.5
 */
export function cohenKappa(actual: readonly string[], predicted: readonly string[], options: LabelOptions): number {
  return kappaOf(confusionMatrix(actual, predicted, options).matrix);
}

/** Kappa of a confusion matrix (rows one labelling, columns the other). @internal */
export function kappaOf(matrix: readonly (readonly number[])[]): number {
  const k = matrix.length;
  let n = 0;
  let agree = 0;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      n += matrix[i][j];
      rows[i] += matrix[i][j];
      cols[j] += matrix[i][j];
    }
    agree += matrix[i][i];
  }
  const po = agree / n;
  let pe = 0;
  for (let i = 0; i < k; i++) pe += (rows[i] / n) * (cols[i] / n);
  return pe === 1 ? NaN : (po - pe) / (1 - pe);
}
