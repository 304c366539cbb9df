import { access } from 'node:fs/promises';
import { createRecordCounter, type RecordCounts } from './countRecords';
import { openSource, type OpenSourceOptions, type SourceSpec } from './openSource';
import { createRecordFilter, type FilterStepCount, type RecordFilter } from './recordFilter';
import type { SourceIssue, SourceKind } from './sourceRecord';

/** Result of {@link sourceStats}. */
export interface SourceStats {
  source: SourceKind;
  dir: string;
  /** Metadata rows read, refused ones included. */
  rowsRead: number;
  /** Counts over every record read. */
  all: RecordCounts;
  /** Rows refused by the reader (unsafe paths). */
  issues: SourceIssue[];
  /** With a filter: what each step kept, and how many of the kept images exist on disk. */
  filtered?: {
    steps: FilterStepCount[];
    kept: number;
    present: number;
    missing: number;
    /** Counts over the kept records. */
    counts: RecordCounts;
  };
}

/** Options of {@link sourceStats}. */
export interface SourceStatsOptions extends Pick<OpenSourceOptions, 'readHeader'> {
  /** Counts the records kept by this filter too, and checks that their images exist. */
  filter?: RecordFilter;
  /** Called every `progressEvery` rows (default 5000) with the rows read so far. */
  onProgress?: (rowsRead: number) => void;
  progressEvery?: number;
}

/**
 * Counts a source by finding, view, sex, age band and modality without converting anything; with a filter, also
 * the rows each filter step keeps and how many of the kept images are present. Streams: memory does not grow
 * with the number of rows.
 *
 * @example (await sourceStats({ kind: 'nih-cxr14', dir }, { filter: { finding: 'No Finding', views: 'PA', minAge: 18 } })).filtered?.kept
 */
export async function sourceStats(spec: SourceSpec, options: SourceStatsOptions = {}): Promise<SourceStats> {
  const issues: SourceIssue[] = [];
  const all = createRecordCounter();
  const kept = createRecordCounter();
  const filter = options.filter ? createRecordFilter(options.filter) : undefined;
  const every = options.progressEvery ?? 5000;
  let rowsRead = 0;
  let present = 0;
  let missing = 0;
  for await (const record of openSource(spec, { readHeader: options.readHeader, onIssue: (i) => (issues.push(i), rowsRead++) })) {
    rowsRead++;
    if (options.onProgress && rowsRead % every === 0) options.onProgress(rowsRead);
    all.add(record);
    if (filter && filter.test(record) === null) {
      kept.add(record);
      try {
        await access(record.imagePath);
        present++;
      } catch {
        missing++;
      }
    }
  }
  options.onProgress?.(rowsRead);
  const keptCounts = kept.counts();
  return {
    source: spec.kind,
    dir: spec.dir,
    rowsRead,
    all: all.counts(),
    issues,
    ...(filter ? { filtered: { steps: filter.steps(), kept: keptCounts.records, present, missing, counts: keptCounts } } : {}),
  };
}
