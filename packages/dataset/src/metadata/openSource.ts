import { DatasetConfigError } from '../errors';
import { readClassFolders } from './readClassFolders';
import { readCovidChestXray } from './readCovidChestXray';
import { readNihCxr14 } from './readNihCxr14';
import { readRsnaPneumonia, type RsnaPneumoniaOptions } from './readRsnaPneumonia';
import type { ReaderOptions, SourceKind, SourceRecord } from './sourceRecord';

/** A source to read: its kind and folder. */
export interface SourceSpec {
  kind: SourceKind;
  dir: string;
}

/** Aliases accepted on the command line (`nih=...`, `rsna=...`). */
const ALIASES: Record<string, SourceKind> = {
  'covid-chestxray': 'covid-chestxray',
  covid: 'covid-chestxray',
  'nih-cxr14': 'nih-cxr14',
  nih: 'nih-cxr14',
  'rsna-pneumonia': 'rsna-pneumonia',
  rsna: 'rsna-pneumonia',
  folder: 'folder',
};

/**
 * Parses `kind=dir` (kinds: `covid-chestxray`, `nih`/`nih-cxr14`, `rsna`/`rsna-pneumonia`, `folder`).
 *
 * @throws {DatasetConfigError} for an unknown kind or a missing `=`
 * @example parseSourceSpec('nih=../shared/data/nih-cxr14') // { kind: 'nih-cxr14', dir: '../shared/data/nih-cxr14' }
 */
export function parseSourceSpec(spec: string): SourceSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) {
    throw new DatasetConfigError(`Bad source "${spec}": expected <kind>=<dir>, kind one of ${Object.keys(ALIASES).join(', ')}`);
  }
  const name = spec.slice(0, eq).trim().toLowerCase();
  const kind = ALIASES[name];
  if (!kind) throw new DatasetConfigError(`Unknown source kind "${name}" in "${spec}": use one of ${Object.keys(ALIASES).join(', ')}`);
  return { kind, dir: spec.slice(eq + 1) };
}

/** Options of {@link openSource}: the reader options, and what RSNA needs to read DICOM headers. */
export interface OpenSourceOptions extends ReaderOptions {
  readHeader?: RsnaPneumoniaOptions['readHeader'];
}

/**
 * Streams the records of any source kind with the matching reader.
 *
 * @example for await (const r of openSource({ kind: 'nih-cxr14', dir })) ...
 */
export function openSource(spec: SourceSpec, options: OpenSourceOptions = {}): AsyncGenerator<SourceRecord> {
  switch (spec.kind) {
    case 'covid-chestxray':
      return readCovidChestXray(spec.dir, options);
    case 'nih-cxr14':
      return readNihCxr14(spec.dir, options);
    case 'rsna-pneumonia':
      return readRsnaPneumonia(spec.dir, options);
    case 'folder':
      return readClassFolders(spec.dir, options);
  }
}
