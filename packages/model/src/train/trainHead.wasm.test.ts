import * as tf from '@tensorflow/tfjs-core';
import { tinyBackbone, tinyImages } from '../__fixtures__/tinyBackbone';
import { initBackend } from '../backend/initBackend';
import { trainHead } from './trainHead';

// wasm is the default backend in Node (no Conv2DBackpropFilter: only the head trains, on features)
describe('trainHead on the wasm backend', () => {
  it('trains without leaks and agrees with the cpu backend', async () => {
    await initBackend({ backend: 'cpu' });
    const data = tinyImages(24, 8);
    const images = tf.tensor4d(Float32Array.from(data.images.flatMap((i) => Array.from(i))), [24, 32, 32, 3]);
    const features = Array.from((tinyBackbone().model.predict(images) as tf.Tensor).dataSync());
    const perImage = Array.from({ length: 24 }, (_, i) => Float32Array.from(features.slice(i * 512, (i + 1) * 512)));
    const opts = { classes: ['covid', 'normal'], head: { inputShape: [8, 8, 8] as const, poolSize: 4, units: 6 }, epochs: 2, seed: 4, classWeight: 'balanced' as const };
    const cpu = await trainHead(perImage, data.labels, opts);
    const cpuWeights = cpu.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    await initBackend({ backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    const wasm = await trainHead(perImage, data.labels, opts);
    expect(tf.memory().numTensors).toBe(before + 4);
    const wasmWeights = wasm.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(Math.max(...wasmWeights.map((v, i) => Math.abs(v - cpuWeights[i])))).toBeLessThan(1e-4);
    wasm.history.loss.forEach((l, i) => expect(l).toBeCloseTo(cpu.history.loss[i], 4));
  });
});
