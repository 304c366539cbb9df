import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import writeFileAtomic from 'write-file-atomic';
import { OnnxExportError } from '../errors';
import { calibrateOnnxGraph, type CalibrateOnnxOptions } from './calibrateOnnxGraph';
import { encodeOnnxModel } from './encodeOnnxModel';
import { buildOnnxGraph, exportOnnx, ONNX_EXPORTER_VERSION } from './exportOnnx';
import { measureBiasCorrections } from './measureBiasCorrections';
import { isGroupedConv, quantizeOnnxGraph, type QuantizeOnnxOptions } from './quantizeOnnxGraph';

/** Numeric precision of the backbone's ONNX graph: float32, or int8 (QDQ, calibrated; see `quantizeOnnxGraph`). */
export type FeaturePrecision = 'fp32' | 'int8';

/**
 * Version of the int8 graph layout and calibration; part of the int8 graph's cache key and of `fileCalibration`'s id
 * (hence of the int8 feature cache keys). 2: bias correction (features of version 1 are not reused). 3: graphs with
 * depthwise convolutions keep their stem (first convolution and first depthwise one) in float32.
 */
export const ONNX_QUANTIZER_VERSION = 3;

/**
 * Calibration images for an int8 graph: `load()` gives `n` images NHWC float32, preprocessed as the backbone
 * expects (training images, a few dozen), and `id` is a stable identity of them (e.g. a hash of their file hashes): part of the graph's
 * cache key and of the feature cache key.
 */
export interface OnnxCalibration {
  /** Reads the images; called only when the int8 graph has to be made (not on a cache hit). */
  load(): Promise<{ images: Float32Array; n: number }>;
  id: string;
  /** Calibration method and onnxruntime threads (see `calibrateOnnxGraph`). */
  options?: CalibrateOnnxOptions;
}

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
  /** Default `fp32`; `int8` needs `calibration` (its `id` is part of the key). */
  precision?: FeaturePrecision;
  calibration?: OnnxCalibration;
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
export function onnxCacheFileName(
  weightsHash: string,
  cutLayer: string | undefined,
  inputShape: readonly (number | null)[],
  int8?: { calibrationId: string; method: string },
): string {
  const quantized = int8 ? `-int8q${ONNX_QUANTIZER_VERSION}-${safe(int8.method)}-${safe(int8.calibrationId).slice(0, 32)}` : '';
  return `backbone-${safe(weightsHash)}-${safe(cutLayer ?? 'output')}-${inputShape.map((d) => d ?? 'x').join('x')}${quantized}-onnx${ONNX_EXPORTER_VERSION}.onnx`;
}

/** The int8 graph of a model: the float32 graph, calibrated on the images, bias-corrected on them, quantised (QDQ), encoded. */
export async function exportInt8Onnx(
  model: LayersModel,
  calibration: OnnxCalibration,
  options: { cutLayer?: string; inputShape?: readonly [number, number, number] } = {},
): Promise<Uint8Array> {
  const graph = buildOnnxGraph(model, options);
  const { images, n } = await calibration.load();
  const ranges = await calibrateOnnxGraph(graph, images, n, calibration.options);
  // Graphs with depthwise (grouped) convolutions keep their stem in float32 (`keepFloat: 'stem'`: MobileNet v1's
  // worst held-out image at cosine 0.997 instead of 0.981, at about the same speed) and get the measured bias
  // correction (mean cosine 0.994 -> 0.996 before the stem change), for about one forward pass per convolution over
  // the images. VGG16's graph is quantised as before: cosine 0.9997 with the weight-only correction alone.
  const depthwise = graph.nodes.some(isGroupedConv);
  const quantize: QuantizeOnnxOptions = depthwise ? { keepFloat: 'stem' } : {};
  const biasCorrections = depthwise
    ? await measureBiasCorrections(graph, ranges, images, n, { intraOpNumThreads: calibration.options?.intraOpNumThreads, loader: calibration.options?.loader, quantize })
    : undefined;
  return encodeOnnxModel(quantizeOnnxGraph(graph, ranges, { ...quantize, biasCorrections }));
}

/** A serialized ModelProto starts with field 1 (ir_version, varint): byte 0x08. Anything else is not ours. */
function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.byteLength > 16 && bytes[0] === 0x08;
}

/**
 * Returns the ONNX export of `model` cut at `cutLayer`, from `cacheDir` when an export for the same
 * weights hash, cut layer, input shape, exporter version and precision (for int8: calibration id and method) is there, else exports it and writes it
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
  const int8 = options.precision === 'int8';
  if (int8 && !options.calibration) throw new OnnxExportError(model.name, cutLayer, 'precision int8 needs calibration images');
  if (options.precision !== undefined && options.precision !== 'fp32' && !int8) {
    throw new OnnxExportError(model.name, cutLayer, `precision must be 'fp32' or 'int8', got ${JSON.stringify(options.precision)}`);
  }
  const calibration = options.calibration as OnnxCalibration;
  const file = path.join(
    cacheDir,
    onnxCacheFileName(weightsHash, cutLayer, shape, int8 ? { calibrationId: calibration.id, method: calibration.options?.method ?? 'minmax' } : undefined),
  );
  try {
    const cached = new Uint8Array(await readFile(file));
    if (looksLikeOnnx(cached)) return { bytes: cached, path: file, hit: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new OnnxExportError(model.name, cutLayer, `cannot read the cached ONNX graph ${file}`, { cause: e });
    }
  }
  const bytes = int8
    ? await exportInt8Onnx(model, calibration, { cutLayer, inputShape: options.inputShape })
    : exportOnnx(model, { cutLayer, inputShape: options.inputShape });
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(file, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new OnnxExportError(model.name, cutLayer, `cannot write the ONNX graph to ${file}`, { cause: e });
  }
  return { bytes, path: file, hit: false };
}
