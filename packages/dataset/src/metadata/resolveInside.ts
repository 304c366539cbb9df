import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { UnsafePathError } from '../errors';

/**
 * Resolves a path taken from metadata, a manifest or a split file inside `root`, refusing anything that could reach
 * outside it: an empty path, an absolute path (POSIX `/x`, Windows `C:\x` or `\\server\x`), any `..` segment (with
 * `/` or `\` as separator), or a NUL byte. Refusal is lexical, before any file is touched, so a refused path is never
 * read or written. The one path check of the workspace (`@cxr/preprocess`'s `batches` uses it too).
 *
 * @param root folder the path must stay in
 * @param relativePath the path as the metadata writes it
 * @param metadataFile the metadata file, named in the error
 * @throws {UnsafePathError} when the path is refused (its message names the file and `root`)
 * @example resolveInside('/data/covid', 'images/a.png', 'metadata.csv') // '/data/covid/images/a.png'
 */
export function resolveInside(root: string, relativePath: string, metadataFile?: string): string {
  const base = path.resolve(root);
  const refuse = (reason: string): never => {
    throw new UnsafePathError(relativePath, metadataFile, reason, { baseDir: base });
  };
  if (relativePath.trim() === '') refuse('empty path');
  if (relativePath.includes('\0')) refuse('NUL byte in path');
  if (path.posix.isAbsolute(relativePath) || path.win32.isAbsolute(relativePath) || /^[a-zA-Z]:/.test(relativePath)) {
    refuse('absolute path');
  }
  const parts = relativePath.split(/[\\/]+/);
  if (parts.some((p) => p === '..')) refuse('climbs out of its folder (..)');
  const resolved = path.resolve(base, ...parts.filter((p) => p !== '' && p !== '.'));
  // Belt and braces: the lexical checks above already guarantee this.
  if (resolved !== base && !resolved.startsWith(base + path.sep)) refuse('resolves outside its folder');
  return resolved;
}

/**
 * Where a file found by {@link resolveInside} really is, refusing it when a symbolic link (the file itself or a folder
 * on its way) leads out of `root`: the real path of the file must lie inside the real path of `root`. The caller then
 * reads the returned real path, so a link swapped after the check is not followed either.
 *
 * @param root folder the file must stay in
 * @param file the path to check (usually from `resolveInside`)
 * @param metadataFile named in the error
 * @returns the file's real path, or `undefined` when it does not exist
 * @throws {UnsafePathError} when the real path is outside `root`
 * @example await realPathInside('/data/covid', '/data/covid/images/a.png', 'metadata.csv')
 */
export async function realPathInside(root: string, file: string, metadataFile?: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return undefined;
  }
  const base = await realpath(root);
  if (real !== base && !real.startsWith(base.endsWith(path.sep) ? base : base + path.sep)) {
    throw new UnsafePathError(path.relative(root, file) || file, metadataFile, `a symbolic link leads out of its folder (to ${real})`);
  }
  return real;
}
