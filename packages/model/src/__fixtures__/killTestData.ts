import * as tf from '@tensorflow/tfjs-core';
import type { TrainHeadOptions } from '../train/trainHead';
import { tinyBackbone, tinyImages, useCpu } from './tinyBackbone';

/** The training both the killed child and the test's uninterrupted run do. */
export const KILL_TEST_OPTIONS: TrainHeadOptions = {
  classes: ['covid', 'normal'],
  head: { poolSize: 4, units: 6, dropout: 0.3 },
  epochs: 6,
  batchSize: 4,
  seed: 5,
  classWeight: 'balanced',
  earlyStopping: { patience: 10 },
};

/** Deterministic features of the tiny base: 40 training and 12 validation images. */
export async function killTestData(): Promise<{
  features: tf.Tensor4D;
  labels: string[];
  validation: { features: tf.Tensor4D; labels: string[] };
}> {
  await useCpu();
  const base = tinyBackbone();
  const featuresOf = (images: Float32Array[]) =>
    tf.tidy(() => base.model.predict(tf.tensor4d(Float32Array.from(images.flatMap((i) => Array.from(i))), [images.length, 32, 32, 3])) as tf.Tensor4D);
  const train = tinyImages(40, 3);
  const val = tinyImages(12, 9);
  return { features: featuresOf(train.images), labels: train.labels, validation: { features: featuresOf(val.images), labels: val.labels } };
}
