/**
 * Samples grouped by distinct score, in decreasing score order, with how many positives and negatives share
 * each score. Every threshold-based curve and the tie-exact AUC are sweeps over these groups.
 * @internal
 */
export interface ScoreGroups {
  /** Distinct scores, decreasing. */
  scores: Float64Array;
  positives: Float64Array;
  negatives: Float64Array;
  /** For each sample, the index of its group. */
  groupOf: Uint32Array;
}

/** @internal */
export function scoreGroups(y: Uint8Array, scores: readonly number[]): ScoreGroups {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const distinct: number[] = [];
  const positives: number[] = [];
  const negatives: number[] = [];
  const groupOf = new Uint32Array(n);
  for (const i of order) {
    const s = scores[i];
    if (distinct.length === 0 || distinct[distinct.length - 1] !== s) {
      distinct.push(s);
      positives.push(0);
      negatives.push(0);
    }
    const g = distinct.length - 1;
    groupOf[i] = g;
    if (y[i] === 1) positives[g]++;
    else negatives[g]++;
  }
  return {
    scores: Float64Array.from(distinct),
    positives: Float64Array.from(positives),
    negatives: Float64Array.from(negatives),
    groupOf,
  };
}

/**
 * Mann-Whitney AUC from per-group counts: the probability that a random positive scores above a random
 * negative, ties counting one half. NaN when a class is absent.
 * @internal
 */
export function aucFromCounts(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  let p = 0;
  let n = 0;
  for (let g = 0; g < positives.length; g++) {
    p += positives[g];
    n += negatives[g];
  }
  if (p === 0 || n === 0) return NaN;
  // Groups are in decreasing score order: negatives already passed scored strictly higher.
  let negativesAbove = 0;
  let wins = 0;
  for (let g = 0; g < positives.length; g++) {
    const neg = negatives[g];
    wins += positives[g] * (n - negativesAbove - neg + neg / 2);
    negativesAbove += neg;
  }
  return wins / (p * n);
}
