import * as tf from '@tensorflow/tfjs-core';
import { tinyImages, useCpu } from '../__fixtures__/tinyBackbone';
import { tinyCxrModel } from '../__fixtures__/tinyCxrModel';
import { PredictInputError } from '../errors';
import { decide, predict } from './predict';

beforeAll(useCpu);

describe('decide', () => {
  it('decides the positive class at or above the threshold, else the most probable other class', () => {
    const classes = ['covid', 'normal'];
    expect(decide([0.3, 0.7], classes, 'covid', 0.25).decision).toBe('covid');
    expect(decide([0.3, 0.7], classes, 'covid', 0.5).decision).toBe('normal');
    expect(decide([0.5, 0.5], classes, 'covid', 0.5).decision).toBe('covid'); // >= threshold
    expect(decide([0.3, 0.7], classes, 'covid', 0.5).probabilities).toEqual({ covid: 0.3, normal: 0.7 });
    expect(decide([0.2, 0.3, 0.5], ['covid', 'pneumonia', 'normal'], 'covid', 0.5).decision).toBe('normal');
    expect(decide([0.2, 0.5, 0.3], ['covid', 'pneumonia', 'normal'], 'covid', 0.5).decision).toBe('pneumonia');
  });
});

describe('predict', () => {
  const { images } = tinyImages(5, 2);

  it('gives per-class probabilities equal to the model output, by name, in any batch size', async () => {
    const cxr = tinyCxrModel();
    const batch = tf.tensor4d(Float32Array.from(images.flatMap((i) => Array.from(i))), [5, 32, 32, 3]);
    const raw = (cxr.model.predict(batch) as tf.Tensor).arraySync() as number[][];
    const preds = await predict(cxr, images, { batchSize: 2 });
    expect(preds).toHaveLength(5);
    preds.forEach((p, i) => {
      expect(p.probabilities.covid).toBeCloseTo(raw[i][0], 6);
      expect(p.probabilities.normal).toBeCloseTo(raw[i][1], 6);
      expect(p.threshold).toBe(0.5);
      expect(p.decision).toBe(raw[i][0] >= 0.5 ? 'covid' : 'normal');
    });
    const fromTensor = await predict(cxr, batch);
    expect(fromTensor.map((p) => p.probabilities)).toEqual(preds.map((p) => p.probabilities));
    expect(batch.isDisposed).toBe(false); // the caller's tensor is left alone
    const one = await predict(cxr, images[3], { threshold: 0 });
    expect(one[0].decision).toBe('covid');
    batch.dispose();
  });

  it('uses the saved threshold unless overridden', async () => {
    const cxr = tinyCxrModel({}, 1);
    const [p] = await predict(cxr, images[0]);
    expect(p.threshold).toBe(1);
    expect(p.decision).toBe(p.probabilities.covid >= 1 ? 'covid' : 'normal');
  });

  it('leaks no tensors across a loop of predictions', async () => {
    const cxr = tinyCxrModel();
    await predict(cxr, images);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) await predict(cxr, images, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects inputs of the wrong size with the expected shape', async () => {
    const cxr = tinyCxrModel();
    await expect(predict(cxr, new Float32Array(10))).rejects.toThrow(/has 10 values, the model takes 32x32x3 = 3072/);
    const t = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    await expect(predict(cxr, t)).rejects.toThrow(PredictInputError);
    await expect(predict(cxr, images, { threshold: 2 })).rejects.toThrow(/threshold must be in \[0, 1\], got 2/);
    for (const batchSize of [0, -1, 1.5]) await expect(predict(cxr, images, { batchSize })).rejects.toThrow(/batchSize must be a positive integer/);
    t.dispose();
  });
});
