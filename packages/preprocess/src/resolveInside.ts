import path from 'node:path';
import { UnsafePathError } from './errors';

/**
 * Resolves a record's relative path (from `manifest.csv` or `split.csv`) inside `baseDir`, refusing, before any
 * file is touched, a path that is empty, absolute (POSIX `/x`, Windows `C:\x`, `\\server\x`), has a `..` segment
 * (with `/` or `\` as separator) or a NUL byte. The same rule as `resolveInside` of `@cxr/dataset`, repeated here
 * because this package does not depend on that one.
 *
 * @throws {UnsafePathError} when the path is refused
 * @example resolveInside('/data/built', 'covid/a.png') // '/data/built/covid/a.png'
 */
export function resolveInside(baseDir: string, relativePath: string): string {
  const base = path.resolve(baseDir);
  const refuse = (reason: string): never => {
    throw new UnsafePathError(relativePath, base, reason);
  };
  if (relativePath.trim() === '') refuse('empty path');
  if (relativePath.includes('\0')) refuse('NUL byte');
  if (path.posix.isAbsolute(relativePath) || path.win32.isAbsolute(relativePath) || /^[a-zA-Z]:/.test(relativePath)) refuse('absolute path');
  const parts = relativePath.split(/[\\/]+/);
  if (parts.includes('..')) refuse('climbs out of its folder (..)');
  const resolved = path.resolve(base, ...parts.filter((p) => p !== '' && p !== '.'));
  if (resolved !== base && !resolved.startsWith(base + path.sep)) refuse('resolves outside its folder');
  return resolved;
}
