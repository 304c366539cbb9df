import { extractFileFeatures } from '../features/extractFileFeatures';
import { FeatureCache } from '../features/FeatureCache';
import { type Backbone } from '../backbones/backbone';
import { type FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import type { FeaturePrecision, OnnxCalibration } from '../onnx/getOrExportOnnx';
import type { DatasetImage } from '@cxr/dataset/node';
import type { PipelineProgress as Progress } from './pipelineProgress';

/** How features were obtained: the engine that ran the base (or `cache` when every image was cached). */
export interface FeatureRun {
  features: Float32Array[];
  engine: 'onnxruntime-node' | 'tfjs' | 'cache';
  /** Why `auto` fell back to tfjs, when it did. */
  fallbackReason?: string;
  cached: number;
}

/** Options of {@link extractDatasetFeatures}. */
export interface ExtractDatasetFeaturesOptions {
  /** Disk cache folder (features keyed by image bytes, backbone, weights and preprocessing). */
  cacheDir: string;
  engine?: FeatureEngineChoice;
  progress?: Progress;
  label?: string;
  /** `int8`: the quantised backbone graph, calibrated with `calibration` (required then). Default `fp32`. */
  precision?: FeaturePrecision;
  calibration?: OnnxCalibration;
}

/**
 * Base features of dataset images, extracted once into the disk cache (`FeatureCache`): the ONNX engine runs the
 * base when onnxruntime-node works here (`auto`), else tfjs, and the result says which.
 */
export async function extractDatasetFeatures(backbone: Backbone, images: readonly DatasetImage[], options: ExtractDatasetFeaturesOptions): Promise<FeatureRun> {
  const cache = new FeatureCache(options.cacheDir);
  let fallbackReason: string | undefined;
  let cached = 0;
  const label = options.label ?? 'features';
  const features = await extractFileFeatures(
    backbone,
    images.map((i) => i.file),
    {
      cache,
      engine: options.engine ?? 'auto',
      precision: options.precision,
      calibration: options.calibration,
      onWarning: (message) => {
        fallbackReason = message;
      },
      onProgress: (p) => {
        cached = p.cached;
        options.progress?.bar(label, p.done, p.total ?? images.length, p.cached ? `(${p.cached} from cache)` : '');
      },
    },
  );
  options.progress?.end();
  const engine = cached === images.length ? 'cache' : options.engine === 'tfjs' || fallbackReason ? 'tfjs' : 'onnxruntime-node';
  return { features, engine, cached, ...(fallbackReason ? { fallbackReason } : {}) };
}
