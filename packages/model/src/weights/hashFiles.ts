import { createHash } from 'node:crypto';

/**
 * SHA-256 (hex) of the concatenated `parts` in order: `sha256Files` (of `@cxr/dataset/node`) of files already in
 * memory.
 */
export function sha256Bytes(parts: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}
