import { groupKey, SPLIT_NAMES, type SplitAssignment, type SplitName } from './splitByPatient';

/** Counts of one split. */
export interface SplitCounts {
  images: number;
  patients: number;
  byLabel: Record<string, number>;
  bySource: Record<string, number>;
}

/** Counts per split (and in total), per label and per source. */
export interface SplitReport {
  splits: Record<SplitName, SplitCounts>;
  total: SplitCounts;
}

function empty(): SplitCounts {
  return { images: 0, patients: 0, byLabel: {}, bySource: {} };
}

/**
 * Counts images, patients, labels and sources per split, to check a split before training
 * (records without `source` count under `'unknown'`).
 *
 * @example
 * splitReport(assigned).splits.test.byLabel; // { covid: 25, normal: 17 }
 */
export function splitReport(assignments: readonly SplitAssignment[], options: { groupBy?: string } = {}): SplitReport {
  const groupBy = options.groupBy ?? 'patientId';
  const splits = { train: empty(), val: empty(), test: empty() } as Record<SplitName, SplitCounts>;
  const total = empty();
  const patients = { train: new Set<string>(), val: new Set<string>(), test: new Set<string>() } as Record<SplitName, Set<string>>;
  const all = new Set<string>();
  for (const a of assignments) {
    const source = a.source === undefined || a.source === '' ? 'unknown' : String(a.source);
    for (const c of [splits[a.split], total]) {
      if (!c) continue;
      c.images++;
      c.byLabel[a.label] = (c.byLabel[a.label] ?? 0) + 1;
      c.bySource[source] = (c.bySource[source] ?? 0) + 1;
    }
    const k = groupKey(a, groupBy);
    patients[a.split]?.add(k);
    all.add(k);
  }
  for (const s of SPLIT_NAMES) splits[s].patients = patients[s].size;
  total.patients = all.size;
  return { splits, total };
}
