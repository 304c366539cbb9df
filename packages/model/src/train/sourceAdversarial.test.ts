import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { TrainingInputError } from '../errors';
import { gradientReversal, SourceAdversary, sourceAdversaryWeights } from './sourceAdversarial';

beforeAll(useCpu);

describe('gradientReversal', () => {
  it('is the identity forward and flips (and scales) the gradient backward', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = gradientReversal(x, 2);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    // d/dx sum(3 * x) = 3 without reversal; -2 * 3 = -6 through it
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gradientReversal(t, 2), 3)))(x);
    expect(Array.from(g.dataSync())).toEqual([-6, -6, -6]);
    const plain = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, 3)))(x);
    expect(Array.from(plain.dataSync())).toEqual([3, 3, 3]);
    tf.dispose([x, y, g, plain]);
  });
});

describe('sourceAdversaryWeights', () => {
  it('balances sources within each class with two or more sources, 0 elsewhere (by hand)', () => {
    expect(sourceAdversaryWeights([0, 0, 0, 1], [0, 0, 1, 0])).toEqual([0.75, 0.75, 1.5, 0]);
  });
});

describe('SourceAdversary', () => {
  // units 2, classes 2, sources 2; class 0 has only source 0, class 1 both
  const present = [
    [true, false],
    [true, true],
  ];
  const setWeights = (a: SourceAdversary) => {
    // columns: (class 0, source 0), (class 0, source 1), (class 1, source 0), (class 1, source 1)
    a.kernel.assign(tf.tensor2d([[0, 0, 1, 0], [0, 0, 0, 0.5]]));
    a.bias.assign(tf.zeros([4]));
  };

  it('computes the class-conditional source cross-entropy and its gradients (by hand)', () => {
    const a = new SourceAdversary(2, 2, 2, present, 1);
    setWeights(a);
    const h = tf.tensor2d([[1, 2]]);
    const cls = tf.tensor1d([1], 'int32');
    const src = tf.tensor1d([0], 'int32');
    const w = tf.tensor1d([1]);
    // class 1's block: z = [1 * 1, 2 * 0.5] = [1, 1]; p = [0.5, 0.5]; CE = ln 2
    expect(a.loss(h, cls, src, w, 2).dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    expect(Array.from(a.predict(h, cls).dataSync())).toEqual([0.5, 0.5]);
    // dCE/dz = p - y = [-0.5, 0.5]; dCE/dh = W_block (p - y) = [1 * -0.5, 0.5 * 0.5] = [-0.5, 0.25];
    // through the reversal with lambda 2 the features get [1, -0.5]: they are pushed to make the source LESS predictable
    const gh = tf.grad((x: tf.Tensor) => a.loss(x, cls, src, w, 2))(h);
    const expectedH = [1, -0.5];
    Array.from(gh.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expectedH[i], 6));
    // the classifier's own gradient is not reversed: dCE/dW[:, class 1 block] = h (p - y)
    const { grads } = tf.variableGrads(() => a.loss(h, cls, src, w, 2), [a.kernel]);
    const gk = grads[a.kernel.name].arraySync() as number[][];
    expect(gk[0]).toEqual([0, 0, -0.5, 0.5]);
    expect(gk[1]).toEqual([0, 0, -1, 1]);
    tf.dispose([h, cls, src, w, gh, ...Object.values(grads)]);
    a.dispose();
  });

  it('leaves sources a class never has out of its softmax, and weights each sample', () => {
    const a = new SourceAdversary(2, 2, 2, present, 1);
    setWeights(a);
    const h = tf.tensor2d([[1, 2], [1, 2]]);
    const cls = tf.tensor1d([0, 1], 'int32');
    const src = tf.tensor1d([0, 0], 'int32');
    // class 0 has one source: its probability is 1, CE 0; the class 1 sample weighs 3: (0 + 3 ln 2) / 2
    expect(a.loss(h, cls, src, tf.tensor1d([1, 3]), 1).dataSync()[0]).toBeCloseTo((3 * Math.LN2) / 2, 6);
    expect(Array.from(a.predict(h, cls).dataSync()).slice(0, 2)).toEqual([1, 0]);
    tf.dispose([h, cls, src]);
    a.dispose();
  });

  it('needs two sources', () => {
    expect(() => new SourceAdversary(2, 2, 1, [[true], [true]], 1)).toThrow(TrainingInputError);
  });
});
