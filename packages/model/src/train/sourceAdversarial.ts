import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TrainingInputError } from '../errors';
import { cellCounts } from './sourceBalancedWeights';

let adversaries = 0;

/** Options of the source-adversarial penalty. */
export interface SourceAdversarialOptions {
  /**
   * Gradient reversal strength lambda: the head's hidden layer receives `-weight` times the gradient of the source
   * classifier's loss (Ganin & Lempitsky 2015), so it learns to make the source unpredictable. Must be > 0.
   */
  weight: number;
}

/**
 * Gradient reversal: the identity forward, `-lambda * dy` backward. Whatever minimises a loss computed after it
 * (a source classifier) pushes what comes before it (the features) to MAXIMISE that loss.
 *
 * @example tf.grad((x) => tf.sum(gradientReversal(x, 2)))(tf.ones([3])) // [-2, -2, -2]
 */
export function gradientReversal(x: tf.Tensor, lambda: number): tf.Tensor {
  const reverse = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.clone(input),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, -lambda),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return reverse(x) as tf.Tensor;
}

/**
 * Weights of the source classifier's loss per sample: within each class with at least two sources, every source
 * weighs the same (`n_c / (S_c * n_cs)`, so a hospital with 9 normals counts as much as one with 70); 0 for classes
 * with one source, whose source says nothing a class label does not already say.
 *
 * @example sourceAdversaryWeights([0, 0, 0, 1], [0, 0, 1, 0]) // [0.75, 0.75, 1.5, 0]
 */
export function sourceAdversaryWeights(labels: readonly number[], sources: readonly number[]): number[] {
  const count = cellCounts(labels, sources);
  return labels.map((c, i) => {
    const { n, k, ncs } = count(c, sources[i]);
    return k < 2 ? 0 : n / (k * ncs);
  });
}

/**
 * A source classifier conditioned on the class: one linear softmax over the sources per class, reading the head's
 * hidden layer through a gradient reversal. Conditioning on the class is what makes it ask "which hospital is this
 * normal from?" rather than "is this covid?" (a source that holds all covid images would otherwise be predictable
 * from the disease itself). Train its variables with the head's, in the same optimiser step: the classifier learns
 * the source, the head learns to hide it.
 */
export class SourceAdversary {
  /** `[units, classes * sources]` and `[classes * sources]`. */
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  private readonly allowed: tf.Tensor2D;

  /**
   * @param units width of the head's hidden layer
   * @param classes number of classes
   * @param sources number of sources
   * @param present `present[c][s]`: class c has samples from source s (the softmax of class c runs over those only)
   * @param seed Glorot-uniform seed of the kernel
   */
  constructor(
    readonly units: number,
    readonly classes: number,
    readonly sources: number,
    present: readonly (readonly boolean[])[],
    seed: number,
  ) {
    if (!(Number.isInteger(sources) && sources >= 2)) throw new TrainingInputError(`sourceAdversarial needs at least two sources, got ${sources}`);
    const init = [tfl.initializers.glorotUniform({ seed }).apply([units, classes * sources]), tf.zeros([classes * sources])];
    adversaries++;
    this.kernel = tf.variable(init[0], true, `source_adversary_kernel_${adversaries}`);
    this.bias = tf.variable(init[1], true, `source_adversary_bias_${adversaries}`);
    tf.dispose(init);
    this.allowed = tf.tensor2d(present.map((row) => row.map((p) => (p ? 1 : 0))), [classes, sources]);
  }

  /** The trainable variables, to pass to the optimiser with the head's. */
  get variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }

  /**
   * The weighted source cross-entropy of a batch, `sum_i w_i * CE_i / batch`, with the hidden layer reversed by
   * `lambda`. Call inside `optimizer.minimize`.
   *
   * @param hidden `[batch, units]` activations of the head's hidden layer
   * @param classes `[batch]` int32 class indices
   * @param sources `[batch]` int32 source indices
   * @param weights `[batch]` per-sample weights ({@link sourceAdversaryWeights})
   */
  loss(hidden: tf.Tensor, classes: tf.Tensor, sources: tf.Tensor, weights: tf.Tensor, lambda: number): tf.Scalar {
    return tf.tidy(() => {
      const batch = hidden.shape[0] as number;
      const z = tf.add(tf.matMul(gradientReversal(hidden, lambda) as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias);
      // pick each sample's class block: [batch, classes, sources] masked by the one-hot class, summed over classes
      const classHot = tf.cast(tf.oneHot(classes as tf.Tensor1D, this.classes), 'float32');
      const block = tf.sum(tf.mul(tf.reshape(z, [batch, this.classes, this.sources]), tf.expandDims(classHot, 2)), 1);
      // sources that the sample's class never has take no part in its softmax
      const allowed = tf.matMul(classHot, this.allowed);
      const logp = tf.logSoftmax(tf.where(tf.greater(allowed, 0), block, tf.fill(block.shape, -1e9)));
      const ce = tf.neg(tf.sum(tf.mul(tf.cast(tf.oneHot(sources as tf.Tensor1D, this.sources), 'float32'), logp), -1));
      return tf.div(tf.sum(tf.mul(ce, weights)), batch) as tf.Scalar;
    });
  }

  /** Source probabilities within each sample's class (no reversal; for tests and diagnostics). */
  predict(hidden: tf.Tensor, classes: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const batch = hidden.shape[0] as number;
      const z = tf.add(tf.matMul(hidden as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias);
      const classHot = tf.cast(tf.oneHot(classes as tf.Tensor1D, this.classes), 'float32');
      const block = tf.sum(tf.mul(tf.reshape(z, [batch, this.classes, this.sources]), tf.expandDims(classHot, 2)), 1);
      const allowed = tf.matMul(classHot, this.allowed);
      return tf.softmax(tf.where(tf.greater(allowed, 0), block, tf.fill(block.shape, -1e9))) as tf.Tensor2D;
    });
  }

  /** Releases the variables. */
  dispose(): void {
    tf.dispose([this.kernel, this.bias, this.allowed]);
  }
}

/** Throws {@link TrainingInputError} for bad adversarial options. */
export function checkSourceAdversarial(options: SourceAdversarialOptions): void {
  if (!(Number.isFinite(options?.weight) && options.weight > 0)) {
    throw new TrainingInputError(`sourceAdversarial.weight must be a finite number > 0, got ${options?.weight}`);
  }
}
