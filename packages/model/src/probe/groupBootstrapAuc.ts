import { createRng, rocAuc } from '@cxr/metrics';
import { ProbeInputError } from '../errors';

/** An AUC with its patient-level (cluster) bootstrap interval. */
export interface GroupBootstrapAuc {
  value: number;
  lower: number;
  upper: number;
  level: number;
  iterations: number;
  seed: number;
  method: 'group (patient) stratified percentile bootstrap';
}

/** Options of {@link groupBootstrapAuc}. */
export interface GroupBootstrapOptions {
  /** Resamples (default 2000). */
  iterations?: number;
  /** Seed (default 42). */
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

/**
 * ROC AUC (`rocAuc` of @cxr/metrics: Mann-Whitney, ties one half) with a percentile bootstrap interval that
 * resamples whole groups (patients), not images: images of one patient are correlated, so resampling them one by
 * one would make the interval too narrow. Groups are resampled within their majority class (stratified), so
 * every resample has both classes. `NaN` everywhere when a class is absent.
 *
 * @param positive 1 for the positive class, 0 for the negative, per item
 * @example groupBootstrapAuc([1, 0, 1, 0], [0.9, 0.2, 0.7, 0.4], ['a', 'b', 'c', 'd']).value; // 1
 */
export function groupBootstrapAuc(
  positive: readonly number[],
  scores: readonly number[],
  groups: readonly string[],
  options: GroupBootstrapOptions = {},
): GroupBootstrapAuc {
  const iterations = options.iterations ?? 2000;
  const seed = options.seed ?? 42;
  const level = options.level ?? 0.95;
  if (positive.length !== scores.length || groups.length !== scores.length) {
    throw new ProbeInputError(`groupBootstrapAuc: ${positive.length} labels, ${scores.length} scores and ${groups.length} groups; expected equal lengths`);
  }
  if (!Number.isInteger(iterations) || iterations < 1) throw new ProbeInputError(`groupBootstrapAuc: iterations must be a positive integer, got ${iterations}`);
  if (!(level > 0 && level < 1)) throw new ProbeInputError(`groupBootstrapAuc: level must be in (0, 1), got ${level}`);
  const base = { level, iterations, seed, method: 'group (patient) stratified percentile bootstrap' as const };
  const labels = positive.map((p) => (p === 1 ? 'p' : 'n'));
  const unitScores = toUnitRanks(scores);
  const value = rocAuc(labels, unitScores, 'p', { negativeLabel: 'n' });
  if (Number.isNaN(value)) return { value, lower: NaN, upper: NaN, ...base };

  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  const strata: [string[], string[]] = [[], []];
  for (const [g, idx] of [...members.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const pos = idx.filter((i) => positive[i] === 1).length;
    strata[pos * 2 >= idx.length ? 1 : 0].push(g);
  }
  const rng = createRng(seed);
  const aucs: number[] = [];
  for (let b = 0; b < iterations; b++) {
    const l: string[] = [];
    const s: number[] = [];
    for (const stratum of strata) {
      for (let k = 0; k < stratum.length; k++) {
        const g = stratum[Math.floor(rng.next() * stratum.length)];
        for (const i of members.get(g) ?? []) {
          l.push(labels[i]);
          s.push(unitScores[i]);
        }
      }
    }
    const a = rocAuc(l, s, 'p', { negativeLabel: 'n' });
    if (!Number.isNaN(a)) aucs.push(a);
  }
  aucs.sort((a, b) => a - b);
  return { value, lower: quantile(aucs, (1 - level) / 2), upper: quantile(aucs, (1 + level) / 2), ...base };
}

/**
 * Maps any finite scores (log-odds, distances) into [0, 1] keeping their order and ties exactly, since the AUC
 * depends on ranks only and `rocAuc` takes probabilities.
 * @throws ProbeInputError for a non-finite score
 */
export function toUnitRanks(scores: readonly number[]): number[] {
  scores.forEach((s, i) => {
    if (!Number.isFinite(s)) throw new ProbeInputError(`score ${i} is ${s}, not a finite number`);
  });
  const distinct = [...new Set(scores)].sort((a, b) => a - b);
  if (distinct.length === 1) return scores.map(() => 0.5);
  const rank = new Map(distinct.map((v, i) => [v, i / (distinct.length - 1)]));
  return scores.map((s) => rank.get(s) ?? NaN);
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
