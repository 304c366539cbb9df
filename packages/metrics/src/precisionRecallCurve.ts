import { binaryTargets, type BinaryLabelOptions, type BinaryTargets } from './binaryTargets';
import { scoreGroups, type ScoreGroups } from './scoreGroups';

/** A precision-recall curve. */
export interface PrecisionRecallCurve {
  /** Precision at each threshold, then a final 1 (the conventional end point at recall 0). */
  precision: number[];
  /** Recall at each threshold (decreasing), then a final 0. */
  recall: number[];
  /** Increasing thresholds; a sample is predicted positive when `score >= threshold`. One fewer than the points. */
  thresholds: number[];
}

/**
 * The precision-recall curve, laid out exactly as scikit-learn's `precision_recall_curve` (one point per distinct
 * score, thresholds increasing, a final point (recall 0, precision 1) without a threshold). With no positive
 * sample recall is 0/0, i.e. `NaN`.
 *
 * @example
 * precisionRecallCurve(['n', 'n', 'c', 'c'], [0.1, 0.4, 0.35, 0.8], 'c');
 * // precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8]
 */
export function precisionRecallCurve(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  options: BinaryLabelOptions = {},
): PrecisionRecallCurve {
  const t = binaryTargets(labels, scores, positiveLabel, options);
  return precisionRecallCurveOf(t, scoreGroups(t.y, t.scores));
}

/** {@link precisionRecallCurve} of targets already checked and grouped. @internal */
export function precisionRecallCurveOf(t: BinaryTargets, g: ScoreGroups): PrecisionRecallCurve {
  const precision: number[] = [];
  const recall: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < g.scores.length; i++) {
    tp += g.positives[i];
    fp += g.negatives[i];
    precision.push(tp / (tp + fp));
    recall.push(tp / t.positives);
    thresholds.push(g.scores[i]);
  }
  precision.reverse().push(1);
  recall.reverse().push(0);
  thresholds.reverse();
  return { precision, recall, thresholds };
}
