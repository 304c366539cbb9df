import { MetadataSchemaError } from '../errors';

/** The columns of `manifest.csv`, exactly and in this order. */
export const MANIFEST_COLUMNS = ['path', 'label', 'source', 'patientId', 'view', 'sex', 'age', 'originalPath', 'sha256'] as const;

/** One image of a built dataset: a row of `manifest.csv`. */
export interface ManifestRecord {
  /** PNG path relative to the manifest's folder, `/`-separated: `covid/covid-chestxray_2_a.png`. */
  path: string;
  /** Class label (`covid`, `normal`); explicit, never implied by folder order. */
  label: string;
  /** Source kind the image came from (`covid-chestxray`, `nih-cxr14`, `rsna-pneumonia`, `folder`). */
  source: string;
  patientId: string;
  /** View position, empty when unknown. */
  view: string;
  sex: 'M' | 'F' | null;
  /** Age in years, `null` when unknown. */
  age: number | null;
  /** The image's path as the source metadata writes it. */
  originalPath: string;
  /** SHA-256 (lowercase hex) of the PNG file written. */
  sha256: string;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Formats one manifest row (no newline), CSV-quoted where needed (RFC 4180). */
export function formatManifestRow(r: ManifestRecord): string {
  return [r.path, r.label, r.source, r.patientId, r.view, r.sex ?? '', r.age === null ? '' : String(r.age), r.originalPath, r.sha256]
    .map(quote)
    .join(',');
}

/**
 * Formats a whole `manifest.csv`: the header line, then one line per record, each ended by `\n`.
 *
 * @example formatManifest([]) // 'path,label,source,patientId,view,sex,age,originalPath,sha256\n'
 */
export function formatManifest(records: Iterable<ManifestRecord>): string {
  let out = MANIFEST_COLUMNS.join(',') + '\n';
  for (const r of records) out += formatManifestRow(r) + '\n';
  return out;
}

/** Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, quotes and newlines). */
function* csvRows(text: string, fileName: string): Generator<{ fields: string[]; line: number }> {
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new MetadataSchemaError(`unterminated quoted field starting on line ${start}`, fileName);
          const c = text.charAt(i);
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new MetadataSchemaError(`text after a closing quote on line ${line}`, fileName);
        }
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    if (!(fields.length === 1 && fields[0] === '')) yield { fields, line: start };
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Parses the text of a `manifest.csv` (browser-safe). The header must be exactly {@link MANIFEST_COLUMNS}; each
 * row is checked: 9 fields, a relative `/`-separated path that does not climb out (`..`), a label, sex `M`/`F`/empty,
 * a numeric or empty age, a 64-hex-digit sha256.
 *
 * @param text the file's content
 * @param fileName named in errors
 * @throws {MetadataSchemaError} naming the file, line and column of the first problem
 * @example const records = parseManifest(await (await fetch('manifest.csv')).text(), 'manifest.csv');
 */
export function parseManifest(text: string, fileName = 'manifest.csv'): ManifestRecord[] {
  const out: ManifestRecord[] = [];
  let header = true;
  for (const { fields, line } of csvRows(text, fileName)) {
    if (header) {
      header = false;
      if (fields.join(',') !== MANIFEST_COLUMNS.join(',')) {
        const missing = MANIFEST_COLUMNS.find((c, k) => fields[k] !== c);
        throw new MetadataSchemaError(`header must be "${MANIFEST_COLUMNS.join(',')}", got "${fields.join(',')}"`, fileName, {
          column: missing,
        });
      }
      continue;
    }
    const bad = (column: string, problem: string): MetadataSchemaError =>
      new MetadataSchemaError(`line ${line}, column ${column}: ${problem}`, fileName, { column });
    if (fields.length !== MANIFEST_COLUMNS.length) throw bad('*', `expected ${MANIFEST_COLUMNS.length} fields, got ${fields.length}`);
    const [p, label, source, patientId, view, sex, age, originalPath, sha256] = fields as [string, string, string, string, string, string, string, string, string];
    if (p === '' || p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.includes('\\') || p.split('/').includes('..')) {
      throw bad('path', `unsafe or empty path "${p}"`);
    }
    if (label === '') throw bad('label', 'empty label');
    if (sex !== '' && sex !== 'M' && sex !== 'F') throw bad('sex', `"${sex}" is not M, F or empty`);
    const ageValue = age === '' ? null : Number(age);
    if (ageValue !== null && !(Number.isFinite(ageValue) && ageValue >= 0)) throw bad('age', `"${age}" is not a number of years`);
    if (!SHA256.test(sha256)) throw bad('sha256', `"${sha256}" is not a SHA-256 hex digest`);
    out.push({ path: p, label, source, patientId, view, sex: sex === '' ? null : sex, age: ageValue, originalPath, sha256 });
  }
  if (header) throw new MetadataSchemaError('empty manifest (no header)', fileName);
  return out;
}
