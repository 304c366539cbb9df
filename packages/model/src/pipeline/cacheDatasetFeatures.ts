import path from 'node:path';
import { checkShard, loadDataset, resolveSplit, shardOfPatient, type DatasetImage, type Shard } from '@cxr/dataset/node';
import { checkBackboneOptions } from '../backbones/openTrainingBackbone';
import { extractFileFeatures, fileCalibration } from '../features/extractFileFeatures';
import { FeatureCache } from '../features/FeatureCache';
import type { FineTuneOptions } from '../finetune/planFineTune';
import type { FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import type { FeaturePrecision } from '../onnx/getOrExportOnnx';
import type { PipelineProgress } from './pipelineProgress';
import { defaultCacheRoot } from './trainFromDataset';
import { openFeatureBackbone } from './openFeatureBackbone';
import { resolvePrecision } from './resolvePrecision';
import type { FractionRect } from '@cxr/preprocess';

/** Options of {@link cacheDatasetFeatures}: the backbone options of `trainFromDataset`, so that training finds the entries. */
export interface CacheDatasetFeaturesOptions {
  /** A built dataset (manifest.csv) or class folders. */
  data: string;
  /** `vgg16` (default) or `mobilenet_v1`. */
  backbone?: string;
  weights?: string;
  randomWeights?: boolean;
  /** Seed of random weights and of a split made now (int8 only; default 42, as `trainFromDataset`). */
  seed?: number;
  engine?: FeatureEngineChoice;
  /** `int8`: calibrated on the dataset's training split (`split`, or `<data>/split.csv`, made if absent), as training does. */
  precision?: FeaturePrecision;
  split?: string;
  /** CLAHE before resizing, as `trainFromDataset({ clahe })` (part of the preprocessing, hence of the key). */
  clahe?: boolean;
  /** The lung-field crop, as `trainFromDataset({ lungCrop })` (part of the preprocessing, hence of the key). */
  lungCrop?: boolean | FractionRect;
  /**
   * The fine-tuning of the training run, as `trainFromDataset({ fineTune })` (e.g. `{ blocks: 1 }`): its features come
   * from the backbone cut below the fine-tuned blocks (MobileNet v1: `conv_dw_12_relu`), a cache key of their own.
   * `learningRate` does not change the features (it is only checked, as training checks it).
   */
  fineTune?: FineTuneOptions;
  /** Feature cache folder; default `$CXR_CACHE_DIR/features` or `~/.cache/cxr/features` (as training). */
  cacheDir?: string;
  /** Only the images of this shard's patients (`shardOfPatient`, the rule of `buildDataset({ shard })`). */
  shard?: Shard;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
  cwd?: string;
  progress?: PipelineProgress;
}

/** What {@link cacheDatasetFeatures} did. */
export interface CacheDatasetFeaturesResult {
  /** Images of the dataset, and of them this shard's (all without a shard). */
  images: number;
  shardImages: number;
  shard: Shard | null;
  /** Of the shard's images: already in the cache, and extracted now. */
  cached: number;
  extracted: number;
  precision: FeaturePrecision;
  backbone: string;
  /** The layer the features were taken at when the backbone is cut (fine-tuning: below the blocks), else null. */
  cutLayer: string | null;
  cacheDir: string;
}

/** A dataset image's shard key: its patient (and source); class folders have no patient ids, so each image is its own. */
function shardOf(image: DatasetImage, count: number): number {
  return shardOfPatient(image.source ?? '', image.patientId ?? image.path, count);
}

/**
 * Fills the feature cache with the base features of a dataset's images (every split: train, val and test), or of
 * one shard's patients, holding no features in memory: run one process per shard on shared storage, then
 * `trainFromDataset` with the same backbone options and `cacheDir` reads every feature from the cache
 * (`evaluateModel` has no feature cache: it runs the saved model). Keys are content hashes, so shards need no merge, and a rerun extracts only what is missing. A fine-tuning
 * run reads features of the backbone cut below its blocks: pass it the same `fineTune`.
 *
 * @example
 * const r = await cacheDatasetFeatures({ data: '/shared/cxr', backbone: 'mobilenet_v1', weights, shard: parseShard('auto'), cacheDir: '/shared/cache' });
 * r.extracted; r.cached;
 * // for `trainFromDataset({ ..., fineTune: { blocks: 1 } })`: features of the backbone cut below the block
 * await cacheDatasetFeatures({ data: '/shared/cxr', backbone: 'mobilenet_v1', weights, fineTune: { blocks: 1 }, cacheDir: '/shared/cache' });
 */
export async function cacheDatasetFeatures(options: CacheDatasetFeaturesOptions): Promise<CacheDatasetFeaturesResult> {
  const cwd = options.cwd ?? process.cwd();
  checkBackboneOptions({ backbone: options.backbone, weights: options.weights, randomWeights: options.randomWeights });
  const precision = resolvePrecision(options);
  const shard = options.shard ? checkShard(options.shard) : null;
  const dataset = await loadDataset(path.resolve(cwd, options.data));
  const mine = shard ? dataset.images.filter((i) => shardOf(i, shard.count) === shard.index) : dataset.images;
  // trainFromDataset's rule (openFeatureBackbone), so that its cache keys (preprocessing, cut layer) are training's.
  const { opened, backbone } = await openFeatureBackbone({
    backbone: options.backbone,
    weights: options.weights,
    randomWeights: options.randomWeights,
    seed: options.seed,
    cwd,
    clahe: options.clahe,
    lungCrop: options.lungCrop,
    fineTune: options.fineTune,
  });
  const cacheDir = path.resolve(cwd, options.cacheDir ?? path.join(defaultCacheRoot(), 'features'));
  let cached = 0;
  try {
    let calibration;
    if (precision === 'int8') {
      // The training split's calibration, as trainFromDataset makes it: same id, so training finds these entries.
      const split = await resolveSplit(dataset, { splitFile: options.split ? path.resolve(cwd, options.split) : undefined, seed: options.seed ?? 42 });
      calibration = await fileCalibration(split.train.map((i) => i.file), backbone.preprocessing);
    }
    await extractFileFeatures(
      backbone,
      mine.map((i) => i.file),
      {
        cache: new FeatureCache(cacheDir),
        collect: false,
        engine: options.engine ?? 'auto',
        precision,
        calibration,
        threads: options.threads,
        onWarning: (message) => options.progress?.line(message),
        onProgress: (p) => {
          cached = p.cached;
          options.progress?.bar('features', p.done, p.total ?? mine.length, p.cached ? `(${p.cached} from cache)` : '');
        },
      },
    );
  } finally {
    options.progress?.end();
    opened.backbone.model.dispose();
  }
  return { images: dataset.images.length, shardImages: mine.length, shard, cached, extracted: mine.length - cached, precision, backbone: opened.description, cutLayer: backbone.info.cutLayer ?? null, cacheDir };
}
