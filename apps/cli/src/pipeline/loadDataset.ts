import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readManifest, resolveManifestPath } from '@cxr/dataset/node';
import { InputError } from '../errors';

/** The classes every cxr model predicts, in output order; `covid` is the positive class. */
export const CLASSES = ['covid', 'normal'] as const;
/** The positive class. */
export const POSITIVE_CLASS = 'covid';

/** One image of a dataset, with the facts splitting and per-source metrics use. */
export interface DatasetImage {
  /** Absolute path of the image file. */
  file: string;
  /** Path relative to the dataset folder, `/`-separated (the key of `split.csv`). */
  path: string;
  label: string;
  patientId?: string;
  source?: string;
}

/** A dataset folder: a build (`manifest.csv`, optional `split.csv`) or plain class folders (`covid/`, `normal/`). */
export interface LoadedDataset {
  kind: 'manifest' | 'class-folders';
  /** Absolute dataset folder. */
  root: string;
  /** `manifest.csv`, for a build. */
  manifestFile?: string;
  images: DatasetImage[];
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.dcm']);

/**
 * Loads a dataset folder: a built dataset (its `manifest.csv`: paths, labels, sources, patients), or any folder with
 * one sub-folder per class (`covid/`, `normal/`; PNG, JPEG or DICOM files; each image its own patient). A folder
 * holding only one of the classes is accepted (evaluation reports what can be measured).
 *
 * @throws InputError naming the folder when it is missing or holds neither a manifest nor class folders.
 * @example
 * const ds = await loadDataset('data/cxr'); ds.images.filter((i) => i.label === 'covid').length;
 */
export async function loadDataset(dir: string): Promise<LoadedDataset> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info) throw new InputError(`${root}: no such dataset folder`);
  if (!info.isDirectory()) throw new InputError(`${root}: not a folder (give a built dataset with manifest.csv, or a folder with covid/ and normal/ sub-folders)`);
  const manifestFile = path.join(root, 'manifest.csv');
  if (await stat(manifestFile).then((s) => s.isFile(), () => false)) {
    const records = await readManifest(manifestFile);
    const images = records.map((r) => ({
      file: resolveManifestPath(manifestFile, r),
      path: r.path,
      label: r.label,
      patientId: r.patientId,
      source: r.source,
    }));
    if (images.length === 0) throw new InputError(`${manifestFile}: the manifest lists no images`);
    return { kind: 'manifest', root, manifestFile, images };
  }
  const images: DatasetImage[] = [];
  for (const label of CLASSES) {
    const classDir = path.join(root, label);
    const entries = await readdir(classDir, { withFileTypes: true }).catch(() => null);
    if (!entries) continue;
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!e.isFile() || !IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) continue;
      images.push({ file: path.join(classDir, e.name), path: `${label}/${e.name}`, label });
    }
  }
  if (images.length === 0) {
    throw new InputError(`${root}: no manifest.csv and no images in covid/ or normal/ sub-folders (PNG, JPEG or DICOM)`);
  }
  return { kind: 'class-folders', root, images };
}
