import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { TrainingInputError } from '../errors';
import { createHead } from './createHead';

beforeAll(useCpu);

describe('createHead', () => {
  it('builds the notebook head: pool 4x4 -> flatten -> dense 64 relu -> dropout 0.5 -> dense 2 softmax', () => {
    const head = createHead({ inputShape: [7, 7, 512] });
    const layers = head.layers.map((l) => [l.getClassName(), l.outputShape]);
    expect(layers).toEqual([
      ['AveragePooling2D', [null, 1, 1, 512]], // floor((7 - 4) / 4) + 1 = 1
      ['Flatten', [null, 512]],
      ['Dense', [null, 64]],
      ['Dropout', [null, 64]],
      ['Dense', [null, 2]],
    ]);
    // hand count: 512*64 + 64 + 64*2 + 2
    expect(head.countParams()).toBe(32962);
    const cfg = head.layers[3].getConfig();
    expect(cfg.rate).toBe(0.5);
    expect(head.layers[2].getConfig().activation).toBe('relu');
    expect(head.layers[4].getConfig().activation).toBe('softmax');
    head.dispose();
  });

  it('initialises kernels Glorot-uniform within sqrt(6 / (fanIn + fanOut)), biases zero, seeded', () => {
    const a = createHead({ inputShape: [7, 7, 512], seed: 3 });
    const b = createHead({ inputShape: [7, 7, 512], seed: 3 });
    const c = createHead({ inputShape: [7, 7, 512], seed: 4 });
    const k = a.layers[2].getWeights()[0].dataSync();
    const limit = Math.sqrt(6 / (512 + 64));
    let sumSq = 0;
    for (const v of k) {
      expect(Math.abs(v)).toBeLessThanOrEqual(limit);
      sumSq += v * v;
    }
    // uniform(-l, l) has standard deviation l / sqrt(3)
    expect(Math.sqrt(sumSq / k.length)).toBeCloseTo(limit / Math.sqrt(3), 2);
    expect(Array.from(a.layers[2].getWeights()[1].dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(b.layers[2].getWeights()[0].dataSync())).toEqual(Array.from(k));
    expect(Array.from(c.layers[2].getWeights()[0].dataSync())).not.toEqual(Array.from(k));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('averages 4x4 blocks (hand check on a 4x4x1 map with unit weights)', () => {
    const head = createHead({ inputShape: [4, 4, 1], units: 1, dropout: 0, classes: 2 });
    head.layers[2].setWeights([tf.ones([1, 1]), tf.zeros([1])]); // dense: y = relu(mean)
    head.layers[3].setWeights([tf.tensor2d([[1, -1]]), tf.zeros([2])]); // logits (m, -m)
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]); // mean 7.5
    const p = (head.predict(x) as tf.Tensor).dataSync();
    const expected = 1 / (1 + Math.exp(-2 * 7.5)); // softmax([m, -m])[0] = sigmoid(2m)
    expect(p[0]).toBeCloseTo(expected, 6);
    expect(p[0] + p[1]).toBeCloseTo(1, 6);
    expect(head.layers.some((l) => l instanceof tfl.layers.Layer && l.getClassName() === 'Dropout')).toBe(false);
    head.dispose();
    x.dispose();
  });

  it('rejects bad sizes with a typed error naming the value', () => {
    expect(() => createHead({ inputShape: [3, 3, 8] })).toThrow(TrainingInputError);
    expect(() => createHead({ inputShape: [3, 3, 8] })).toThrow(/poolSize 4/);
    expect(() => createHead({ inputShape: [7, 7, 512], dropout: 1 })).toThrow(/dropout must be in \[0, 1\), got 1/);
    expect(() => createHead({ inputShape: [7, 7, 512], classes: 1 })).toThrow(TrainingInputError);
  });
});
