import { formatCsvField } from '../csv/formatCsvField';
import type { SplitAssignment } from './splitByPatient';

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
