import { DatasetConfigError } from '../errors';
import { readCheXpert, UNCERTAIN_POLICIES, type UncertainPolicy } from './readCheXpert';
import { readClassFolders } from './readClassFolders';
import { readCovidChestXray } from './readCovidChestXray';
import { readCovidx } from './readCovidx';
import { readNihCxr14 } from './readNihCxr14';
import { readRsnaPneumonia, type RsnaPneumoniaOptions } from './readRsnaPneumonia';
import type { ReaderOptions, SourceKind, SourceRecord } from './sourceRecord';

/** A source to read: its kind and folder. */
export interface SourceSpec {
  kind: SourceKind;
  dir: string;
  /** CheXpert only: what an uncertain (`-1`) label becomes; `drop` (the record is left out) when unset. */
  uncertain?: UncertainPolicy;
}

/** Aliases accepted on the command line (`nih=...`, `rsna=...`). */
const ALIASES: Record<string, SourceKind> = {
  'covid-chestxray': 'covid-chestxray',
  covid: 'covid-chestxray',
  'nih-cxr14': 'nih-cxr14',
  nih: 'nih-cxr14',
  'rsna-pneumonia': 'rsna-pneumonia',
  rsna: 'rsna-pneumonia',
  covidx: 'covidx',
  chexpert: 'chexpert',
  folder: 'folder',
};

/**
 * Parses `kind=dir` (kinds: `covid-chestxray`, `nih`/`nih-cxr14`, `rsna`/`rsna-pneumonia`, `covidx`, `chexpert`,
 * `folder`). CheXpert takes its uncertain-label policy after a colon: `chexpert:positive=dir` (U-Ones),
 * `chexpert:negative=dir` (U-Zeros), `chexpert:drop=dir` or `chexpert=dir` (records with an uncertain label left out).
 *
 * @throws {DatasetConfigError} for an unknown kind or a missing `=`
 * @example parseSourceSpec('nih=../shared/data/nih-cxr14') // { kind: 'nih-cxr14', dir: '../shared/data/nih-cxr14' }
 */
export function parseSourceSpec(spec: string): SourceSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) {
    throw new DatasetConfigError(`Bad source "${spec}": expected <kind>=<dir>, kind one of ${Object.keys(ALIASES).join(', ')}`);
  }
  const [name, policy, ...rest] = spec.slice(0, eq).trim().toLowerCase().split(':');
  const kind = ALIASES[name];
  if (!kind) throw new DatasetConfigError(`Unknown source kind "${name}" in "${spec}": use one of ${Object.keys(ALIASES).join(', ')}`);
  if (policy === undefined) return { kind, dir: spec.slice(eq + 1) };
  if (kind !== 'chexpert' || rest.length > 0 || !(UNCERTAIN_POLICIES as readonly string[]).includes(policy)) {
    throw new DatasetConfigError(
      `Bad source "${spec}": only chexpert takes an option after ':', the uncertain-label policy (${UNCERTAIN_POLICIES.join(', ')})`,
    );
  }
  return { kind, dir: spec.slice(eq + 1), uncertain: policy as UncertainPolicy };
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
    case 'covidx':
      return readCovidx(spec.dir, options);
    case 'chexpert':
      return readCheXpert(spec.dir, { ...options, uncertain: spec.uncertain ?? 'drop' });
    case 'folder':
      return readClassFolders(spec.dir, options);
  }
}
