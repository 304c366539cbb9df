import type { SourceRecord } from './sourceRecord';

/** Age bands used in counts: `<18`, `18-39`, `40-59`, `60-79`, `80+`, `unknown`. */
export const AGE_BANDS = ['<18', '18-39', '40-59', '60-79', '80+', 'unknown'] as const;

/** The age band of an age in years. */
export function ageBand(age: number | null): (typeof AGE_BANDS)[number] {
  if (age === null) return 'unknown';
  if (age < 18) return '<18';
  if (age < 40) return '18-39';
  if (age < 60) return '40-59';
  if (age < 80) return '60-79';
  return '80+';
}

/** Counts of records by finding label, view, sex, age band and modality. */
export interface RecordCounts {
  records: number;
  /** By finding label: `COVID-19, ARDS` counts once under each label, so the sum can exceed `records`. */
  byFinding: Record<string, number>;
  /** By view position (`(none)` when blank). */
  byView: Record<string, number>;
  bySex: Record<'M' | 'F' | 'unknown', number>;
  byAgeBand: Record<(typeof AGE_BANDS)[number], number>;
  byModality: Record<string, number>;
}

/** An accumulator of {@link RecordCounts}: constant memory but for one entry per distinct value. */
export interface RecordCounter {
  add(record: SourceRecord): void;
  counts(): RecordCounts;
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

/** Sorts a count table by decreasing count, then name, for stable reports. */
function sorted<T extends Record<string, number>>(m: T): T {
  return Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) as T;
}

/**
 * Creates a counter of records by finding label, view, sex, age band and modality (what `cxr dataset stats` shows).
 *
 * @example const c = createRecordCounter(); for await (const r of source) c.add(r); c.counts().byView.PA
 */
export function createRecordCounter(): RecordCounter {
  let records = 0;
  const byFinding: Record<string, number> = {};
  const byView: Record<string, number> = {};
  const bySex = { M: 0, F: 0, unknown: 0 };
  const byAgeBand = Object.fromEntries(AGE_BANDS.map((b) => [b, 0])) as Record<(typeof AGE_BANDS)[number], number>;
  const byModality: Record<string, number> = {};
  return {
    add(r) {
      records++;
      for (const label of new Set(r.labels.length > 0 ? r.labels : ['(none)'])) bump(byFinding, label);
      bump(byView, r.view === '' ? '(none)' : r.view);
      bySex[r.sex ?? 'unknown']++;
      byAgeBand[ageBand(r.age)]++;
      bump(byModality, r.modality === '' ? '(none)' : r.modality);
    },
    counts: () => ({
      records,
      byFinding: sorted(byFinding),
      byView: sorted(byView),
      bySex: { ...bySex },
      byAgeBand: { ...byAgeBand },
      byModality: sorted(byModality),
    }),
  };
}
