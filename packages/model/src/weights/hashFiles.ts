import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** SHA-256 (hex) of one file, streamed. */
export async function sha256File(file: string): Promise<string> {
  return sha256Files([file]);
}

/** SHA-256 (hex) of the concatenated bytes of `files` in order (streamed; a weights fingerprint). */
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

/** SHA-256 (hex) of the concatenated `parts` in order: {@link sha256Files} of files already in memory. */
export function sha256Bytes(parts: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}
