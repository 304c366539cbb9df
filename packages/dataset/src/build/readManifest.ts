import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from '../csv/parseCsv';
import { CsvFormatError, DatasetConfigError, MetadataSchemaError } from '../errors';
import { resolveInside } from '../metadata/resolveInside';
import { MANIFEST_COLUMNS, MANIFEST_COLUMNS_WITHOUT_FINDING, type ManifestRecord } from './manifestRecord';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Parses the text of a `manifest.csv` with csv-parse (so it is in the Node entry: csv-parse needs Node's `Buffer`).
 * The one manifest reader of the workspace, strict: the header must be exactly {@link MANIFEST_COLUMNS}, or the
 * 9 columns of manifests built before the `finding` column (`path,...,originalPath,sha256`; read with finding `''`,
 * so datasets built before keep working; `--group-by finding` then has one group, `unknown`). Each row is checked:
 * as many fields as the header, a relative `/`-separated path that does not climb out (`..`), a label, sex
 * `M`/`F`/empty, a numeric or empty age, a 64-hex-digit sha256.
 *
 * @param text the file's content
 * @param fileName named in errors
 * @throws {MetadataSchemaError} naming the file, line and column of the first problem
 * @example const records = parseManifest(await readFile('out/manifest.csv', 'utf8'), 'out/manifest.csv');
 */
export function parseManifest(text: string, fileName = 'manifest.csv'): ManifestRecord[] {
  const out: ManifestRecord[] = [];
  let header = true;
  let columns: readonly string[] = MANIFEST_COLUMNS;
  let rows: string[][];
  try {
    rows = parseCsv(text, fileName);
  } catch (error) {
    if (error instanceof CsvFormatError) throw new MetadataSchemaError(error.message, fileName, { cause: error });
    throw error;
  }
  let next = 1; // the line the next record starts on: one line, plus one per newline inside its quoted fields
  for (const fields of rows) {
    const line = next;
    next += 1 + fields.reduce((n, f) => n + f.split('\n').length - 1, 0);
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (header) {
      header = false;
      if (fields.join(',') === MANIFEST_COLUMNS_WITHOUT_FINDING.join(',')) columns = MANIFEST_COLUMNS_WITHOUT_FINDING;
      else if (fields.join(',') !== MANIFEST_COLUMNS.join(',')) {
        const missing = MANIFEST_COLUMNS.find((c, k) => fields[k] !== c);
        throw new MetadataSchemaError(`header must be "${MANIFEST_COLUMNS.join(',')}" (or, built before the finding column, "${MANIFEST_COLUMNS_WITHOUT_FINDING.join(',')}"), got "${fields.join(',')}"`, fileName, {
          column: missing,
        });
      }
      continue;
    }
    const bad = (column: string, problem: string): MetadataSchemaError =>
      new MetadataSchemaError(`line ${line}, column ${column}: ${problem}`, fileName, { column });
    if (fields.length !== columns.length) throw bad('*', `expected ${columns.length} fields, got ${fields.length}`);
    const [p, label, source, patientId, view, sex, age, originalPath, sha256, finding = ''] = fields as [string, string, string, string, string, string, string, string, string, string?];
    if (p === '' || p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.includes('\\') || p.split('/').includes('..')) {
      throw bad('path', `unsafe or empty path "${p}"`);
    }
    if (label === '') throw bad('label', 'empty label');
    if (sex !== '' && sex !== 'M' && sex !== 'F') throw bad('sex', `"${sex}" is not M, F or empty`);
    const ageValue = age === '' ? null : Number(age);
    if (ageValue !== null && !(Number.isFinite(ageValue) && ageValue >= 0)) throw bad('age', `"${age}" is not a number of years`);
    if (!SHA256.test(sha256)) throw bad('sha256', `"${sha256}" is not a SHA-256 hex digest`);
    out.push({ path: p, label, source, patientId, view, sex: sex === '' ? null : sex, age: ageValue, originalPath, sha256, finding });
  }
  if (header) throw new MetadataSchemaError('empty manifest (no header)', fileName);
  return out;
}

/**
 * Reads and validates a `manifest.csv` written by `buildDataset` (see `parseManifest` for the checks).
 *
 * @throws {DatasetConfigError} when the file cannot be read
 * @throws {MetadataSchemaError} when its content is not a valid manifest
 * @example
 * const records = await readManifest('out/manifest.csv');
 * const covid = records.filter((r) => r.label === 'covid').length;
 */
export async function readManifest(manifestFile: string): Promise<ManifestRecord[]> {
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch (error) {
    throw new DatasetConfigError(`Cannot read manifest ${manifestFile}: ${(error as Error).message}`, { cause: error, file: manifestFile });
  }
  return parseManifest(text, manifestFile);
}

/**
 * The absolute path of a manifest record's image (its `path` resolved against the manifest's folder, refused if
 * it would leave that folder).
 *
 * @throws {UnsafePathError} for a path that is absolute or climbs out
 */
export function resolveManifestPath(manifestFile: string, record: Pick<ManifestRecord, 'path'>): string {
  return resolveInside(path.dirname(path.resolve(manifestFile)), record.path, manifestFile);
}
