import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BUILD_FILES, type BuildSummary } from '../build/buildDataset';
import { recipeClasses, type RecipeClasses } from '../build/defaultRecipe';
import { readManifest, resolveManifestPath } from '../build/readManifest';
import { DatasetFolderError } from '../errors';

/** One image of a dataset, with the facts splitting and per-source metrics use. */
export interface DatasetImage {
  /** Absolute path of the image file. */
  file: string;
  /** Path relative to the dataset folder, `/`-separated (the key of `split.csv`). */
  path: string;
  label: string;
  patientId?: string;
  source?: string;
  /** View position (`PA`, `AP`...), from a build's manifest; empty when unknown. */
  view?: string;
  /** Patient sex from a build's manifest (`M`, `F`), or null when unknown. */
  sex?: 'M' | 'F' | null;
  /** The finding as the source's metadata writes it (`Pneumonia/Viral/COVID-19`, `No Finding`), from a build's manifest; empty when unknown. */
  finding?: string;
}

/** A dataset folder: a build (`manifest.csv`, optional `split.csv`) or plain class folders (one per class of the default recipe: `covid/`, `normal/`). */
export interface LoadedDataset {
  kind: 'manifest' | 'class-folders';
  /** Absolute dataset folder. */
  root: string;
  /** `manifest.csv`, for a build. */
  manifestFile?: string;
  /** The classes, in output order: the build's recipe (`summary.json`), else the default recipe. */
  classes: string[];
  /** The positive class (decision by threshold), or `null`: the recipe decides by the most probable class. */
  positiveClass: string | null;
  images: DatasetImage[];
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.dcm']);

/**
 * Loads a dataset folder: a built dataset (its `manifest.csv`: paths, labels, sources, patients), or any folder with
 * one sub-folder per class (`covid/`, `normal/`; PNG, JPEG or DICOM files; each image its own patient). A folder
 * holding only one of the classes is accepted (evaluation reports what can be measured).
 *
 * @throws DatasetFolderError naming the folder when it is missing or holds neither a manifest nor class folders.
 * @example
 * const ds = await loadDataset('data/cxr'); ds.images.filter((i) => i.label === 'covid').length;
 */
export async function loadDataset(dir: string): Promise<LoadedDataset> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info) throw new DatasetFolderError(`${root}: no such dataset folder`);
  if (!info.isDirectory()) throw new DatasetFolderError(`${root}: not a folder (give a built dataset with manifest.csv, or a folder with one sub-folder per class)`);
  const manifestFile = path.join(root, 'manifest.csv');
  if (await stat(manifestFile).then((s) => s.isFile(), () => false)) {
    const records = await readManifest(manifestFile);
    const images = records.map((r) => ({
      file: resolveManifestPath(manifestFile, r),
      path: r.path,
      label: r.label,
      patientId: r.patientId,
      source: r.source,
      view: r.view,
      sex: r.sex,
      finding: r.finding,
    }));
    if (images.length === 0) throw new DatasetFolderError(`${manifestFile}: the manifest lists no images`);
    return { kind: 'manifest', root, manifestFile, ...(await readBuildClasses(root)), images };
  }
  const { classes, positiveClass } = recipeClasses();
  const images: DatasetImage[] = [];
  for (const label of classes) {
    const classDir = path.join(root, label);
    const entries = await readdir(classDir, { withFileTypes: true }).catch(() => null);
    if (!entries) continue;
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!e.isFile() || !IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) continue;
      images.push({ file: path.join(classDir, e.name), path: `${label}/${e.name}`, label });
    }
  }
  if (images.length === 0) {
    throw new DatasetFolderError(`${root}: no manifest.csv and no images in ${classes.map((c) => `${c}/`).join(' or ')} sub-folders (PNG, JPEG or DICOM)`);
  }
  return { kind: 'class-folders', root, classes, positiveClass, images };
}

/**
 * The classes of a build folder and its positive class: from the recipe its `summary.json` records, else the default
 * recipe's (`recipeClasses`).
 *
 * @example const { classes, positiveClass } = await readBuildClasses('data/cxr');
 */
export async function readBuildClasses(root: string): Promise<RecipeClasses> {
  const summary = await readFile(path.join(root, BUILD_FILES.summary), 'utf8').then(
    (text) => JSON.parse(text) as Partial<BuildSummary>,
    () => null,
  );
  // Builds since recipes became data record their classes and decision rule; older ones only their class rules.
  if (Array.isArray(summary?.classes) && summary.classes.length > 0 && summary.positiveClass !== undefined) {
    return { classes: [...summary.classes], positiveClass: summary.positiveClass };
  }
  return recipeClasses(Array.isArray(summary?.recipe) && summary.recipe.length > 0 ? summary.recipe : undefined);
}
