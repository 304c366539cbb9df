import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { PredictInputError } from '../errors';

/** One image (HWC `Float32Array` or `[h, w, c]` tensor), several images, or a `[n, h, w, c]` batch. */
export type ModelInput = Float32Array | readonly Float32Array[] | tf.Tensor3D | tf.Tensor4D;

/** The model's per-image input shape `[h, w, c]`. */
function modelInputShape(model: tfl.LayersModel): [number, number, number] {
  const shape = model.inputs[0].shape.slice(1);
  if (shape.length !== 3 || shape.some((n) => n == null)) {
    throw new PredictInputError(`Model ${model.name} input must be [h, w, c] with fixed sizes, got [${shape.join(', ')}]`);
  }
  return shape as [number, number, number];
}

/**
 * Turns any {@link ModelInput} into a `[n, h, w, c]` float32 tensor (a new tensor the caller disposes),
 * checking it matches the model's input shape; `PredictInputError` says what was expected and got.
 */
export function toInputBatch(model: tfl.LayersModel, input: ModelInput): tf.Tensor4D {
  const [h, w, c] = modelInputShape(model);
  const size = h * w * c;
  if (input instanceof tf.Tensor) {
    const shape = input.rank === 3 ? [1, ...input.shape] : input.shape;
    if (shape.length !== 4 || shape[1] !== h || shape[2] !== w || shape[3] !== c) {
      throw new PredictInputError(`Input tensor has shape [${input.shape.join(', ')}], the model takes [n, ${h}, ${w}, ${c}]`);
    }
    const shape4 = shape as [number, number, number, number];
    return tf.tidy(() => tf.cast(tf.reshape(input, shape4), 'float32')) as tf.Tensor4D;
  }
  const images = input instanceof Float32Array ? [input] : input;
  if (!Array.isArray(images) || images.length === 0) throw new PredictInputError('No input images');
  const all = new Float32Array(images.length * size);
  images.forEach((img, i) => {
    if (!(img instanceof Float32Array) || img.length !== size) {
      throw new PredictInputError(`Input image ${i} has ${img?.length} values, the model takes ${h}x${w}x${c} = ${size} (HWC float32)`);
    }
    all.set(img, i * size);
  });
  return tf.tensor4d(all, [images.length, h, w, c]);
}
