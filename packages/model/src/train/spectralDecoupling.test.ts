import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { TrainingInputError } from '../errors';
import { spectralDecouplingPenalty } from './spectralDecoupling';

beforeAll(useCpu);

describe('spectralDecouplingPenalty', () => {
  it('is lambda / 2 * the batch mean of the squared logit norms (by hand)', () => {
    const z = tf.tensor2d([[1, 2], [3, 0]]);
    // (1 + 4) and (9 + 0): mean 7; 0.1 / 2 * 7 = 0.35
    expect(spectralDecouplingPenalty(z, 0.1).dataSync()[0]).toBeCloseTo(0.35, 7);
    expect(spectralDecouplingPenalty(z, 0).dataSync()[0]).toBe(0);
    z.dispose();
  });

  it('has the gradient lambda * z / batch with respect to the logits (by hand)', () => {
    const z = tf.tensor2d([[1, 2], [3, 0]]);
    const g = tf.grad((x: tf.Tensor) => spectralDecouplingPenalty(x, 0.1))(z);
    const expected = [0.05, 0.1, 0.15, 0];
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 7));
    tf.dispose([z, g]);
  });

  it('refuses a negative or non-finite lambda', () => {
    const z = tf.tensor2d([[1, 2]]);
    expect(() => spectralDecouplingPenalty(z, -1)).toThrow(TrainingInputError);
    expect(() => spectralDecouplingPenalty(z, Number.NaN)).toThrow(/finite number >= 0/);
    z.dispose();
  });
});
