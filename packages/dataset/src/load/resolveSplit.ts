import { stat } from 'node:fs/promises';
import path from 'node:path';
import { SplitFileError } from '../errors';
import { readSplitFile, writeSplitFile } from '../split/splitFile';
import { splitByPatient, type SplitAssignment, type SplitName } from '../split/splitByPatient';
import { validateSplit } from '../split/validateSplit';
import type { DatasetImage, LoadedDataset } from './loadDataset';

/** Default patient-level split fractions (train / validation / test). */
export const DEFAULT_SPLIT_FRACTIONS = { train: 0.7, val: 0.15, test: 0.15 } as const;

/** The dataset's images by split, and where the split came from. */
export interface DatasetSplit {
  /** `split.csv` read or written. */
  file: string;
  /** True when it was made now (with `splitByPatient`) and written beside the manifest. */
  created: boolean;
  train: DatasetImage[];
  val: DatasetImage[];
  test: DatasetImage[];
}

/** Options of {@link resolveSplit}. */
export interface ResolveSplitOptions {
  /** An explicit `split.csv`; default `<dataset>/split.csv`. */
  splitFile?: string;
  /** Seed of a split made now. */
  seed?: number;
  /** Make (and write) a patient-level split when there is none; default true. */
  create?: boolean;
}

/**
 * The dataset's train / val / test images: from `--split <file>` or `<dataset>/split.csv`, else a new patient-level
 * split (`splitByPatient`, stratified by label, seeded) written to `<dataset>/split.csv`. A split that puts one
 * patient on two sides is refused (`PatientLeakError` from `validateSplit`), and so is one naming images the
 * dataset lacks.
 *
 * @example
 * const { train, val, test } = await resolveSplit(await loadDataset('data/cxr'), { seed: 42 });
 */
export async function resolveSplit(dataset: LoadedDataset, options: ResolveSplitOptions = {}): Promise<DatasetSplit> {
  const file = path.resolve(options.splitFile ?? path.join(dataset.root, 'split.csv'));
  const exists = await stat(file).then((s) => s.isFile(), () => false);
  let assignments: SplitAssignment[];
  let created = false;
  if (exists) {
    assignments = await readSplitFile(file);
    validateSplit(assignments);
  } else if (options.splitFile) {
    throw new SplitFileError(`${file}: no such split file`);
  } else if (options.create === false) {
    throw new SplitFileError(`${file}: no split file (cxr train writes one; or give --split-file, or --split all)`);
  } else {
    assignments = splitByPatient(
      dataset.images.map((i) => ({ path: i.path, label: i.label, patientId: i.patientId ?? '', source: i.source ?? '' })),
      { fractions: { ...DEFAULT_SPLIT_FRACTIONS }, seed: options.seed ?? 42 },
    );
    await writeSplitFile(file, assignments);
    created = true;
  }
  const byPath = new Map(dataset.images.map((i) => [i.path, i]));
  const out: Record<SplitName, DatasetImage[]> = { train: [], val: [], test: [] };
  for (const a of assignments) {
    const image = byPath.get(a.path);
    if (!image) throw new SplitFileError(`${file}: ${a.path} is not an image of the dataset ${dataset.root}`);
    if (image.label !== a.label) throw new SplitFileError(`${file}: ${a.path} is labelled ${a.label} but ${image.label} in the dataset`);
    out[a.split].push(image);
  }
  return { file, created, ...out };
}
