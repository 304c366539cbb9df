/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { createVgg16 } from '../backbones/createVgg16';
import { cutModel } from '../backbones/cutModel';
import { OnnxRuntimeError } from '../errors';
import { loadLayersModelFromDir } from '../weights/loadLayersModelFromDir';
import { createOnnxExtractor } from './createOnnxExtractor';
import { SHARED_DATA } from '../__fixtures__/sharedData';
import { relativeError } from './__fixtures__/relativeError';

// Real data (never copied into the repo): ImageNet MobileNet v1 weights and NIH ChestX-ray14 images.
const SHARED = SHARED_DATA;
const MOBILENET_DIR = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const NIH_DIR = path.join(SHARED, 'nih-cxr14/images');

/** n NIH images, grey 224x224 (sharp, bilinear), replicated to 3 channels, scaled to [-1, 1] (MobileNet's range). */
async function realImages(n: number): Promise<Float32Array> {
  const files = readdirSync(NIH_DIR).filter((f) => f.endsWith('.png')).sort().slice(0, n);
  expect(files).toHaveLength(n);
  const out = new Float32Array(n * 224 * 224 * 3);
  for (const [i, file] of files.entries()) {
    const grey = await sharp(path.join(NIH_DIR, file)).greyscale().resize(224, 224, { fit: 'fill' }).raw().toBuffer();
    expect(grey.length).toBe(224 * 224);
    for (let p = 0; p < grey.length; p++) out.fill(grey[p] / 127.5 - 1, (i * grey.length + p) * 3, (i * grey.length + p + 1) * 3);
  }
  return out;
}

/** The tfjs (wasm backend) forward pass: the reference. */
async function tfjsFeatures(model: tfl.LayersModel, input: Float32Array, n: number): Promise<Float32Array> {
  const x = tf.tensor4d(input, [n, 224, 224, 3]);
  const y = model.predict(x) as tf.Tensor;
  const data = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return data;
}

let images: Float32Array;

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  images = await realImages(3);
});

describe('onnxruntime vs tfjs-wasm on real chest X-rays', () => {
  it('MobileNet v1 (ImageNet weights: depthwise, batch norm, relu6, strided SAME convs) within 1e-4', async () => {
    const model = await loadLayersModelFromDir(MOBILENET_DIR);
    const extractor = await createOnnxExtractor({ model, intraOpNumThreads: 2 });
    try {
      expect(extractor.info).toMatchObject({ engine: 'onnxruntime-node', threads: 2, onnxCache: 'none' });
      expect(extractor.inputShape).toEqual([224, 224, 3]);
      expect(extractor.outputShape).toEqual([7, 7, 1024]);
      const reference = await tfjsFeatures(model, images, 3);
      const features = await extractor.run(images, 3);
      expect(relativeError(features, reference)).toBeLessThan(1e-4);
      // relu6 features: all in [0, 6], and the images are not all alike.
      expect(Math.min(...features.subarray(0, 5000))).toBeGreaterThanOrEqual(0);
      expect(relativeError(features.subarray(0, 7 * 7 * 1024), features.subarray(7 * 7 * 1024, 2 * 7 * 7 * 1024))).toBeGreaterThan(0.01);
      // Batch independence: image 2 alone gives the same features as within the batch.
      const single = await extractor.run(images.slice(2 * 224 * 224 * 3), 1);
      expect(relativeError(single, reference.subarray(2 * 7 * 7 * 1024))).toBeLessThan(1e-4);
    } finally {
      await extractor.dispose();
    }
    // Cut inside the network (28x28x256 after block 5).
    const cut = await createOnnxExtractor({ model, cutLayer: 'conv_pw_5_relu', intraOpNumThreads: 2 });
    try {
      expect(cut.outputShape).toEqual([28, 28, 256]);
      const reference = await tfjsFeatures(cutModel(model, 'conv_pw_5_relu'), images.subarray(0, 224 * 224 * 3), 1);
      expect(relativeError(await cut.run(images.subarray(0, 224 * 224 * 3), 1), reference)).toBeLessThan(1e-4);
    } finally {
      await cut.dispose();
    }
    model.dispose();
  });

  it('VGG16 conv base (seeded random weights, 224x224) within 1e-4', async () => {
    const model = createVgg16({ seed: 42 });
    const extractor = await createOnnxExtractor({ model, intraOpNumThreads: 2 });
    try {
      expect(extractor.outputShape).toEqual([7, 7, 512]);
      const one = images.subarray(0, 224 * 224 * 3);
      const reference = await tfjsFeatures(model, one, 1);
      expect(relativeError(await extractor.run(one, 1), reference)).toBeLessThan(1e-4);
    } finally {
      await extractor.dispose();
      model.dispose();
    }
  });
});

describe('createOnnxExtractor input checks', () => {
  it('names the expected size of a wrong batch, and refuses after dispose', async () => {
    const model = createVgg16({ inputShape: [32, 32, 3], widthMultiplier: 1 / 16, blocks: 2, seed: 1 });
    const extractor = await createOnnxExtractor({ model, intraOpNumThreads: 1 });
    await expect(extractor.run(new Float32Array(100), 1)).rejects.toThrow(/batch has 100 values; expected n x 32 x 32 x 3 = 3072 for n = 1/);
    await expect(extractor.run(new Float32Array(3072), 2)).rejects.toThrow(OnnxRuntimeError);
    expect((await extractor.run(new Float32Array(2 * 3072), 2)).length).toBe(2 * 8 * 8 * 8);
    await extractor.dispose();
    await expect(extractor.run(new Float32Array(3072), 1)).rejects.toThrow(/after dispose/);
    model.dispose();
  });

  it('rejects bytes that are not an ONNX model, and a bad thread count', async () => {
    await expect(createOnnxExtractor({ onnxBytes: new Uint8Array([1, 2, 3, 4]) })).rejects.toThrow(/could not load the backbone graph \(4 bytes\)/);
    await expect(createOnnxExtractor({ onnxBytes: new Uint8Array(8), intraOpNumThreads: 0 })).rejects.toThrow(/intraOpNumThreads must be a positive integer, got 0/);
  });
});
