import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `data` to `file` atomically: into a unique temporary sibling (`<file>.<pid>.<random>.tmp`), then renamed
 * over `file`, so a reader sees the old file or the whole new one, never a partial write; concurrent writers of
 * one file each rename a complete file (the last one wins). The temporary file is removed when anything fails.
 * Creates the parent folder.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
