import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Suffix marking a temporary file of {@link writeFileAtomic}; leftovers of a crash can be found by it. */
export const TEMP_MARKER = '.cxr-tmp-';

/**
 * Writes a file atomically: the data go to a temporary file in the same folder, are flushed to disk, and the
 * temporary file is renamed over the target. Readers see the old file or the new one, never a partial one; a crash
 * leaves at most a `*.cxr-tmp-*` file, never a truncated target.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
