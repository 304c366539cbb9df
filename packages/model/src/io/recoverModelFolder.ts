import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** What {@link recoverModelFolder} did. */
export interface ModelFolderRecovery {
  /** `new`: a complete new model was moved into place; `old`: the previous one was put back; `none`: nothing to do. */
  restored: 'new' | 'old' | 'none';
  /** Leftover folders removed (`<dir>.tmp-*`, `<dir>.old-*` of processes that are gone). */
  removed: string[];
}

/** The marker of a complete new folder: `cxr.json` is written last (atomically) by `saveModel`. */
export const MODEL_COMPLETE_FILE = 'cxr.json';

const LEFTOVER = /^\.(tmp|old)-(\d+)-[0-9a-f]+$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/**
 * Repairs what a killed `saveModel` can leave. Saving writes `<dir>.tmp-<pid>-<id>`, renames the old model to
 * `<dir>.old-<pid>-<id>`, renames the new one into place and removes the old one; a kill between the two renames leaves
 * no `<dir>`. This puts the complete new model in place (or, if it was incomplete, the old one back) and removes the
 * leftovers of processes that are no longer running (a live process may be saving right now: its folders are kept).
 * `saveModel` and `loadModel` call it, so a model folder never stays missing after a crash.
 *
 * @example await recoverModelFolder('models/demo') // { restored: 'new', removed: ['models/demo.old-4242-1a2b3c4d'] }
 */
export async function recoverModelFolder(dir: string): Promise<ModelFolderRecovery> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  const names = await readdir(parent).catch(() => [] as string[]);
  const leftovers: Array<{ file: string; kind: 'tmp' | 'old'; mtimeMs: number }> = [];
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const m = LEFTOVER.exec(name.slice(base.length));
    if (!m || isAlive(Number(m[2]))) continue;
    const file = path.join(parent, name);
    const st = await stat(file).catch(() => undefined);
    if (st) leftovers.push({ file, kind: m[1] as 'tmp' | 'old', mtimeMs: st.mtimeMs });
  }
  let restored: ModelFolderRecovery['restored'] = 'none';
  if (leftovers.length > 0 && !(await exists(target))) {
    const newest = (list: typeof leftovers) => list.sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
    const complete: typeof leftovers = [];
    for (const l of leftovers) if (l.kind === 'tmp' && (await exists(path.join(l.file, MODEL_COMPLETE_FILE)))) complete.push(l);
    const pick = newest(complete) ?? newest(leftovers.filter((l) => l.kind === 'old'));
    if (pick) {
      await rename(pick.file, target);
      restored = pick.kind === 'tmp' ? 'new' : 'old';
      leftovers.splice(leftovers.indexOf(pick), 1);
    }
  }
  for (const l of leftovers) await rm(l.file, { recursive: true, force: true });
  return { restored, removed: leftovers.map((l) => l.file) };
}
