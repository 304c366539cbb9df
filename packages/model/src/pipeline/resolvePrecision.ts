import { PipelineInputError } from '../errors';
import type { FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import type { FeaturePrecision } from '../onnx/getOrExportOnnx';

/**
 * The backbone precision a pipeline step runs at (default `fp32`), checked against the engine: `int8` is a quantised
 * ONNX graph, so it runs on onnxruntime only. One rule for `trainFromDataset` and `cacheDatasetFeatures`, whose cache
 * keys must agree.
 *
 * @throws PipelineInputError for another value, or `int8` with the tfjs engine
 */
export function resolvePrecision(options: { precision?: FeaturePrecision; engine?: FeatureEngineChoice }): FeaturePrecision {
  const precision = options.precision ?? 'fp32';
  if (precision !== 'fp32' && precision !== 'int8') throw new PipelineInputError(`precision must be fp32 or int8, got ${JSON.stringify(precision)}`);
  if (precision === 'int8' && options.engine === 'tfjs') throw new PipelineInputError('precision int8 runs on onnxruntime only: drop --engine tfjs');
  return precision;
}
