import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { cutModel } from '../backbones/cutModel';
import { FeatureExtractionError } from '../errors';
import type { FeatureExtractor } from './featureExtractor';

/** Options of {@link createTfjsExtractor}. */
export interface TfjsExtractorOptions {
  model: LayersModel;
  /** Layer to cut the model at; default: its output. */
  cutLayer?: string;
}

/**
 * The reference engine: the tfjs model on the current tfjs backend, behind the same {@link FeatureExtractor}
 * interface as `createOnnxExtractor` (so callers can switch engines). Every tensor it makes is disposed.
 *
 * @example
 * const extractor = createTfjsExtractor({ model: backbone.model });
 * const features = await extractor.run(batch, n);
 */
export function createTfjsExtractor(options: TfjsExtractorOptions): FeatureExtractor {
  const model = options.cutLayer === undefined ? options.model : cutModel(options.model, options.cutLayer);
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape.length !== 4 || inShape.slice(1).some((d) => d == null) || outShape.slice(1).some((d) => d == null)) {
    throw new FeatureExtractionError(`model ${model.name} needs a fixed NHWC input and output shape, got [${inShape.join(', ')}] -> [${outShape.join(', ')}]`);
  }
  const [h, w, c] = inShape.slice(1) as number[];
  const imageSize = h * w * c;
  const backend = tf.getBackend();
  let disposed = false;
  return {
    info: { engine: 'tfjs', threads: 1, backend },
    inputShape: [h, w, c],
    outputShape: outShape.slice(1) as number[],
    async run(batch: Float32Array, n: number): Promise<Float32Array> {
      if (disposed) throw new FeatureExtractionError('run() after dispose()');
      if (!Number.isInteger(n) || n < 1 || batch.length !== n * imageSize) {
        throw new FeatureExtractionError(
          `batch has ${batch.length} values; expected n x ${h} x ${w} x ${c} = ${Number.isInteger(n) ? n * imageSize : 'n/a'} for n = ${n}`,
        );
      }
      const y = tf.tidy(() => model.predict(tf.tensor4d(batch, [n, h, w, c])) as tf.Tensor);
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
    async dispose(): Promise<void> {
      disposed = true; // the weights belong to the caller's model: nothing of ours to free
    },
  };
}
