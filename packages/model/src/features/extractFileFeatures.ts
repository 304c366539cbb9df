import path from 'node:path';
import { sha256File } from '@cxr/dataset/node';
import type { PreprocessSpec } from '@cxr/preprocess';
import type { Backbone } from '../backbones/backbone';
import { FeatureExtractionError, ModelError } from '../errors';
import { createHash } from 'node:crypto';
import { createFeatureExtractor, type FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import { ONNX_QUANTIZER_VERSION, type FeaturePrecision, type OnnxCalibration } from '../onnx/getOrExportOnnx';
import { canonicalJson } from './canonicalJson';
import type { FeatureExtractor } from '../onnx/featureExtractor';
import { readModelInput } from '../predict/readModelInput';
import { extractFeatures, type FeatureProgress } from './extractFeatures';
import { FeatureCache } from './FeatureCache';

/** Options of {@link extractFileFeatures}. */
export interface ExtractFileFeaturesOptions {
  batchSize?: number;
  onProgress?: (progress: FeatureProgress & { cached: number }) => void;
  /** Reuse and store features here. */
  cache?: FeatureCache;
  /** Preprocessing; default `backbone.preprocessing`. */
  preprocessing?: PreprocessSpec;
  /**
   * Forward-pass engine: `auto` (default) runs onnxruntime-node when it is installed (the backbone exported
   * to ONNX, the graph cached in `<cache dir>/onnx`), else tfjs, with a warning saying why; `onnx` or
   * `tfjs` force one. Both give the same features within 1e-4 relative.
   */
  engine?: FeatureEngineChoice;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
  /** Told why `auto` fell back to tfjs (default: a process warning). */
  onWarning?: (message: string) => void;
  /**
   * `fp32` (default) or `int8`: the backbone's ONNX graph quantised and calibrated on `calibrationFiles`
   * (onnxruntime only, never tfjs). Part of the feature cache key, with the calibration's identity.
   */
  precision?: FeaturePrecision;
  /**
   * Images the int8 graph is calibrated on: pass training images. Default: up to 32 of `files`, evenly spaced.
   * Only read when the int8 graph is not in the cache yet (their hashes are always read: they are its key).
   */
  calibrationFiles?: readonly string[];
  /** A ready calibration ({@link fileCalibration}); wins over `calibrationFiles`. */
  calibration?: OnnxCalibration;
  /**
   * `false`: only fill `cache` (required) and resolve to an empty array, holding no features in memory whatever
   * the number of files: for warming a shared cache, e.g. one shard of a large dataset per process. Default true.
   */
  collect?: boolean;
}

/** Calibration images used by default for an int8 graph. */
export const DEFAULT_CALIBRATION_IMAGES = 32;

/** Up to `count` of `files`, evenly spaced (deterministic). */
function spread(files: readonly string[], count: number): string[] {
  if (files.length <= count) return [...files];
  return Array.from({ length: count }, (_, i) => files[Math.floor((i * files.length) / count)]);
}

/**
 * The int8 calibration on image files (pass training images): up to {@link DEFAULT_CALIBRATION_IMAGES} of them,
 * evenly spaced; its id is the SHA-256 of their hashes, the preprocessing, the method and `ONNX_QUANTIZER_VERSION`, and its loader
 * preprocesses them only when the int8 graph is not cached yet.
 *
 * @example const calibration = await fileCalibration(trainFiles, backbone.preprocessing);
 */
export async function fileCalibration(allFiles: readonly string[], spec: PreprocessSpec): Promise<OnnxCalibration> {
  if (allFiles.length === 0) throw new FeatureExtractionError('int8 calibration needs at least one image');
  const files = spread(allFiles, DEFAULT_CALIBRATION_IMAGES);
  const hashes = await Promise.all(files.map(hashOrThrow));
  const id = createHash('sha256').update(canonicalJson({ images: hashes, preprocessing: spec, method: 'minmax', quantizer: ONNX_QUANTIZER_VERSION })).digest('hex');
  return {
    id,
    load: async () => {
      const images = await Promise.all(files.map((f) => preprocessOrThrow(f, spec)));
      const size = images[0].length;
      const all = new Float32Array(images.length * size);
      images.forEach((im, i) => all.set(im, i * size));
      return { images: all, n: images.length };
    },
  };
}

/**
 * Features of image files (Node, one thread): each file is preprocessed with the backbone's spec and run
 * through the backbone; with a {@link FeatureCache}, files already seen (same bytes, backbone, weights and
 * spec) are read from disk instead. Results are in the order of `files`.
 * @throws FeatureExtractionError naming the file that could not be read or decoded.
 */
export async function extractFileFeatures(
  backbone: Backbone,
  files: readonly string[],
  options: ExtractFileFeaturesOptions = {},
): Promise<Float32Array[]> {
  const spec = options.preprocessing ?? backbone.preprocessing;
  const out: Float32Array[] = new Array(files.length);
  const keys: string[] = [];
  let cached = 0;
  const precision = options.precision ?? 'fp32';
  if (precision !== 'fp32' && precision !== 'int8') throw new FeatureExtractionError(`precision must be 'fp32' or 'int8', got ${JSON.stringify(precision)}`);
  const calibration = precision === 'int8' ? (options.calibration ?? (await fileCalibration(options.calibrationFiles ?? files, spec))) : undefined;
  const collect = options.collect !== false;
  if (!collect && !options.cache) throw new FeatureExtractionError('collect: false needs a cache to fill');
  const hits = new Uint8Array(files.length);
  if (options.cache) {
    for (let i = 0; i < files.length; i++) {
      const imageHash = await hashOrThrow(files[i]);
      keys[i] = FeatureCache.key({
        imageHash,
        backboneName: backbone.name,
        weightsHash: backbone.weightsHash,
        ...cutKey(backbone),
        preprocessing: spec,
        ...(calibration ? { precision, quantization: calibration.id } : {}),
      });
      if (!collect) {
        if (await options.cache.has(keys[i])) {
          hits[i] = 1;
          cached++;
        }
        continue;
      }
      const hit = await options.cache.get(keys[i]);
      if (hit) {
        out[i] = hit;
        hits[i] = 1;
        cached++;
      }
    }
  }
  const todo = files.map((_, i) => i).filter((i) => hits[i] === 0);
  const total = files.length;
  options.onProgress?.({ done: cached, total, cached });
  const batchSize = options.batchSize ?? 8;
  let extractor: FeatureExtractor | undefined;
  if (todo.length > 0 && (options.engine !== 'tfjs' || calibration)) {
    extractor = await createFeatureExtractor({
      precision,
      calibration,
      model: backbone.model,
      engine: options.engine ?? 'auto',
      weightsHash: backbone.weightsHash,
      // part of the ONNX graph's cache key: one weights file cut at two layers is two graphs
      ...cutKey(backbone),
      cacheDir: options.cache ? path.join(options.cache.dir, 'onnx') : undefined,
      intraOpNumThreads: options.threads,
      onWarning: options.onWarning,
    });
  }
  try {
    for (let start = 0; start < todo.length; start += batchSize) {
      const chunk = todo.slice(start, start + batchSize);
      const images = await Promise.all(chunk.map((i) => preprocessOrThrow(files[i], spec)));
      const features = await extractFeatures(backbone, images, { batchSize, extractor });
      for (let j = 0; j < chunk.length; j++) {
        if (collect) out[chunk[j]] = features[j];
        if (options.cache) await options.cache.put(keys[chunk[j]], features[j]);
      }
      options.onProgress?.({ done: cached + start + chunk.length, total, cached });
    }
  } finally {
    await extractor?.dispose();
  }
  return collect ? out : [];
}

/** `{ cutLayer }` of a cut backbone (a feature-cache and ONNX-cache key part), `{}` for an uncut one. */
export function cutKey(backbone: Pick<Backbone, 'info'>): { cutLayer?: string } {
  const cut = (backbone.info as Backbone['info'] | undefined)?.cutLayer;
  return cut === undefined ? {} : { cutLayer: cut };
}

/** SHA-256 of an image file (its {@link FeatureCache} key part); a read error becomes a FeatureExtractionError naming the file. */
export async function hashOrThrow(file: string): Promise<string> {
  try {
    return await sha256File(file);
  } catch (error) {
    throw new FeatureExtractionError(`Cannot read image ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Preprocesses one file; its own typed errors (naming the file) pass through, others are wrapped. */
export async function preprocessOrThrow(file: string, spec: PreprocessSpec): Promise<Float32Array> {
  try {
    return (await readModelInput(file, spec)).input;
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new FeatureExtractionError(`Cannot preprocess image ${file}: ${(error as Error).message}`, { cause: error });
  }
}
