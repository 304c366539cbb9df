import * as tf from '@tensorflow/tfjs-core';
import { HAND_B, HAND_W, HAND_X, handCamModel } from '../__fixtures__/handCamModel';
import { tinyBackbone, tinyImages, useCpu } from '../__fixtures__/tinyBackbone';
import { GradCamLayerError, PredictInputError } from '../errors';
import { createClassifier } from '../head/createClassifier';
import { findGradCamLayer, gradCam } from './gradCam';

beforeAll(useCpu);

/** Hand Grad-CAM of the fixture: relu(sum_k alpha_k A_k) / max, with A_0 = x, A_1 = 0.5 - x. */
function handCam(alpha: [number, number]): number[] {
  const cam = HAND_X.map((x) => Math.max(0, alpha[0] * x + alpha[1] * (0.5 - x)));
  const max = Math.max(...cam);
  return cam.map((v) => (max > 0 ? v / max : 0));
}
function handProbs(): number[] {
  const m0 = HAND_X.reduce((s, v) => s + v, 0) / 16;
  const means = [m0, 0.5 - m0];
  const logits = [0, 1].map((c) => means[0] * HAND_W[0][c] + means[1] * HAND_W[1][c] + HAND_B[c]);
  const e = logits.map(Math.exp);
  return e.map((v) => v / (e[0] + e[1]));
}

describe('gradCam', () => {
  const x = Float32Array.from(HAND_X);

  it.each([0, 1])('equals the hand computation on a linear head (class %i, logit score: alpha_k = W[k][c] / 16)', async (c) => {
    const model = handCamModel();
    const r = await gradCam(model, x, { classIndex: c });
    expect([r.width, r.height, r.layerName, r.classIndex]).toEqual([4, 4, 'conv', c]);
    const expected = handCam([HAND_W[0][c] / 16, HAND_W[1][c] / 16]);
    Array.from(r.heatmap).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect(Math.max(...r.heatmap)).toBeCloseTo(1, 6);
    r.probabilities.forEach((p, i) => expect(p).toBeCloseTo(handProbs()[i], 6));
  });

  it('differentiates the probability when asked: alpha_k = p0 p1 (W[k][0] - W[k][1]) / 16 for class 0', async () => {
    const [p0, p1] = handProbs();
    const r = await gradCam(handCamModel(), x, { classIndex: 0, score: 'probability' });
    const a = [0, 1].map((k) => (p0 * p1 * (HAND_W[k][0] - HAND_W[k][1])) / 16) as [number, number];
    const expected = handCam(a);
    Array.from(r.heatmap).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('defaults to the predicted class', async () => {
    const p = handProbs();
    const r = await gradCam(handCamModel(), x);
    expect(r.classIndex).toBe(p[0] > p[1] ? 0 : 1);
  });

  it('picks the last conv layer of a classifier (before the head) and leaks no tensors', async () => {
    const classifier = createClassifier(tinyBackbone(), { poolSize: 4, units: 6 });
    expect(findGradCamLayer(classifier).name).toBe('conv2');
    const { images } = tinyImages(1);
    const first = await gradCam(classifier, images[0]);
    expect([first.width, first.height, first.layerName]).toEqual([16, 16, 'conv2']);
    expect(first.heatmap.every((v) => v >= 0 && v <= 1)).toBe(true);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await gradCam(classifier, images[0], { classIndex: i % 2 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('agrees with finite differences on the notebook head (dense relu + dropout, inference mode)', async () => {
    const classifier = createClassifier(tinyBackbone(), { poolSize: 2, units: 6, seed: 3 });
    const { images } = tinyImages(1, 4);
    const r = await gradCam(classifier, images[0], { classIndex: 0, score: 'probability' });
    // reference: alpha_k by central differences of p_0 over a uniform shift of map k, divided by h*w
    const bottom = (await import('@tensorflow/tfjs-layers')).model({ inputs: classifier.inputs, outputs: classifier.getLayer('conv2').output as never });
    const a = bottom.predict(tf.tensor4d(images[0], [1, 32, 32, 3])) as tf.Tensor4D;
    const topLayers = classifier.layers.slice(classifier.layers.findIndex((l) => l.name === 'conv2') + 1);
    const p0 = (fm: tf.Tensor) => topLayers.reduce((y, l) => l.apply(y, { training: false }) as tf.Tensor, fm).dataSync()[0];
    const eps = 1e-3; // small enough not to cross a ReLU kink, large enough for float32
    const alpha = Array.from({ length: 8 }, (_, k) => {
      const shift = tf.reshape(tf.mul(tf.oneHot([k], 8), eps), [1, 1, 1, 8]);
      return (p0(tf.add(a, shift)) - p0(tf.sub(a, shift))) / (2 * eps) / (16 * 16);
    });
    const A = a.arraySync()[0];
    const cam = A.flatMap((row) => row.map((px) => Math.max(0, px.reduce((s, v, k) => s + v * alpha[k], 0))));
    const max = Math.max(...cam);
    cam.forEach((v, i) => expect(Math.abs(r.heatmap[i] - v / max)).toBeLessThan(0.01));
    expect(cam.filter((v) => v > 0).length).toBeGreaterThan(10);
  });

  it('names a missing or unusable layer and rejects batches', async () => {
    const model = handCamModel();
    await expect(gradCam(model, x, { layerName: 'nope' })).rejects.toThrow(GradCamLayerError);
    await expect(gradCam(model, x, { layerName: 'out' })).rejects.toThrow(/Layer out .*needs a \[n, h, w, k\] feature map/);
    await expect(gradCam(model, [x, x])).rejects.toThrow(PredictInputError);
    await expect(gradCam(model, new Float32Array(5))).rejects.toThrow(/has 5 values, the model takes 4x4x1 = 16/);
    const before = tf.memory().numTensors;
    await expect(gradCam(model, x, { classIndex: 2 })).rejects.toThrow(/classIndex 2 is not in 0..1/);
    await expect(gradCam(model, [x, x])).rejects.toThrow(PredictInputError);
    expect(tf.memory().numTensors).toBe(before); // the input batch is disposed on these error paths too
  });
});
