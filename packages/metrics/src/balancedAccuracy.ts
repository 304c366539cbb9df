import { confusionMatrix, type LabelOptions } from './confusionMatrix';

/**
 * Balanced accuracy: the mean recall over the classes that occur in `actual` (scikit-learn's
 * `balanced_accuracy_score`; a declared class without samples has no recall and is left out of the mean, as
 * scikit-learn does after its warning). For two classes it is (sensitivity + specificity) / 2.
 *
 * @example balancedAccuracy(['0', '1', '0', '0', '1', '0'], ['0', '1', '0', '0', '0', '1'], { labels: ['0', '1'] }); // 0.625
 */
export function balancedAccuracy(actual: readonly string[], predicted: readonly string[], options: LabelOptions): number {
  return balancedAccuracyOf(confusionMatrix(actual, predicted, options).matrix);
}

/** Balanced accuracy of a confusion matrix (rows actual). @internal */
export function balancedAccuracyOf(matrix: readonly (readonly number[])[]): number {
  let sum = 0;
  let classes = 0;
  matrix.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0);
    if (support === 0) return;
    sum += row[i] / support;
    classes++;
  });
  return classes === 0 ? NaN : sum / classes;
}
