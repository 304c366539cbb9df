import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '@cxr/metrics';
import { trainHead } from '../train/trainHead';
import { cropToPooledCells } from './cropToPooledCells';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cropToPooledCells', () => {
  it('keeps the cells a valid 4x4 pooling reads (by hand on a 5x6 map)', () => {
    const map = Float32Array.from({ length: 5 * 6 * 2 }, (_, i) => i);
    const { features, shape } = cropToPooledCells([map], [5, 6, 2], 4);
    expect(shape).toEqual([4, 4, 2]);
    // row y, column x, channel k of the 5x6x2 map is (y * 6 + x) * 2 + k
    const expected = [];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let k = 0; k < 2; k++) expected.push((y * 6 + x) * 2 + k);
    expect(Array.from(features[0])).toEqual(expected);
  });

  it('a fine-tuned head trained on the cropped maps equals one trained on the whole maps', async () => {
    const rng = createRng(4);
    // a class signal on every cell (covid maps brighter), so the head and the block have gradients
    const maps = Array.from({ length: 12 }, (_, i) => Float32Array.from({ length: 7 * 7 * 3 }, () => rng.next() + (i % 2 ? 0.8 : 0)));
    const labels = maps.map((_, i) => (i % 2 ? 'covid' : 'normal'));
    const layer = { name: 'pw', units: 4, activation: 'relu6' as const, kernel: Float32Array.from({ length: 12 }, (_, i) => (i % 5) / 5 - 0.3), bias: new Float32Array(4).fill(0.1), layers: ['pw'] };
    const opts = { classes: ['covid', 'normal'], epochs: 2, seed: 3, learningRate: 1e-2, fineTune: { layers: [layer], learningRate: 1e-2 } };
    const whole = await trainHead(maps, labels, { ...opts, head: { inputShape: [7, 7, 3] as const, units: 16 } });
    const crop = cropToPooledCells(maps, [7, 7, 3], 4);
    const cropped = await trainHead(crop.features, labels, { ...opts, head: { inputShape: crop.shape, units: 16 } });
    const a = whole.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    const b = cropped.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(a.length).toBe(b.length);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-6);
    // and training moved them (the equality is not of two untouched heads)
    expect(whole.history.loss[1]).toBeLessThan(whole.history.loss[0]);
    expect(Math.max(...Array.from(whole.head.getLayer('finetune_pw').getWeights()[0].dataSync()).map((v, i) => Math.abs(v - layer.kernel[i])))).toBeGreaterThan(1e-4);
    whole.head.dispose();
    cropped.head.dispose();
  });
});
