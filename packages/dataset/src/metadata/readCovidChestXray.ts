import path from 'node:path';
import { DatasetError, MetadataSchemaError } from '../errors';
import { findingLabels } from './matchesFinding';
import { normalizeModality, normalizeSex, parseAgeYears } from './normalizeFields';
import { readCsvRecords, requireColumns } from './readCsvRecords';
import { resolveInside } from './resolveInside';
import type { ReaderOptions, SourceRecord } from './sourceRecord';

/** Columns of the covid-chestxray `metadata.csv` the reader needs; any missing one is a `MetadataSchemaError`. */
export const COVID_CHESTXRAY_REQUIRED_COLUMNS = [
  'patientid',
  'sex',
  'age',
  'finding',
  'view',
  'modality',
  'folder',
  'filename',
] as const;

/** Options of {@link readCovidChestXray}. */
export interface CovidChestXrayOptions extends ReaderOptions {
  /** Metadata file; `<dir>/metadata.csv` by default. */
  metadataFile?: string;
}

/**
 * Streams the records of the ieee8023/covid-chestxray-dataset (`metadata.csv`, 29-30 columns, quoted multi-line
 * clinical notes). Images are `<dir>/<folder>/<filename>`; a folder or file name that is absolute or climbs out
 * (`../`) is refused (see {@link ReaderOptions.onIssue}). Findings keep their original text (`COVID-19`,
 * `COVID-19, ARDS` or `Pneumonia/Viral/COVID-19`); use `matchesFinding` to match them.
 *
 * @param dir the dataset folder (holding `metadata.csv` and `images/`)
 * @throws {MetadataSchemaError} when the header lacks a required column or the file cannot be read
 * @example for await (const r of readCovidChestXray('data/covid-chestxray')) console.log(r.patientId, r.finding);
 */
export async function* readCovidChestXray(dir: string, options: CovidChestXrayOptions = {}): AsyncGenerator<SourceRecord> {
  const file = options.metadataFile ?? path.join(dir, 'metadata.csv');
  let columns: Record<(typeof COVID_CHESTXRAY_REQUIRED_COLUMNS)[number], number> | undefined;
  for await (const { fields, line } of readCsvRecords(file)) {
    if (!columns) {
      columns = requireColumns(fields, COVID_CHESTXRAY_REQUIRED_COLUMNS, file);
      continue;
    }
    const get = (i: number): string => (fields[i] ?? '').trim();
    const folder = get(columns.folder);
    const filename = get(columns.filename);
    const originalPath = folder === '' ? filename : `${folder}/${filename}`;
    let imagePath: string;
    try {
      // Both parts are checked on their own: a safe-looking join could hide `folder=..`.
      if (folder !== '') resolveInside(dir, folder, file);
      imagePath = resolveInside(folder === '' ? dir : path.join(dir, folder), filename, file);
    } catch (error) {
      if (!options.onIssue || !(error instanceof DatasetError)) throw error;
      options.onIssue({ source: 'covid-chestxray', file, row: line, originalPath, reason: 'unsafe-path', message: error.message });
      continue;
    }
    const finding = get(columns.finding);
    yield {
      imagePath,
      finding,
      labels: findingLabels(finding),
      patientId: get(columns.patientid),
      view: get(columns.view),
      sex: normalizeSex(get(columns.sex)),
      age: parseAgeYears(get(columns.age)),
      modality: normalizeModality(get(columns.modality)),
      source: 'covid-chestxray',
      originalPath,
      row: line,
    };
  }
  if (!columns) throw new MetadataSchemaError('empty file (no header)', file);
}
