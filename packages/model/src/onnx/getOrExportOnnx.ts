import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import writeFileAtomic from 'write-file-atomic';
import { OnnxExportError } from '../errors';
import { exportOnnx, ONNX_EXPORTER_VERSION } from './exportOnnx';

/** Options of {@link getOrExportOnnx}. */
export interface GetOrExportOnnxOptions {
  model: LayersModel;
  /** Identifies the weights (e.g. `Backbone.weightsHash`, or {@link hashModelWeights}); part of the key. */
  weightsHash: string;
  /** Layer to cut at (default: the model output); part of the key. */
  cutLayer?: string;
  /** Input [height, width, channels] when the model's is not fixed; part of the key. */
  inputShape?: readonly [number, number, number];
  /** Folder of the cache (created if missing), e.g. beside the weights or the feature cache. */
  cacheDir: string;
}

/** What {@link getOrExportOnnx} returns. */
export interface OnnxCacheEntry {
  /** The serialized ONNX model. */
  bytes: Uint8Array;
  /** The cache file. */
  path: string;
  /** True when the graph came from the cache, false when it was exported (and written) now. */
  hit: boolean;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);

/** The cache file name for a key: readable, and free of path separators whatever the key holds. */
export function onnxCacheFileName(weightsHash: string, cutLayer: string | undefined, inputShape: readonly (number | null)[]): string {
  return `backbone-${safe(weightsHash)}-${safe(cutLayer ?? 'output')}-${inputShape.map((d) => d ?? 'x').join('x')}-onnx${ONNX_EXPORTER_VERSION}.onnx`;
}

/** A serialized ModelProto starts with field 1 (ir_version, varint): byte 0x08. Anything else is not ours. */
function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.byteLength > 16 && bytes[0] === 0x08;
}

/**
 * Returns the ONNX export of `model` cut at `cutLayer`, from `cacheDir` when an export for the same
 * weights hash, cut layer, input shape and exporter version is there, else exports it and writes it
 * atomically (temporary file + rename, so a crash or a concurrent writer never leaves a partial file).
 * A cache file that is not an ONNX model is replaced.
 *
 * @example
 * const { bytes, hit } = await getOrExportOnnx({ model, weightsHash: backbone.weightsHash, cutLayer: 'block5_pool', cacheDir });
 */
export async function getOrExportOnnx(options: GetOrExportOnnxOptions): Promise<OnnxCacheEntry> {
  const { model, weightsHash, cutLayer, cacheDir } = options;
  if (typeof weightsHash !== 'string' || weightsHash.length === 0) {
    throw new OnnxExportError(model.name, cutLayer, `weightsHash must be a non-empty string, got ${JSON.stringify(weightsHash)}`);
  }
  const shape = options.inputShape ?? model.inputs[0].shape.slice(1);
  const file = path.join(cacheDir, onnxCacheFileName(weightsHash, cutLayer, shape));
  try {
    const cached = new Uint8Array(await readFile(file));
    if (looksLikeOnnx(cached)) return { bytes: cached, path: file, hit: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new OnnxExportError(model.name, cutLayer, `cannot read the cached ONNX graph ${file}`, { cause: e });
    }
  }
  const bytes = exportOnnx(model, { cutLayer, inputShape: options.inputShape });
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(file, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new OnnxExportError(model.name, cutLayer, `cannot write the ONNX graph to ${file}`, { cause: e });
  }
  return { bytes, path: file, hit: false };
}
