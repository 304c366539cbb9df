import { binaryTargets, type BinaryLabelOptions } from './binaryTargets';
import { aucFromCounts, scoreGroups } from './scoreGroups';

/**
 * Area under the ROC curve, exact with ties: the Mann-Whitney U statistic divided by `positives * negatives`,
 * i.e. the probability that a random positive scores higher than a random negative, a tie counting one half.
 * This equals the trapezoidal area under {@link rocCurve} (and scikit-learn's `roc_auc_score`).
 * `NaN` when only one class is present.
 *
 * @example rocAuc(['c', 'n', 'c', 'n'], [0.9, 0.9, 0.6, 0.1], 'c'); // (0.5 + 1 + 0 + 1) / 4 = 0.625
 */
export function rocAuc(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  options: BinaryLabelOptions = {},
): number {
  const t = binaryTargets(labels, scores, positiveLabel, options);
  const g = scoreGroups(t.y, t.scores);
  return aucFromCounts(g.positives, g.negatives);
}
