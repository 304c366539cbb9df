import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * SHA-256 (lowercase hex) of one file, streamed (constant memory): the `sha256` column of `manifest.csv`, the image
 * hash of the feature cache, the manifest and split hashes in `cxr.json`. The one file hash of the workspace.
 *
 * @example await sha256File('out/manifest.csv') // 'e3b0c442...'
 */
export async function sha256File(file: string): Promise<string> {
  return sha256Files([file]);
}

/** SHA-256 (lowercase hex) of the concatenated bytes of `files` in order, streamed (e.g. a weights fingerprint). */
export async function sha256Files(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      createReadStream(file)
        .on('data', (chunk) => hash.update(chunk))
        .on('end', resolve)
        .on('error', reject);
    });
  }
  return hash.digest('hex');
}
