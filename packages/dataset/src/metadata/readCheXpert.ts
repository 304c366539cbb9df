import path from 'node:path';
import { DatasetError, MetadataSchemaError } from '../errors';
import { normalizeSex, parseAgeYears } from './normalizeFields';
import { readCsvRecords, requireColumns } from './readCsvRecords';
import { resolveInside } from './resolveInside';
import type { ReaderOptions, SourceRecord } from './sourceRecord';

/** The 14 observations of CheXpert's label CSV, in the order of its columns (Irvin et al., AAAI 2019). */
export const CHEXPERT_OBSERVATIONS = [
  'No Finding',
  'Enlarged Cardiomediastinum',
  'Cardiomegaly',
  'Lung Opacity',
  'Lung Lesion',
  'Edema',
  'Consolidation',
  'Pneumonia',
  'Atelectasis',
  'Pneumothorax',
  'Pleural Effusion',
  'Pleural Other',
  'Fracture',
  'Support Devices',
] as const;

/** Columns of CheXpert's `train.csv` / `valid.csv` the reader needs. */
export const CHEXPERT_REQUIRED_COLUMNS = ['Path', 'Sex', 'Age', 'Frontal/Lateral', 'AP/PA', ...CHEXPERT_OBSERVATIONS] as const;

/**
 * What an uncertain label (`-1.0`) becomes, the policies of the CheXpert paper: `positive` (U-Ones: counted as
 * present), `negative` (U-Zeros: counted as absent), `drop` (the whole record is left out: an image whose label is
 * uncertain is not used). There is no default: the choice changes the classes, so the caller says it.
 */
export type UncertainPolicy = 'positive' | 'negative' | 'drop';

/** Every {@link UncertainPolicy}. */
export const UNCERTAIN_POLICIES: readonly UncertainPolicy[] = ['positive', 'negative', 'drop'];

/** Options of {@link readCheXpert}. */
export interface CheXpertOptions extends ReaderOptions {
  /** What an uncertain (`-1`) observation becomes. */
  uncertain: UncertainPolicy;
  /** Label file; `<dir>/train.csv` by default (`valid.csv` for the validation set). */
  labelFile?: string;
}

/**
 * Streams CheXpert's label CSV (`Path,Sex,Age,Frontal/Lateral,AP/PA,` then the 14 observations, each `1.0`
 * positive, `0.0` negative, `-1.0` uncertain or blank unmentioned). `Path` is written from the folder above the
 * dataset (`CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg`): its first segment is the dataset
 * folder itself and is dropped, the rest resolved inside `dir` (unsafe paths refused). The finding is the positive
 * observations joined by `|` (after the uncertain policy); patient is the `patientNNNNN` segment; the view is `L`
 * for a lateral image, else the `AP/PA` value (`AP`, `PA`); modality `X-ray`.
 *
 * @throws {MetadataSchemaError} when a required column is missing, or a label is not 1, 0, -1 or blank
 * @example for await (const r of readCheXpert('data/CheXpert-v1.0-small', { uncertain: 'drop' })) ...
 */
export async function* readCheXpert(dir: string, options: CheXpertOptions): AsyncGenerator<SourceRecord> {
  const file = options.labelFile ?? path.join(dir, 'train.csv');
  const policy = options.uncertain;
  if (!(UNCERTAIN_POLICIES as readonly string[]).includes(policy)) {
    throw new MetadataSchemaError(`uncertain-label policy ${JSON.stringify(policy)} is not one of ${UNCERTAIN_POLICIES.join(', ')}`, file);
  }
  let columns: Record<(typeof CHEXPERT_REQUIRED_COLUMNS)[number], number> | undefined;
  for await (const { fields, line } of readCsvRecords(file)) {
    if (!columns) {
      columns = requireColumns(fields, CHEXPERT_REQUIRED_COLUMNS, file);
      continue;
    }
    const get = (i: number): string => (fields[i] ?? '').trim();
    const originalPath = get(columns.Path);
    const parts = originalPath.split(/[\\/]+/);
    // `CheXpert-v1.0-small/train/...`: the first segment names the dataset folder the CSV sits in.
    const inside = parts.length > 1 && /^chexpert/i.test(parts[0]) ? parts.slice(1).join('/') : originalPath;
    let imagePath: string;
    try {
      imagePath = resolveInside(dir, inside, file);
    } catch (error) {
      if (!options.onIssue || !(error instanceof DatasetError)) throw error;
      options.onIssue({ source: 'chexpert', file, row: line, originalPath, reason: 'unsafe-path', message: error.message });
      continue;
    }
    const positives: string[] = [];
    let uncertain = false;
    for (const name of CHEXPERT_OBSERVATIONS) {
      const raw = get(columns[name]);
      const value = raw === '' ? 0 : Number(raw);
      if (value !== 1 && value !== 0 && value !== -1) {
        throw new MetadataSchemaError(`line ${line}: ${name} is ${JSON.stringify(raw)}, expected 1.0, 0.0, -1.0 or blank`, file, { column: name });
      }
      if (value === 1 || (value === -1 && policy === 'positive')) positives.push(name);
      if (value === -1) uncertain = true;
    }
    if (uncertain && policy === 'drop') continue;
    const lateral = get(columns['Frontal/Lateral']).toLowerCase() === 'lateral';
    const finding = positives.join('|');
    yield {
      imagePath,
      finding,
      labels: positives,
      patientId: parts.find((p) => /^patient\d+$/i.test(p)) ?? inside,
      view: lateral ? 'L' : get(columns['AP/PA']),
      sex: normalizeSex(get(columns.Sex)),
      age: parseAgeYears(get(columns.Age)),
      modality: 'X-ray',
      source: 'chexpert',
      originalPath,
      row: line,
    };
  }
  if (!columns) throw new MetadataSchemaError('empty file (no header)', file);
}
