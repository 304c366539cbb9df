import type * as tf from '@tensorflow/tfjs-core';
import { WeightsFormatError } from '../errors';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2, string: 0 };

/**
 * Bytes the weights of a tfjs weights manifest occupy in its shards (quantized weights at their stored size).
 * The loaders require the shards to hold exactly this many bytes, and check it before reading them.
 */
export function manifestWeightBytes(manifest: tf.io.WeightsManifestConfig): number {
  return manifest.flatMap((g) => g.weights).reduce((n, w) => {
    const q = (w as { quantization?: { dtype: string } }).quantization;
    const bytes = q ? BYTES[q.dtype] ?? 4 : BYTES[w.dtype] ?? 4;
    return n + w.shape.reduce((a, b) => a * b, 1) * bytes;
  }, 0);
}

/**
 * The shard paths of a weights manifest, checked: each must be a plain relative path inside the model's folder
 * (no absolute path, URL scheme, backslash, empty, `.` or `..` segment, percent-encoded or not), since
 * model.json is untrusted input and its `paths` must not name files outside that folder.
 * @throws WeightsFormatError naming `source` (the model.json path or URL) and the offending path.
 */
export function manifestShardPaths(manifest: tf.io.WeightsManifestConfig, source: string): string[] {
  return manifest.flatMap((group) => {
    if (!Array.isArray(group?.paths)) throw new WeightsFormatError(source, 'a weightsManifest group has no paths array');
    return group.paths.map((p) => {
      if (!isSafeRelativePath(p)) {
        throw new WeightsFormatError(source, `weight shard path ${JSON.stringify(p)} is not a relative path inside the model folder`);
      }
      return p;
    });
  });
}

function isSafeRelativePath(p: unknown): p is string {
  if (typeof p !== 'string' || p === '' || p.includes('\\') || p.includes('\0')) return false;
  if (p.startsWith('/') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p)) return false;
  return p.split('/').every(safeSegment);
}

function safeSegment(segment: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '' && decoded !== '.' && decoded !== '..' && !decoded.includes('/') && !decoded.includes('\\');
}

/**
 * The URL of a shard named in the manifest of `modelJsonUrl` (relative URLs resolve against the page), checked
 * to stay in the model's folder on the same origin.
 * @throws WeightsFormatError when it does not.
 */
export function shardUrl(modelJsonUrl: string, shardPath: string): string {
  const page = (globalThis as { location?: { href: string } }).location?.href ?? 'http://localhost/';
  const base = new URL(modelJsonUrl, page);
  const folder = new URL('./', base);
  const resolved = new URL(shardPath, base);
  if (resolved.origin !== folder.origin || !resolved.pathname.startsWith(folder.pathname)) {
    throw new WeightsFormatError(modelJsonUrl, `weight shard path ${JSON.stringify(shardPath)} leaves the model folder`);
  }
  // A relative model URL gives a relative shard URL (resolved by fetch against the page, as before).
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(modelJsonUrl) || modelJsonUrl.startsWith('//');
  return absolute ? resolved.toString() : `${modelJsonUrl.slice(0, modelJsonUrl.lastIndexOf('/') + 1)}${shardPath}`;
}

/** The shards' bytes joined in order: the `weightData` a tfjs IOHandler returns. */
export function concatShards(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(parts.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of parts) {
    all.set(b, offset);
    offset += b.byteLength;
  }
  return all;
}
