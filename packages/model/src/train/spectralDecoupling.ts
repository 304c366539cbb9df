import * as tf from '@tensorflow/tfjs-core';
import { TrainingInputError } from '../errors';

/**
 * Spectral decoupling (Pezeshki et al., "Gradient Starvation", NeurIPS 2021; used for transfer across hospitals by
 * Pohjonen et al., "Spectral decoupling allows training transferable neural networks in medical imaging", iScience
 * 2022): the penalty `lambda / 2 * ||z||^2` on the logits `z` (pre-softmax outputs), averaged over the batch, added to
 * the cross-entropy. It keeps the logits small, so that one strong, easy feature (the hospital) cannot alone drive the
 * loss to zero and starve the gradient of the weaker ones (the disease).
 *
 * @param logits `[batch, classes]` pre-softmax outputs
 * @param lambda penalty strength, >= 0
 * @returns the scalar penalty `lambda / 2 * mean_i sum_k z_ik^2`
 * @example spectralDecouplingPenalty(tf.tensor2d([[1, 2], [3, 0]]), 0.1) // 0.1 / 2 * (5 + 9) / 2 = 0.35
 */
export function spectralDecouplingPenalty(logits: tf.Tensor, lambda: number): tf.Scalar {
  checkSpectralDecoupling(lambda);
  return tf.tidy(() => tf.mul(lambda / 2, tf.mean(tf.sum(tf.square(logits), -1))) as tf.Scalar);
}

/** Throws {@link TrainingInputError} unless `lambda` is a finite number >= 0. */
export function checkSpectralDecoupling(lambda: number): void {
  if (!(Number.isFinite(lambda) && lambda >= 0)) throw new TrainingInputError(`spectralDecoupling must be a finite number >= 0, got ${lambda}`);
}
