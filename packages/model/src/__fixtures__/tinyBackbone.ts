import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BackboneLike } from '../head/createClassifier';
import { createRng } from '@cxr/metrics';

/** Sets the cpu backend once (tests only). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * A tiny frozen conv base for tests: 32x32x3 -> conv3x3(4, relu) -> maxpool 2 -> conv3x3(8, relu, 'same')
 * -> maxpool 2 = 8x8x8. Weights are seeded Glorot-uniform, so it is deterministic.
 */
export function tinyBackbone(seed = 7): BackboneLike {
  const input = tfl.input({ shape: [32, 32, 3], name: 'image' });
  let x = tfl.layers
    .conv2d({ name: 'conv1', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2d({ name: 'conv2', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ name: 'tiny', inputs: input, outputs: x });
  for (const l of model.layers) l.trainable = false;
  return { name: 'tiny', model, outputShape: [8, 8, 8], weightsHash: 'tiny-seed-' + seed };
}

/** Deterministic pseudo-random images in [0, 1], NHWC 32x32x3, two visibly different classes. */
export function tinyImages(n: number, seed = 1): { images: Float32Array[]; labels: string[] } {
  const rng = createRng(seed >>> 0);
  const rand = () => rng.next();
  const images: Float32Array[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const covid = i % 3 !== 0; // imbalanced on purpose: 2/3 covid
    const img = new Float32Array(32 * 32 * 3);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        // covid: brighter lower half ("opacities"); normal: uniform
        const base = covid && y > 16 ? 0.7 : 0.3;
        const v = Math.min(1, Math.max(0, base + (rand() - 0.5) * 0.4));
        for (let c = 0; c < 3; c++) img[(y * 32 + x) * 3 + c] = v;
      }
    images.push(img);
    labels.push(covid ? 'covid' : 'normal');
  }
  return { images, labels };
}
