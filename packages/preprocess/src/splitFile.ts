import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CsvFormatError } from './errors';
import { parseManifestCsv } from './parseManifestCsv';
import { formatSplitCsv, parseSplitCsv } from './splitCsv';
import type { ImageRecord, SplitAssignment } from './splitByPatient';
import { validateSplit } from './validateSplit';

/**
 * Writes text atomically: a temporary file in the same folder (a random name, created exclusively), flushed to disk,
 * then renamed over the target. Readers see the old file or the new one, never a partial one; on failure the
 * temporary file is removed.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx');
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Writes `split.csv` (columns `path,patientId,label,source,split`) atomically, usually beside
 * `manifest.csv`. The split is validated first: a patient in two splits throws `PatientLeakError`
 * and nothing is written.
 */
export async function writeSplitFile(file: string, assignments: readonly SplitAssignment[]): Promise<void> {
  validateSplit(assignments);
  await writeFileAtomic(file, formatSplitCsv(assignments));
}

/**
 * Reads and checks a `split.csv` written by {@link writeSplitFile} (or edited by hand): columns,
 * split names, and (unless `validate: false`) that no patient is in two splits (`PatientLeakError`).
 */
export async function readSplitFile(file: string, options: { validate?: boolean } = {}): Promise<SplitAssignment[]> {
  const assignments = parseSplitCsv(await readCsvText(file, 'split file'), file);
  if (options.validate ?? true) validateSplit(assignments, { source: file });
  return assignments;
}

/** Reads the dataset's `manifest.csv` into records (paths stay relative to its folder: pass that folder as `baseDir`). */
export async function readManifest(file: string): Promise<ImageRecord[]> {
  return parseManifestCsv(await readCsvText(file, 'manifest'), file);
}

/** Reads a CSV file's text; a read failure is a {@link CsvFormatError} saying `cannot read <what>`. */
async function readCsvText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (cause) {
    throw new CsvFormatError(file, null, `cannot read ${what} (${(cause as Error).message})`, { cause });
  }
}
