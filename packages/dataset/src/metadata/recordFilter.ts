import { matchesFinding } from './matchesFinding';
import type { SourceKind, SourceRecord } from './sourceRecord';

/** What to keep. Every field is optional; the steps run in the order of {@link RECORD_FILTER_STEPS}. */
export interface RecordFilter {
  /** Keep records of these sources only (`covid-chestxray`, `nih-cxr14`...). */
  sources?: SourceKind | readonly SourceKind[];
  /** Keep records matching any of these findings (hierarchy-aware, see `matchesFinding`); any finding when unset. */
  finding?: string | readonly string[];
  /**
   * Drop records with any label matching one of these findings (hierarchy-aware), e.g. `['COVID-19', 'No Finding',
   * 'todo']` for "every other finding". Part of the `finding` step.
   */
  excludeFinding?: string | readonly string[];
  /** Keep these modalities (`X-ray`, `CT`; compared after normalisation, case-insensitive). */
  modality?: string | readonly string[];
  /** Keep these view positions (`PA`, `AP`, `AP Supine`, `L`; case-insensitive, exact). */
  views?: string | readonly string[];
  /** Keep ages >= minAge (years). */
  minAge?: number;
  /** Keep ages <= maxAge (years). */
  maxAge?: number;
  /** Whether a record without an age passes an age range. `true` by default. */
  keepUnknownAge?: boolean;
  /** Keep this sex (or these). A record with unknown sex is dropped when this is set. */
  sex?: 'M' | 'F' | readonly ('M' | 'F')[];
  /** Keep only the first (kept, present) image of each patient. Applied by the caller after the image check. */
  onePerPatient?: boolean;
}

/** Names of the metadata filter steps, in the order they run. */
export const RECORD_FILTER_STEPS = ['source', 'finding', 'modality', 'view', 'age', 'sex'] as const;

/** One filter step and how many records it let through. */
export interface FilterStepCount {
  /** Step name (`source`, `finding`, `modality`, `view`, `age`, `sex`, `onePerPatient`). */
  step: string;
  /** Human-readable condition, e.g. `finding COVID-19`, `age >= 18 (unknown kept)`. */
  condition: string;
  /** Records kept after this step (cumulative). */
  kept: number;
}

/** A compiled {@link RecordFilter} that counts what each step keeps. */
export interface CountingFilter {
  /** Tests one record; returns `null` when kept, else the name of the step that dropped it. */
  test(record: SourceRecord): string | null;
  /** Records tested so far. */
  readonly read: number;
  /** Counts of the active steps, in order. */
  steps(): FilterStepCount[];
}

const list = <T>(v: T | readonly T[] | undefined): readonly T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? (v as readonly T[]) : [v as T];

/**
 * Compiles a filter that counts, for each active step in order, the records it keeps: the counts a build or
 * `cxr dataset stats` reports (rows read -> source -> finding -> modality -> view -> age -> sex).
 *
 * @example
 * const f = createRecordFilter({ finding: 'COVID-19', views: ['PA'], modality: 'X-ray' });
 * for await (const r of readCovidChestXray(dir)) if (f.test(r) === null) keep(r);
 * f.steps(); // [{ step: 'finding', condition: 'finding COVID-19', kept: 584 }, ...]
 */
export function createRecordFilter(filter: RecordFilter): CountingFilter {
  const sources = list(filter.sources);
  const findings = list(filter.finding);
  const excluded = list(filter.excludeFinding);
  const modalities = list(filter.modality);
  const views = list(filter.views);
  const sexes = list(filter.sex);
  const keepUnknownAge = filter.keepUnknownAge ?? true;
  const hasAge = filter.minAge !== undefined || filter.maxAge !== undefined;

  const steps: Array<{ step: string; condition: string; kept: number; test: (r: SourceRecord) => boolean }> = [];
  if (sources) {
    steps.push({ step: 'source', condition: `source ${sources.join(' or ')}`, kept: 0, test: (r) => sources.includes(r.source) });
  }
  if (findings || excluded) {
    const parts = [findings ? `finding ${findings.join(' or ')}` : 'any finding', excluded ? `not ${excluded.join(', ')}` : '']
      .filter(Boolean)
      .join(', ');
    steps.push({
      step: 'finding',
      condition: parts,
      kept: 0,
      test: (r) =>
        (!findings || findings.some((q) => matchesFinding(r.labels, q))) && !(excluded ?? []).some((q) => matchesFinding(r.labels, q)),
    });
  }
  if (modalities) {
    const lower = modalities.map((m) => m.toLowerCase());
    steps.push({
      step: 'modality',
      condition: `modality ${modalities.join(' or ')}`,
      kept: 0,
      test: (r) => lower.includes(r.modality.toLowerCase()),
    });
  }
  if (views) {
    const lower = views.map((v) => v.trim().toLowerCase());
    steps.push({
      step: 'view',
      condition: `view ${views.join(' or ')}`,
      kept: 0,
      test: (r) => lower.includes(r.view.trim().toLowerCase()),
    });
  }
  if (hasAge) {
    const parts = [filter.minAge !== undefined ? `age >= ${filter.minAge}` : '', filter.maxAge !== undefined ? `age <= ${filter.maxAge}` : '']
      .filter(Boolean)
      .join(' and ');
    steps.push({
      step: 'age',
      condition: `${parts} (unknown ${keepUnknownAge ? 'kept' : 'dropped'})`,
      kept: 0,
      test: (r) =>
        r.age === null
          ? keepUnknownAge
          : (filter.minAge === undefined || r.age >= filter.minAge) && (filter.maxAge === undefined || r.age <= filter.maxAge),
    });
  }
  if (sexes) {
    steps.push({ step: 'sex', condition: `sex ${sexes.join(' or ')}`, kept: 0, test: (r) => r.sex !== null && sexes.includes(r.sex) });
  }

  let read = 0;
  return {
    test(record) {
      read++;
      for (const s of steps) {
        if (!s.test(record)) return s.step;
        s.kept++;
      }
      return null;
    },
    get read() {
      return read;
    },
    steps: () => steps.map(({ step, condition, kept }) => ({ step, condition, kept })),
  };
}
