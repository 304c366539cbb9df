import { opendir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetConfigError } from '../errors';
import type { ReaderOptions, SourceRecord } from './sourceRecord';

/** Image extensions a class folder may hold (case-insensitive). */
export const CLASS_FOLDER_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.dcm', '.tif', '.tiff', '.bmp', '.webp'] as const;

/**
 * Folder names understood as the two classes of the recipe: `covid/` holds findings `COVID-19`, `normal/` holds
 * `No Finding`. Any other folder keeps its own name as finding.
 */
const FOLDER_FINDINGS: Record<string, string> = {
  covid: 'COVID-19',
  'covid-19': 'COVID-19',
  covid19: 'COVID-19',
  normal: 'No Finding',
  'no finding': 'No Finding',
  'no-finding': 'No Finding',
  no_finding: 'No Finding',
};

/**
 * Streams a plain folder per class (`<dir>/covid/*.png`, `<dir>/normal/*.png`), as the notebook lays out its data.
 * The class folder gives the finding (`covid` -> `COVID-19`, `normal` -> `No Finding`, others keep their name);
 * nothing else is known, so view, sex and age are unknown, modality is `X-ray`, and each file counts as its own
 * patient (its name without extension). Files are listed in name order, directory entries streamed; hidden files
 * are skipped, symbolic links to files followed. `row` is the 1-based position of the file in its class folder.
 *
 * @throws {DatasetConfigError} when the folder cannot be read
 */
export async function* readClassFolders(dir: string, _options: ReaderOptions = {}): AsyncGenerator<SourceRecord> {
  let classes: string[];
  try {
    classes = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    throw new DatasetConfigError(`Cannot read class folder ${dir}: ${(error as Error).message}`, { cause: error, file: dir });
  }
  const root = path.resolve(dir);
  for (const cls of classes) {
    const finding = FOLDER_FINDINGS[cls.toLowerCase()] ?? cls;
    const names: string[] = [];
    // Names only (short strings) are gathered so that the order is stable; images are never read here.
    for await (const e of await opendir(path.join(dir, cls))) {
      if (e.name.startsWith('.')) continue;
      const ext = path.extname(e.name).toLowerCase();
      if (!(CLASS_FOLDER_EXTENSIONS as readonly string[]).includes(ext)) continue;
      // A link the user placed in the folder is followed; only regular files are taken.
      const isFile = e.isFile() || (e.isSymbolicLink() && (await stat(path.join(dir, cls, e.name)).catch(() => undefined))?.isFile());
      if (isFile) names.push(e.name);
    }
    names.sort();
    let row = 0;
    for (const name of names) {
      row++;
      yield {
        imagePath: path.join(root, cls, name),
        finding,
        labels: finding === cls ? [cls] : [finding, cls],
        patientId: path.basename(name, path.extname(name)),
        view: '',
        sex: null,
        age: null,
        modality: 'X-ray',
        source: 'folder',
        originalPath: `${cls}/${name}`,
        row,
      };
    }
  }
}
