import path from 'node:path';
import { createFeatureExtractor, type FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import { extractFeatures } from '../features/extractFeatures';
import { extractFileFeatures } from '../features/extractFileFeatures';
import { FeatureCache } from '../features/FeatureCache';
import { type Backbone } from '../backbones/backbone';
import { type FeatureExtractor } from '../onnx/featureExtractor';
import { augmentation, fitToSpec, toModelInput, type PreprocessSpec, type RawPixels } from '@cxr/preprocess';
import { sha256File } from '@cxr/dataset/node';
import { createRng } from '@cxr/metrics';
import { decodeImage } from '@cxr/preprocess/node';
import { PipelineInputError } from '../errors';

/** Options of {@link experimentFeatures}. */
export interface ExperimentFeaturesOptions {
  /** The preprocessing spec (the backbone's, possibly with CLAHE, border cropping or a `lungCrop` switched on). */
  spec: PreprocessSpec;
  /** An augmented copy: `augmentation` options and the copy's index (seeded per file and copy). */
  augment?: { options: Parameters<typeof augmentation>[0]; copy: number; seed: number };
  cache: FeatureCache;
  engine?: FeatureEngineChoice;
  batchSize?: number;
  /** Told why `auto` fell back from onnxruntime to tfjs, when it does. */
  onWarning?: (message: string) => void;
  /** Told how far extraction got. */
  onProgress?: (done: number, total: number, cached: number) => void;
}

/**
 * Backbone features of image files for one experiment arm, through the disk {@link FeatureCache}: the plain spec
 * goes through `extractFileFeatures` (same cache entries as `cxr train`, the spec's `lungCrop` included); an augmented
 * copy is preprocessed here (decode, fit to spec, augment, normalise) and cached under its own variant key.
 * The forward passes run on onnxruntime when it works here (`auto`), else tfjs.
 */
export async function experimentFeatures(backbone: Backbone, files: readonly string[], options: ExperimentFeaturesOptions): Promise<Float32Array[]> {
  const { spec, cache } = options;
  if (!options.augment) {
    return extractFileFeatures(backbone, files, {
      cache,
      preprocessing: spec,
      engine: options.engine ?? 'auto',
      batchSize: options.batchSize ?? 16,
      onWarning: options.onWarning ?? (() => undefined),
      onProgress: (p) => options.onProgress?.(p.done, p.total ?? files.length, p.cached),
    });
  }
  const variant = `aug:${JSON.stringify(options.augment.options)}:seed=${options.augment.seed}:copy=${options.augment.copy}`;
  const out: Float32Array[] = new Array(files.length);
  const keys: string[] = [];
  for (let i = 0; i < files.length; i++) {
    let imageHash: string;
    try {
      imageHash = await sha256File(files[i]);
    } catch (error) {
      throw new PipelineInputError(`${files[i]}: cannot read image (${(error as Error).message})`, { cause: error });
    }
    keys[i] = FeatureCache.key({ imageHash, backboneName: backbone.name, weightsHash: backbone.weightsHash, preprocessing: spec, variant });
    const hit = await cache.get(keys[i]);
    if (hit) out[i] = hit;
  }
  const todo = files.map((_, i) => i).filter((i) => out[i] === undefined);
  const cached = files.length - todo.length;
  options.onProgress?.(cached, files.length, cached);
  if (todo.length === 0) return out;
  const augment = augmentation(options.augment.options);
  const batchSize = options.batchSize ?? 16;
  let extractor: FeatureExtractor | undefined;
  try {
    extractor = await createFeatureExtractor({
      model: backbone.model,
      engine: options.engine ?? 'auto',
      weightsHash: backbone.weightsHash,
      cacheDir: path.join(cache.dir, 'onnx'),
      onWarning: options.onWarning ?? (() => undefined),
    });
    for (let start = 0; start < todo.length; start += batchSize) {
      const chunk = todo.slice(start, start + batchSize);
      const inputs: Float32Array[] = [];
      for (const i of chunk) {
        let pixels: RawPixels;
        try {
          pixels = (await decodeImage(files[i])).pixels;
        } catch (error) {
          throw new PipelineInputError(`${files[i]}: cannot decode image (${(error as Error).message})`, { cause: error });
        }
        let image = fitToSpec(pixels, spec).image;
        image = augment(image, createRng(`${options.augment.seed}:${keys[i]}`));
        inputs.push(toModelInput(image, spec));
      }
      const features = await extractFeatures(backbone, inputs, { batchSize, extractor });
      for (let j = 0; j < chunk.length; j++) {
        out[chunk[j]] = features[j];
        await cache.put(keys[chunk[j]], features[j]);
      }
      options.onProgress?.(cached + start + chunk.length, files.length, cached);
    }
  } finally {
    await extractor?.dispose();
  }
  return out;
}
