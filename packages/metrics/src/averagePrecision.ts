import { binaryTargets, type BinaryLabelOptions, type BinaryTargets } from './binaryTargets';
import { scoreGroups, type ScoreGroups } from './scoreGroups';

/**
 * Average precision with scikit-learn's step definition (`average_precision_score`):
 * `AP = sum_n (R_n - R_{n-1}) * P_n` over decreasing thresholds, with no interpolation. `NaN` when there is no
 * positive sample (recall is then undefined).
 *
 * @example averagePrecision(['n', 'n', 'c', 'c'], [0.1, 0.4, 0.35, 0.8], 'c'); // 0.5 * 1 + 0.5 * 2/3 = 0.8333
 */
export function averagePrecision(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  options: BinaryLabelOptions = {},
): number {
  const t = binaryTargets(labels, scores, positiveLabel, options);
  return averagePrecisionOf(t, scoreGroups(t.y, t.scores));
}

/** {@link averagePrecision} of targets already checked and grouped (`NaN` without a positive). @internal */
export function averagePrecisionOf(t: BinaryTargets, g: ScoreGroups): number {
  if (t.positives === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let i = 0; i < g.scores.length; i++) {
    tp += g.positives[i];
    fp += g.negatives[i];
    ap += (g.positives[i] / t.positives) * (tp / (tp + fp));
  }
  return ap;
}
