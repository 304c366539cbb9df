import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../backbones/backbone';
import { FeatureExtractionError } from '../errors';
import type { FeatureExtractor } from '../onnx/featureExtractor';

/** Progress of a feature extraction: images done so far, of how many (when known). */
export interface FeatureProgress {
  done: number;
  total?: number;
}

/** Options of {@link extractFeatures}. */
export interface ExtractFeaturesOptions {
  /** Images per forward pass (default 8): more uses more memory, rarely more speed on CPU/wasm. */
  batchSize?: number;
  onProgress?: (progress: FeatureProgress) => void;
  /**
   * Runs the forward passes instead of `backbone.model` on tfjs: e.g. onnxruntime from
   * `createFeatureExtractor({ model: backbone.model, engine: 'auto' })` (@cxr/model/node), several times
   * faster on CPU, same features within 1e-4 relative. The caller owns (and disposes) it.
   */
  extractor?: Pick<FeatureExtractor, 'run'>;
}

/**
 * Runs preprocessed images (HWC floats, already normalised for the backbone: see `backbone.preprocessing`)
 * through a frozen backbone in batches; returns one feature array (`h*w*c` floats, HWC) per image, in order.
 * Every tensor it makes is disposed, so `tf.memory().numTensors` is the same after as before.
 *
 * @example
 * const [f] = await extractFeatures(backbone, [image]); // f.length === 7 * 7 * 512 for VGG16
 * @throws FeatureExtractionError naming the image index whose size does not match the backbone's input.
 */
export async function extractFeatures(
  backbone: Backbone,
  images: Iterable<Float32Array> | AsyncIterable<Float32Array>,
  options: ExtractFeaturesOptions = {},
): Promise<Float32Array[]> {
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new FeatureExtractionError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const [h, w, c] = backbone.info.inputShape;
  const size = h * w * c;
  const total = Array.isArray(images) ? images.length : undefined;
  const out: Float32Array[] = [];
  let batch: Float32Array[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const input = new Float32Array(batch.length * size);
    batch.forEach((img, i) => input.set(img, i * size));
    let data: Float32Array;
    if (options.extractor) {
      data = await options.extractor.run(input, batch.length);
    } else {
      const y = tf.tidy(() => backbone.model.predict(tf.tensor4d(input, [batch.length, h, w, c])) as tf.Tensor);
      try {
        data = (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    }
    const per = data.length / batch.length;
    for (let i = 0; i < batch.length; i++) out.push(data.slice(i * per, (i + 1) * per));
    batch = [];
    options.onProgress?.({ done: out.length, total });
  };
  let index = 0;
  for await (const image of images) {
    if (!(image instanceof Float32Array) || image.length !== size) {
      throw new FeatureExtractionError(
        `Image ${index} has ${image?.length ?? 'no'} values; ${backbone.name} takes ${h}x${w}x${c} = ${size} (preprocess it with backbone.preprocessing)`,
      );
    }
    batch.push(image);
    index++;
    if (batch.length === batchSize) await flush();
  }
  await flush();
  return out;
}
