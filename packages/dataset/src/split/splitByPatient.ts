import { createRng, shuffleInPlace } from '@cxr/metrics';
import { SplitOptionsError } from '../errors';

/** The three splits. */
export type SplitName = 'train' | 'val' | 'test';
/** Split names in file order. */
export const SPLIT_NAMES: readonly SplitName[] = Object.freeze(['train', 'val', 'test']) as readonly SplitName[];

/** An image record: the fields of the dataset's `manifest.csv` that splitting and batching use. */
export interface ImageRecord {
  /** Image path, relative to the manifest's folder (or absolute). */
  path: string;
  label: string;
  /** Patient identifier; records without one are treated as their own patient. */
  patientId?: string;
  source?: string;
  [field: string]: unknown;
}

/** A record with the split it was assigned to. */
export type SplitAssignment<R extends ImageRecord = ImageRecord> = R & { split: SplitName };

/** Options of {@link splitByPatient}. */
export interface SplitOptions {
  /** Target fractions of images per split; each in [0, 1], summing to 1. */
  fractions: { train: number; val: number; test: number };
  seed: number | string;
  /** Field to stratify by. Default `'label'`. */
  stratifyBy?: string;
  /** Field that groups records that must stay together. Default `'patientId'`. */
  groupBy?: string;
}

/** The value of `field` as a group key; missing or empty values fall back to the record's path (its own group). */
export function groupKey(record: ImageRecord, field: string): string {
  const v = record[field];
  return v === undefined || v === null || v === '' ? `path:${record.path}` : String(v);
}

/**
 * Splits records into train / val / test so that all records of one patient land in one split,
 * the label mix of each split follows the whole set, and the same seed always gives the same split.
 *
 * Algorithm: records are grouped by `groupBy`; each group is stratified by its most frequent
 * `stratifyBy` value (ties: alphabetical). Within each stratum the groups are shuffled with the
 * seed, then ordered largest first (stable), and each group goes to the split furthest below its
 * target image count (`fraction * stratum images`; ties in split order). Groups are indivisible,
 * so with few large patients the fractions are met approximately.
 *
 * @returns the records, in input order, each with `split` added.
 * @example
 * const assigned = splitByPatient(records, { fractions: { train: 0.7, val: 0.15, test: 0.15 }, seed: 42 });
 */
export function splitByPatient<R extends ImageRecord>(records: readonly R[], options: SplitOptions): SplitAssignment<R>[] {
  const { fractions, seed } = options;
  const stratifyBy = options.stratifyBy ?? 'label';
  const groupBy = options.groupBy ?? 'patientId';
  if (!fractions || typeof fractions !== 'object') throw new SplitOptionsError('splitByPatient: fractions { train, val, test } are required');
  for (const s of SPLIT_NAMES) {
    const f = fractions[s];
    if (typeof f !== 'number' || !(f >= 0 && f <= 1)) {
      throw new SplitOptionsError(`splitByPatient: fractions.${s} must be a number in [0, 1], got ${JSON.stringify(f)}`);
    }
  }
  const total = fractions.train + fractions.val + fractions.test;
  if (Math.abs(total - 1) > 1e-6) throw new SplitOptionsError(`splitByPatient: fractions sum to ${total}, not 1`);

  const groups = new Map<string, number[]>();
  records.forEach((r, i) => {
    const k = groupKey(r, groupBy);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const strata = new Map<string, string[]>();
  for (const [k, idx] of [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const counts = new Map<string, number>();
    for (const i of idx) {
      const v = String(records[i][stratifyBy] ?? '');
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const stratum = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
    const s = strata.get(stratum);
    if (s) s.push(k);
    else strata.set(stratum, [k]);
  }
  const split = new Array<SplitName>(records.length);
  const rng = createRng(seed);
  const members = (k: string): number[] => groups.get(k) ?? [];
  for (const [, stratumKeys] of [...strata.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const keys = shuffleInPlace([...stratumKeys], rng);
    keys.sort((a, b) => members(b).length - members(a).length); // stable: shuffled order among equals
    const n = keys.reduce((acc, k) => acc + members(k).length, 0);
    const have = { train: 0, val: 0, test: 0 };
    for (const k of keys) {
      let best: SplitName = 'train';
      let bestDeficit = -Infinity;
      for (const s of SPLIT_NAMES) {
        if (fractions[s] === 0) continue;
        const deficit = fractions[s] * n - have[s];
        if (deficit > bestDeficit + 1e-9) {
          best = s;
          bestDeficit = deficit;
        }
      }
      for (const i of members(k)) split[i] = best;
      have[best] += members(k).length;
    }
  }
  return records.map((r, i) => ({ ...r, split: split[i] }));
}
