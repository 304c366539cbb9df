import { OnnxExportError, OnnxRuntimeError } from '../errors';
import { createOnnxExtractor, type OnnxExtractorOptions } from './createOnnxExtractor';
import { createTfjsExtractor } from './createTfjsExtractor';
import type { FeatureExtractor } from './featureExtractor';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** `auto`: onnxruntime when it is installed and the model exports, else tfjs (saying why); int8 never falls back. */
export type FeatureEngineChoice = 'auto' | 'onnx' | 'tfjs';

/** Options of {@link createFeatureExtractor}. */
export interface CreateFeatureExtractorOptions extends Omit<OnnxExtractorOptions, 'model' | 'onnxBytes'> {
  model: LayersModel;
  /** Default `auto`. `onnx` fails (OnnxRuntimeError/OnnxExportError) rather than fall back. */
  engine?: FeatureEngineChoice;
  /**
   * Told, once, why `auto` fell back to tfjs. Default: `process.emitWarning` (code `CXR_ONNX_FALLBACK`),
   * so the fallback is never silent; the same sentence is in `info.fallbackReason`.
   */
  onWarning?: (message: string) => void;
}

const defaultWarning = (message: string): void => {
  process.emitWarning(message, { code: 'CXR_ONNX_FALLBACK' });
};

/**
 * A frozen-backbone feature extractor on the fastest engine available: onnxruntime-node (the graph exported
 * from the tfjs model, cached in `cacheDir` when given), or tfjs when onnxruntime is missing or the model
 * has a layer the exporter does not support. Same inputs and outputs either way (NHWC float32).
 *
 * @example
 * const extractor = await createFeatureExtractor({ model: backbone.model, weightsHash: backbone.weightsHash, cacheDir });
 * console.log(extractor.info); // { engine: 'onnxruntime-node', threads: 2, onnxCache: 'hit' }
 */
export async function createFeatureExtractor(options: CreateFeatureExtractorOptions): Promise<FeatureExtractor> {
  const { engine = 'auto', onWarning = defaultWarning, ...rest } = options;
  if (rest.precision === 'int8') {
    // int8 exists only as an onnxruntime graph: no silent float32 fallback under an int8 cache key.
    if (engine === 'tfjs') throw new OnnxRuntimeError("precision int8 needs the onnx engine, not 'tfjs'");
    return createOnnxExtractor(rest);
  }
  if (engine === 'tfjs') return createTfjsExtractor({ model: rest.model, cutLayer: rest.cutLayer });
  if (engine !== 'onnx' && engine !== 'auto') {
    throw new OnnxRuntimeError(`engine must be 'auto', 'onnx' or 'tfjs', got ${JSON.stringify(engine)}`);
  }
  try {
    return await createOnnxExtractor(rest);
  } catch (e) {
    if (engine === 'onnx' || !(e instanceof OnnxRuntimeError || e instanceof OnnxExportError)) throw e;
    const tfjs = createTfjsExtractor({ model: rest.model, cutLayer: rest.cutLayer });
    const reason = `${e.message}; falling back to tfjs (${tfjs.info.backend} backend), which is slower`;
    onWarning(reason);
    return { ...tfjs, info: { ...tfjs.info, fallbackReason: reason } };
  }
}
