import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createBackbone } from '../backbones/createBackbone';
import { FeatureExtractionError } from '../errors';
import { extractFeatures, type FeatureProgress } from './extractFeatures';

const H = 8;
/** 1-block VGG with 3 filters whose kernels are the identity (centre tap): output = maxpool2x2(relu(x)). */
function identityVgg() {
  const backbone = createBackbone({ name: 'vgg16', inputShape: [H, H, 3], blocks: 1, widthMultiplier: 3 / 64 });
  for (const name of ['block1_conv1', 'block1_conv2']) {
    const kernel = new Float32Array(3 * 3 * 3 * 3);
    for (let c = 0; c < 3; c++) kernel[((1 * 3 + 1) * 3 + c) * 3 + c] = 1;
    backbone.model.getLayer(name).setWeights([tf.tensor4d(kernel, [3, 3, 3, 3]), tf.zeros([3])]);
  }
  return backbone;
}
function image(seed: number): Float32Array {
  return Float32Array.from({ length: H * H * 3 }, (_, i) => Math.sin(seed * 13.7 + i * 0.91) * 2);
}
/** The reference: 2x2 max-pool of ReLU, by hand. */
function expected(x: Float32Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < H / 2; r++)
    for (let c = 0; c < H / 2; c++)
      for (let k = 0; k < 3; k++) {
        const at = (rr: number, cc: number) => Math.max(0, x[(rr * H + cc) * 3 + k]);
        out.push(Math.max(at(2 * r, 2 * c), at(2 * r, 2 * c + 1), at(2 * r + 1, 2 * c), at(2 * r + 1, 2 * c + 1)));
      }
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('extractFeatures', () => {
  it('returns maxpool(relu(x)) per image, in input order, across uneven batches', async () => {
    const backbone = identityVgg();
    const images = Array.from({ length: 7 }, (_, i) => image(i));
    const progress: FeatureProgress[] = [];
    const features = await extractFeatures(backbone, images, { batchSize: 3, onProgress: (p) => progress.push(p) });
    expect(features).toHaveLength(7);
    features.forEach((f, i) => {
      expect(f.length).toBe(4 * 4 * 3);
      Array.from(f).forEach((v, j) => expect(v).toBeCloseTo(expected(images[i])[j], 5));
    });
    expect(progress).toEqual([{ done: 3, total: 7 }, { done: 6, total: 7 }, { done: 7, total: 7 }]);
    backbone.model.dispose();
  });

  it('accepts an async iterable and leaks no tensors over many calls', async () => {
    const backbone = identityVgg();
    async function* gen() {
      for (let i = 0; i < 5; i++) yield image(i);
    }
    await extractFeatures(backbone, gen(), { batchSize: 2 }); // warm-up
    const before = tf.memory().numTensors;
    for (let round = 0; round < 4; round++) {
      const f = await extractFeatures(backbone, gen(), { batchSize: 2 });
      expect(f).toHaveLength(5);
      expect(tf.memory().numTensors).toBe(before);
    }
    backbone.model.dispose();
  });

  it('names the image whose size is wrong, and leaks nothing on the way out', async () => {
    const backbone = identityVgg();
    const before = tf.memory().numTensors;
    await expect(extractFeatures(backbone, [image(0), new Float32Array(10)], { batchSize: 1 })).rejects.toThrow(
      new FeatureExtractionError('Image 1 has 10 values; vgg16 takes 8x8x3 = 192 (preprocess it with backbone.preprocessing)'),
    );
    expect(tf.memory().numTensors).toBe(before);
    await expect(extractFeatures(backbone, [], { batchSize: 0 })).rejects.toThrow(FeatureExtractionError);
    backbone.model.dispose();
  });
});
