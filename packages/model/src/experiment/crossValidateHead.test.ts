import * as tf from '@tensorflow/tfjs-core';
import { multiclassMetrics } from '@cxr/metrics';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { crossValidateHead } from './crossValidateHead';

beforeAll(useCpu);

/** 2x2x4 feature maps: class a has channel 0 high, class b channel 1; two images per patient. */
function data(n: number): { features: Float32Array[]; labels: string[]; groups: string[] } {
  const features: Float32Array[] = [];
  const labels: string[] = [];
  const groups: string[] = [];
  let s = 7;
  const rand = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < n; i++) {
    const label = Math.floor(i / 2) % 3 === 0 ? 'b' : 'a';
    const f = new Float32Array(16);
    for (let p = 0; p < 4; p++) {
      f[p * 4 + 0] = (label === 'a' ? 2 : 0) + rand() * 0.1;
      f[p * 4 + 1] = (label === 'b' ? 2 : 0) + rand() * 0.1;
      f[p * 4 + 2] = rand() * 0.2;
      f[p * 4 + 3] = rand() * 0.2;
    }
    features.push(f);
    labels.push(label);
    groups.push(`p${Math.floor(i / 2)}`);
  }
  return { features, labels, groups };
}

describe('crossValidateHead', () => {
  it('keeps each patient in one fold, predicts every item out of fold, and separates separable classes', async () => {
    const before = tf.memory().numTensors;
    const { features, labels, groups } = data(36);
    const cv = await crossValidateHead(features, labels, groups, {
      classes: ['a', 'b'],
      shape: [2, 2, 4],
      folds: 3,
      seed: 5,
      epochs: 20,
      learningRate: 3e-2,
      head: { poolSize: 1, units: 8, dropout: 0 },
    });
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 36; i += 2) expect(cv.foldOf[i]).toBe(cv.foldOf[i + 1]);
    expect(cv.perFold.map((f) => f.train + f.test)).toEqual([36, 36, 36]);
    expect(cv.perFold.reduce((a, f) => a + f.test, 0)).toBe(36);
    expect(cv.probabilities.every((p) => p.length === 2 && Math.abs(p[0] + p[1] - 1) < 1e-5)).toBe(true);
    const m = multiclassMetrics({ classes: cv.classes, labels, probabilities: cv.probabilities, groups, bootstrap: { iterations: 200 } });
    expect(m.perClass[0].auc.value).toBeGreaterThan(0.95);
    // Same seed, same folds and predictions.
    const again = await crossValidateHead(features, labels, groups, { classes: ['a', 'b'], shape: [2, 2, 4], folds: 3, seed: 5, epochs: 20, learningRate: 3e-2, head: { poolSize: 1, units: 8, dropout: 0 } });
    expect(again.probabilities).toEqual(cv.probabilities);
  });

  it('refuses a label outside the classes', async () => {
    const { features, groups } = data(4);
    await expect(crossValidateHead(features, ['a', 'b', 'c', 'a'], groups, { classes: ['a', 'b'], shape: [2, 2, 4] })).rejects.toThrow(/labels\[2\] is "c"/);
  });
});
