import { createRng, shuffleInPlace } from '@cxr/metrics';
import { ProbeInputError } from '../errors';

/**
 * Assigns every item to one of `folds` cross-validation folds so that all items of one group (patient) share a
 * fold and each stratum (class) is spread evenly over the folds: scikit-learn's `StratifiedGroupKFold` idea,
 * deterministic for a seed. Groups are stratified by their most frequent stratum (ties alphabetical), shuffled
 * with the seed, ordered largest first (stable), and each goes to the fold with the fewest items of its stratum
 * (ties: the fold with fewest items overall, then the lowest index).
 *
 * @returns the fold index (0-based) of each item, in input order
 * @throws ProbeInputError for mismatched lengths or a fold count below 2 or above the number of groups
 * @example groupedFolds(['a', 'a', 'b', 'b'], ['p1', 'p1', 'p2', 'p3'], 2, 0); // p1's two items share a fold
 */
export function groupedFolds(strata: readonly string[], groups: readonly string[], folds: number, seed: number): number[] {
  if (strata.length !== groups.length) {
    throw new ProbeInputError(`groupedFolds: ${strata.length} strata but ${groups.length} groups; give one of each per item`);
  }
  const byGroup = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = byGroup.get(g);
    if (list) list.push(i);
    else byGroup.set(g, [i]);
  });
  if (!Number.isInteger(folds) || folds < 2 || folds > byGroup.size) {
    throw new ProbeInputError(`groupedFolds: folds must be an integer in 2..${byGroup.size} (the number of groups), got ${folds}`);
  }
  const groupStratum = new Map<string, string>();
  for (const [g, idx] of byGroup) {
    const counts = new Map<string, number>();
    for (const i of idx) counts.set(strata[i], (counts.get(strata[i]) ?? 0) + 1);
    groupStratum.set(g, [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0]);
  }
  const rng = createRng(seed);
  const keys = shuffleInPlace([...byGroup.keys()].sort(), rng);
  keys.sort((a, b) => (byGroup.get(b)?.length ?? 0) - (byGroup.get(a)?.length ?? 0));
  const perStratum = new Map<string, number[]>();
  const total = new Array<number>(folds).fill(0);
  const out = new Array<number>(strata.length);
  for (const g of keys) {
    const s = groupStratum.get(g) ?? '';
    const counts = perStratum.get(s) ?? new Array<number>(folds).fill(0);
    perStratum.set(s, counts);
    let best = 0;
    for (let f = 1; f < folds; f++) {
      if (counts[f] < counts[best] || (counts[f] === counts[best] && total[f] < total[best])) best = f;
    }
    const idx = byGroup.get(g) ?? [];
    for (const i of idx) out[i] = best;
    counts[best] += idx.length;
    total[best] += idx.length;
  }
  return out;
}
