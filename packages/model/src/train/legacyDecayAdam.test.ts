import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { LegacyDecayAdam, legacyDecayLearningRate } from './legacyDecayAdam';

beforeAll(useCpu);

describe('LegacyDecayAdam', () => {
  it('follows Keras legacy decay lr / (1 + decay * t) (hand values)', () => {
    expect(legacyDecayLearningRate(1e-3, 1e-4, 0)).toBe(1e-3);
    expect(legacyDecayLearningRate(1e-3, 1e-4, 10)).toBeCloseTo(1e-3 / 1.001, 15);
    expect(legacyDecayLearningRate(0.1, 0.5, 2)).toBeCloseTo(0.05, 15);
  });

  it('updates a parameter exactly as a hand-written float64 Adam with that learning rate', () => {
    const lr = 0.1;
    const decay = 0.5;
    const opt = new LegacyDecayAdam({ learningRate: lr, decay });
    const x = tf.variable(tf.scalar(1));
    // reference: Kingma & Ba Adam with epsilon outside the sqrt (as Keras / tfjs), lr_t by the legacy formula
    let ref = 1;
    let m = 0;
    let v = 0;
    const lrs: number[] = [];
    for (let t = 0; t < 6; t++) {
      lrs.push(opt.currentLearningRate);
      opt.minimize(() => tf.square(x) as tf.Scalar, false, [x]); // d/dx x^2 = 2x
      const g = 2 * ref;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      const mHat = m / (1 - 0.9 ** (t + 1));
      const vHat = v / (1 - 0.999 ** (t + 1));
      ref -= (lr / (1 + decay * t)) * (mHat / (Math.sqrt(vHat) + 1e-7));
      expect(x.dataSync()[0]).toBeCloseTo(ref, 5);
    }
    expect(lrs).toEqual([0.1, 0.1 / 1.5, 0.1 / 2, 0.1 / 2.5, 0.1 / 3, 0.1 / 3.5]);
    expect(opt.iterations).toBe(6);
    opt.dispose();
    x.dispose();
  });
});
