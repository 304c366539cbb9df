import * as tf from '@tensorflow/tfjs-core';
import { HAND_W, HAND_X, handCamModel } from '../__fixtures__/handCamModel';
import { tinyBackbone, tinyImages } from '../__fixtures__/tinyBackbone';
import { initBackend } from '../backend/initBackend';
import { createClassifier } from '../head/createClassifier';
import { gradCam } from './gradCam';

// Grad-CAM needs gradients with respect to the conv output only (through the head), which the wasm
// backend has, though it lacks Conv2DBackpropFilter.
beforeAll(async () => {
  const info = await initBackend({ backend: 'wasm' });
  expect(info.name).toBe('wasm');
});

describe('gradCam on the wasm backend', () => {
  it('equals the hand computation and the cpu result', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const r = await gradCam(handCamModel(), Float32Array.from(HAND_X), { classIndex: 0 });
    const cam = HAND_X.map((x) => Math.max(0, (HAND_W[0][0] * x + HAND_W[1][0] * (0.5 - x)) / 16));
    const max = Math.max(...cam);
    Array.from(r.heatmap).forEach((v, i) => expect(v).toBeCloseTo(cam[i] / max, 5));
  });

  it('explains a conv classifier without leaking tensors', async () => {
    const classifier = createClassifier(tinyBackbone(), { poolSize: 4, units: 6 });
    const { images } = tinyImages(1);
    const wasm = await gradCam(classifier, images[0]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await gradCam(classifier, images[0]);
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    const cpu = await gradCam(classifier, images[0]);
    expect(cpu.classIndex).toBe(wasm.classIndex);
    Array.from(cpu.heatmap).forEach((v, i) => expect(wasm.heatmap[i]).toBeCloseTo(v, 4));
  });
});
