import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatasetConfigError, DatasetError, MetadataSchemaError } from '../errors';
import { findingLabels } from './matchesFinding';
import { normalizeSex, parseAgeYears } from './normalizeFields';
import { readCsvRecords, requireColumns } from './readCsvRecords';
import { resolveInside } from './resolveInside';
import type { ReaderOptions, SourceRecord } from './sourceRecord';

/** Columns of NIH `Data_Entry_2017*.csv` the reader needs. */
export const NIH_CXR14_REQUIRED_COLUMNS = [
  'Image Index',
  'Finding Labels',
  'Patient ID',
  'Patient Age',
  'Patient Gender',
  'View Position',
] as const;

/** Options of {@link readNihCxr14}. */
export interface NihCxr14Options extends ReaderOptions {
  /** Metadata file; by default the newest `Data_Entry_2017*.csv(.gz)` in the folder. */
  metadataFile?: string;
}

/**
 * The NIH header writes `OriginalImage[Width,Height]` and `OriginalImagePixelSpacing[x,y]` unquoted, so a CSV
 * parser sees `OriginalImage[Width` and `Height]` as two names (one per data column, which is right by luck);
 * a re-saved copy may quote them instead, giving one name for two data columns. Both are mapped to one name per
 * data column: `OriginalImage[Width]`, `OriginalImage[Height]`, `OriginalImagePixelSpacing[x]`,
 * `OriginalImagePixelSpacing[y]`. A trailing empty name (some copies end lines with a comma) is kept as ''.
 */
export function nihHeaderColumns(header: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < header.length; i++) {
    const name = (header[i] ?? '').trim();
    const quoted = /^([^[\]]+)\[([^,\]]+),([^,\]]+)\]$/.exec(name);
    if (quoted) {
      out.push(`${quoted[1]}[${quoted[2]}]`, `${quoted[1]}[${quoted[3]}]`);
      continue;
    }
    const open = /^([^[\]]+)\[([^,\]]+)$/.exec(name);
    const close = i + 1 < header.length ? /^([^[\]]+)\]$/.exec((header[i + 1] ?? '').trim()) : null;
    if (open && close) {
      out.push(`${open[1]}[${open[2]}]`, `${open[1]}[${close[1]}]`);
      i++;
      continue;
    }
    out.push(name);
  }
  return out;
}

/** Picks the metadata file of an NIH folder: `Data_Entry_2017_v2020.csv(.gz)` before `Data_Entry_2017.csv(.gz)`. */
function findNihMetadata(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new DatasetConfigError(`Cannot read NIH ChestX-ray14 folder ${dir}: ${(error as Error).message}`, { cause: error, file: dir });
  }
  const candidates = names.filter((n) => /^Data_Entry_2017.*\.csv(\.gz)?$/i.test(n)).sort().reverse();
  const newest = candidates[0];
  if (newest === undefined) {
    throw new DatasetConfigError(`No Data_Entry_2017*.csv(.gz) in NIH ChestX-ray14 folder ${dir}`, { file: dir });
  }
  return path.join(dir, newest);
}

/**
 * Image folders of an NIH copy: `images/` (flat) and the official archive layout `images_001/images/` ...
 * `images_012/images/`.
 */
function nihImageDirs(dir: string): string[] {
  const dirs: string[] = [];
  const flat = path.join(dir, 'images');
  if (existsSync(flat)) dirs.push(flat);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    /* reported by findNihMetadata */
  }
  for (const n of names.filter((x) => /^images_\d+$/.test(x)).sort()) {
    const inner = path.join(dir, n, 'images');
    if (existsSync(inner) && statSync(inner).isDirectory()) dirs.push(inner);
  }
  return dirs.length > 0 ? dirs : [flat];
}

/**
 * Streams NIH ChestX-ray14 (`Data_Entry_2017*.csv`, gzipped or not; 112,120 rows) without holding it in memory.
 * Labels are the `|`-separated `Finding Labels` (`No Finding` for normals); modality is always `X-ray`. Images are
 * looked up in `images/` or in `images_NNN/images/` (the official archives); with several archive folders the
 * image names are indexed once (one short string per image).
 *
 * @param dir the NIH folder
 * @throws {DatasetConfigError} when no metadata file is found
 * @throws {MetadataSchemaError} when a required column is missing
 * @example for await (const r of readNihCxr14('data/nih-cxr14')) if (r.finding === 'No Finding') n++;
 */
export async function* readNihCxr14(dir: string, options: NihCxr14Options = {}): AsyncGenerator<SourceRecord> {
  const file = options.metadataFile ?? findNihMetadata(dir);
  const imageDirs = nihImageDirs(dir);
  const firstImageDir = imageDirs[0] ?? path.join(dir, 'images');
  let where: Map<string, string> | undefined;
  if (imageDirs.length > 1) {
    where = new Map();
    for (const d of imageDirs) for (const n of readdirSync(d)) if (!where.has(n)) where.set(n, d);
  }
  let columns: Record<(typeof NIH_CXR14_REQUIRED_COLUMNS)[number], number> | undefined;
  for await (const { fields, line } of readCsvRecords(file)) {
    if (!columns) {
      columns = requireColumns(nihHeaderColumns(fields), NIH_CXR14_REQUIRED_COLUMNS, file);
      continue;
    }
    const get = (i: number): string => (fields[i] ?? '').trim();
    const name = get(columns['Image Index']);
    let imagePath: string;
    try {
      imagePath = resolveInside(where?.get(name) ?? firstImageDir, name, file);
    } catch (error) {
      if (!options.onIssue || !(error instanceof DatasetError)) throw error;
      options.onIssue({ source: 'nih-cxr14', file, row: line, originalPath: name, reason: 'unsafe-path', message: error.message });
      continue;
    }
    const finding = get(columns['Finding Labels']);
    yield {
      imagePath,
      finding,
      labels: findingLabels(finding),
      patientId: get(columns['Patient ID']),
      view: get(columns['View Position']),
      sex: normalizeSex(get(columns['Patient Gender'])),
      age: parseAgeYears(get(columns['Patient Age'])),
      modality: 'X-ray',
      source: 'nih-cxr14',
      originalPath: name,
      row: line,
    };
  }
  if (!columns) throw new MetadataSchemaError('empty file (no header)', file);
}
