import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { parseCsvRecords } from '../csv/parseCsv';
import { CsvFormatError } from '../errors';
import { SPLIT_NAMES, type SplitAssignment, type SplitName } from './splitByPatient';
import { formatSplitCsv, SPLIT_CSV_COLUMNS } from './splitCsv';
import { validateSplit } from './validateSplit';

/**
 * Parses `split.csv` text (with csv-parse), checking the columns and that every split is train, val or test.
 *
 * @throws {CsvFormatError} naming the file and the row of the first problem
 */
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

/**
 * Writes `split.csv` (columns `path,patientId,label,source,split`) atomically, usually beside
 * `manifest.csv`. The split is validated first: a patient in two splits throws `PatientLeakError`
 * and nothing is written.
 */
export async function writeSplitFile(file: string, assignments: readonly SplitAssignment[]): Promise<void> {
  validateSplit(assignments);
  await writeFileAtomic(file, formatSplitCsv(assignments)); // temporary file, fsync, rename
}

/**
 * Reads and checks a `split.csv` written by {@link writeSplitFile} (or edited by hand): columns,
 * split names, and (unless `validate: false`) that no patient is in two splits (`PatientLeakError`).
 */
export async function readSplitFile(file: string, options: { validate?: boolean } = {}): Promise<SplitAssignment[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new CsvFormatError(file, null, `cannot read split file (${(cause as Error).message})`, { cause });
  }
  const assignments = parseSplitCsv(text, file);
  if (options.validate ?? true) validateSplit(assignments, { source: file });
  return assignments;
}
