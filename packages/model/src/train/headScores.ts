import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Probability of class `classIndex` for each feature map, from a trained head in inference mode (dropout off),
 * in batches, leaving no tensors behind.
 */
export function headScores(head: tfl.LayersModel, features: readonly Float32Array[], shape: readonly number[], classIndex: number, batchSize = 64): number[] {
  const out: number[] = [];
  const size = shape.reduce((a, b) => a * b, 1);
  for (let start = 0; start < features.length; start += batchSize) {
    const chunk = features.slice(start, start + batchSize);
    const flat = new Float32Array(chunk.length * size);
    chunk.forEach((f, i) => flat.set(f, i * size));
    const probs = tf.tidy(() => {
      const x = tf.tensor(flat, [chunk.length, ...shape]);
      return (head.predict(x) as tf.Tensor).arraySync() as number[][];
    });
    for (const row of probs) out.push(row[classIndex]);
  }
  return out;
}
