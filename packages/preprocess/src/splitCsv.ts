import { CsvFormatError } from './errors';
import { formatCsvField, parseCsvRecords } from './parseCsv';
import { SPLIT_NAMES, type SplitAssignment, type SplitName } from './splitByPatient';

/** Columns of `split.csv`, in order. */
export const SPLIT_CSV_COLUMNS = Object.freeze(['path', 'patientId', 'label', 'source', 'split'] as const);

/** Formats assignments as `split.csv` text (columns `path,patientId,label,source,split`, LF line ends). */
export function formatSplitCsv(assignments: readonly SplitAssignment[]): string {
  const lines = [SPLIT_CSV_COLUMNS.join(',')];
  for (const a of assignments) {
    lines.push([a.path, a.patientId ?? '', a.label, a.source ?? '', a.split].map((v) => formatCsvField(v as string)).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Parses `split.csv` text, checking the columns and that every split is train, val or test. */
export function parseSplitCsv(text: string, file = 'split.csv'): SplitAssignment[] {
  const rows = parseCsvRecords(text, file, SPLIT_CSV_COLUMNS);
  return rows.map((r, i) => {
    if (!SPLIT_NAMES.includes(r.split as SplitName)) {
      throw new CsvFormatError(file, null, `row ${i + 2} (${r.path}): split ${JSON.stringify(r.split)} is not one of ${SPLIT_NAMES.join(', ')}`);
    }
    if (r.path === '' || r.label === '') throw new CsvFormatError(file, null, `row ${i + 2}: empty path or label`);
    return { path: r.path, patientId: r.patientId, label: r.label, source: r.source, split: r.split as SplitName };
  });
}
