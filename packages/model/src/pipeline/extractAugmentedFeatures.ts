import path from 'node:path';
import { createFeatureExtractor, type FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import { extractFeatures } from '../features/extractFeatures';
import { cutKey } from '../features/extractFileFeatures';
import { FeatureCache } from '../features/FeatureCache';
import { type Backbone } from '../backbones/backbone';
import { type FeatureExtractor } from '../onnx/featureExtractor';
import type { FeaturePrecision, OnnxCalibration } from '../onnx/getOrExportOnnx';
import { augmentation, preprocessGreyImage, toModelInput } from '@cxr/preprocess/node';
import { sha256File } from '@cxr/dataset/node';
import { createRng, hashSeed } from '@cxr/metrics';
import type { DatasetImage } from '@cxr/dataset/node';
import type { PipelineProgress as Progress } from './pipelineProgress';

/** The notebook's augmentation: ImageDataGenerator(rotation_range=15, fill_mode='nearest'). */
export const NOTEBOOK_AUGMENTATION = { rotate: 15 } as const;

/** Options of {@link extractAugmentedFeatures}. */
export interface ExtractAugmentedFeaturesOptions {
  /** Augmented copies per image. */
  copies: number;
  seed: number;
  cacheDir: string;
  engine?: FeatureEngineChoice;
  progress?: Progress;
  /** `int8`: the quantised backbone graph, calibrated with `calibration` (required then), as the plain features. */
  precision?: FeaturePrecision;
  calibration?: OnnxCalibration;
}

/**
 * Base features of `copies` randomly rotated (+-15 degrees, nearest fill: the notebook's augmentation) copies of each
 * image, seeded per image and copy (the same seed always gives the same copies), cached like the plain features
 * under a variant key. Because the base is frozen, augmenting on the fly every epoch (the notebook) and training on
 * fixed augmented copies differ only in how many distinct copies the head sees.
 * Returned in image order: all copies of image 0, then of image 1...
 */
export async function extractAugmentedFeatures(backbone: Backbone, images: readonly DatasetImage[], options: ExtractAugmentedFeaturesOptions): Promise<Float32Array[]> {
  const cache = new FeatureCache(options.cacheDir);
  const spec = backbone.preprocessing;
  const augment = augmentation({ ...NOTEBOOK_AUGMENTATION });
  const jobs: Array<{ image: DatasetImage; copy: number; key: string }> = [];
  for (const image of images) {
    const imageHash = await sha256File(image.file);
    for (let copy = 1; copy <= options.copies; copy++) {
      const variant = `rotate15-nearest:seed=${options.seed}:copy=${copy}`;
      const int8 = options.precision === 'int8' ? { precision: 'int8' as const, quantization: options.calibration?.id } : {};
      jobs.push({ image, copy, key: FeatureCache.key({ imageHash, backboneName: backbone.name, weightsHash: backbone.weightsHash, ...cutKey(backbone), preprocessing: spec, variant, ...int8 }) });
    }
  }
  const out: Float32Array[] = new Array(jobs.length);
  const todo: number[] = [];
  for (const [i, job] of jobs.entries()) {
    const hit = await cache.get(job.key);
    if (hit) out[i] = hit;
    else todo.push(i);
  }
  let extractor: FeatureExtractor | undefined;
  try {
    if (todo.length > 0 && (options.engine !== 'tfjs' || options.precision === 'int8')) {
      extractor = await createFeatureExtractor({
        precision: options.precision,
        calibration: options.calibration,
        model: backbone.model,
        engine: options.engine ?? 'auto',
        weightsHash: backbone.weightsHash,
        ...cutKey(backbone),
        cacheDir: path.join(cache.dir, 'onnx'),
        onWarning: () => undefined, // the plain features already said which engine runs
      });
    }
    const batchSize = 8;
    for (let start = 0; start < todo.length; start += batchSize) {
      const chunk = todo.slice(start, start + batchSize);
      const inputs: Float32Array[] = [];
      for (const i of chunk) {
        const { image, copy } = jobs[i];
        const { image: grey } = await preprocessGreyImage(image.file, spec);
        inputs.push(toModelInput(augment(grey, createRng(hashSeed(options.seed, image.path, copy))), spec));
      }
      const features = await extractFeatures(backbone, inputs, { batchSize, extractor });
      for (const [j, i] of chunk.entries()) {
        out[i] = features[j];
        await cache.put(jobs[i].key, features[j]);
      }
      options.progress?.bar('augmented features', jobs.length - todo.length + start + chunk.length, jobs.length);
    }
  } finally {
    await extractor?.dispose();
  }
  options.progress?.end();
  return out;
}
