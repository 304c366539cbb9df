import { binaryTargets, type BinaryLabelOptions, type BinaryTargets } from './binaryTargets';
import { scoreGroups, type ScoreGroups } from './scoreGroups';

/** A receiver operating characteristic curve, one point per threshold. */
export interface RocCurve {
  /** False positive rate (1 - specificity) at each threshold. */
  fpr: number[];
  /** True positive rate (sensitivity) at each threshold. */
  tpr: number[];
  /**
   * Decreasing thresholds; a sample is predicted positive when `score >= threshold`. The first is `Infinity`
   * (nothing predicted positive, the point (0, 0)), which `JSON.stringify` writes as `null`.
   */
  thresholds: number[];
}

/**
 * The ROC curve of scores against labels, with the positive label explicit. Like scikit-learn's
 * `roc_curve(..., drop_intermediate=False)`: one point per distinct score plus the origin. If a class is absent
 * its rate is 0/0, i.e. `NaN`.
 *
 * @example
 * rocCurve(['n', 'n', 'c', 'c'], [0.1, 0.4, 0.35, 0.8], 'c');
 * // { fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], thresholds: [Infinity, 0.8, 0.4, 0.35, 0.1] }
 */
export function rocCurve(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  options: BinaryLabelOptions = {},
): RocCurve {
  const t = binaryTargets(labels, scores, positiveLabel, options);
  return rocCurveOf(t, scoreGroups(t.y, t.scores));
}

/** {@link rocCurve} of targets already checked and grouped. @internal */
export function rocCurveOf(t: BinaryTargets, g: ScoreGroups): RocCurve {
  const fpr = [0 / t.negatives];
  const tpr = [0 / t.positives];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < g.scores.length; i++) {
    tp += g.positives[i];
    fp += g.negatives[i];
    tpr.push(tp / t.positives);
    fpr.push(fp / t.negatives);
    thresholds.push(g.scores[i]);
  }
  return { fpr, tpr, thresholds };
}
