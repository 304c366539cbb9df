import { binaryTargets, type BinaryLabelOptions, type BinaryTargets } from './binaryTargets';
import { createRng } from './createRng';
import { InvalidOptionError } from './errors';
import type { Interval } from './interval';
import { quantileSorted } from './quantile';
import { aucFromCounts, scoreGroups, type ScoreGroups } from './scoreGroups';

/** Settings of the AUC bootstrap. */
export interface BootstrapOptions {
  /** Number of resamples, 2000 by default. */
  iterations?: number;
  /** Seed of the resampling PRNG ({@link createRng}), 42 by default: the same data and seed give the same interval. */
  seed?: number;
}

/** The AUC with its bootstrap interval and how it was obtained. */
export interface BootstrapAucResult extends Interval {
  iterations: number;
  seed: number;
  level: number;
  method: 'stratified percentile bootstrap';
}

/** Default number of bootstrap resamples. */
export const DEFAULT_BOOTSTRAP_ITERATIONS = 2000;
/** Default bootstrap seed. */
export const DEFAULT_BOOTSTRAP_SEED = 42;

/**
 * ROC AUC with a seeded, stratified percentile bootstrap confidence interval. Each resample draws, with
 * replacement, as many positives from the positives and as many negatives from the negatives as the data has
 * (stratified, so every resample has both classes and the prevalence is fixed), and computes the exact
 * Mann-Whitney AUC; the interval is the `(1 - level) / 2` and `(1 + level) / 2` quantiles of the resampled AUCs
 * (linear interpolation, numpy's default). `value` is the AUC of the data itself. All `NaN` when a class is absent.
 *
 * @example bootstrapAuc(labels, scores, 'covid', { iterations: 2000, seed: 7 }); // { value, lower, upper, ... }
 */
export function bootstrapAuc(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  options: BootstrapOptions & BinaryLabelOptions & { level?: number } = {},
): BootstrapAucResult {
  checkBootstrapOptions(options);
  const t = binaryTargets(labels, scores, positiveLabel, options);
  return bootstrapAucOf(t, scoreGroups(t.y, t.scores), options);
}

/** Checks the bootstrap settings (iterations, seed, level). @internal */
export function checkBootstrapOptions(options: BootstrapOptions & { level?: number; source?: string }): void {
  const iterations = options.iterations ?? DEFAULT_BOOTSTRAP_ITERATIONS;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new InvalidOptionError('bootstrap.iterations', iterations, 'a positive integer', { source: options.source });
  }
  if (!Number.isFinite(seed)) throw new InvalidOptionError('bootstrap.seed', seed, 'a finite number', { source: options.source });
  if (!(level > 0 && level < 1)) {
    throw new InvalidOptionError('confidenceLevel', level, 'strictly between 0 and 1', { source: options.source });
  }
}

/**
 * {@link bootstrapAuc} of targets already checked and grouped, with options already checked by
 * {@link checkBootstrapOptions}.
 * @internal
 */
export function bootstrapAucOf(
  t: BinaryTargets,
  g: ScoreGroups,
  options: BootstrapOptions & { level?: number; source?: string } = {},
): BootstrapAucResult {
  const iterations = options.iterations ?? DEFAULT_BOOTSTRAP_ITERATIONS;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const level = options.level ?? 0.95;
  const base = { iterations, seed, level, method: 'stratified percentile bootstrap' as const };
  const value = aucFromCounts(g.positives, g.negatives);
  if (Number.isNaN(value)) return { value, lower: NaN, upper: NaN, ...base };

  // Resampling only changes how many samples fall in each score group, so each resample is a histogram
  // followed by an O(groups) sweep: no sorting inside the loop.
  const positiveGroups = new Uint32Array(t.positives);
  const negativeGroups = new Uint32Array(t.negatives);
  for (let i = 0, p = 0, n = 0; i < t.y.length; i++) {
    if (t.y[i] === 1) positiveGroups[p++] = g.groupOf[i];
    else negativeGroups[n++] = g.groupOf[i];
  }
  const rng = createRng(seed);
  const groups = g.scores.length;
  const pos = new Float64Array(groups);
  const neg = new Float64Array(groups);
  const aucs = new Float64Array(iterations);
  for (let b = 0; b < iterations; b++) {
    pos.fill(0);
    neg.fill(0);
    for (let k = 0; k < positiveGroups.length; k++) pos[positiveGroups[rng.int(positiveGroups.length)]]++;
    for (let k = 0; k < negativeGroups.length; k++) neg[negativeGroups[rng.int(negativeGroups.length)]]++;
    aucs[b] = aucFromCounts(pos, neg);
  }
  aucs.sort();
  return {
    value,
    lower: quantileSorted(aucs, (1 - level) / 2),
    upper: quantileSorted(aucs, (1 + level) / 2),
    ...base,
  };
}
