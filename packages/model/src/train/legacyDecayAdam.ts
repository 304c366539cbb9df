import * as tf from '@tensorflow/tfjs-core';

/**
 * Keras' legacy time-based decay (`Adam(lr, decay=...)` in Keras 2, as the notebook uses with
 * `decay = INIT_LR / EPOCHS`): the learning rate of update number `iterations` (0 for the first) is
 * `lr / (1 + decay * iterations)`.
 */
export function legacyDecayLearningRate(learningRate: number, decay: number, iterations: number): number {
  return learningRate / (1 + decay * iterations);
}

/** Options of {@link LegacyDecayAdam}; defaults are Keras' (`epsilon` 1e-7). */
export interface LegacyDecayAdamOptions {
  learningRate?: number;
  /** Keras legacy `decay` (per update, not per epoch); 0 for a constant learning rate. */
  decay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * TensorFlow.js Adam with Keras' legacy `decay`: before each update the learning rate is set to
 * {@link legacyDecayLearningRate}`(learningRate, decay, iterations)`. tfjs' own Adam has no decay. Its
 * state (iterations and moments) round-trips through `getWeights`/`setWeights` like any tfjs optimizer,
 * so the decay continues where a checkpoint left it.
 *
 * @example
 * const optimizer = new LegacyDecayAdam({ learningRate: 1e-3, decay: 1e-3 / 10 });
 * model.compile({ optimizer, loss: 'categoricalCrossentropy' });
 */
export class LegacyDecayAdam extends tf.AdamOptimizer {
  readonly initialLearningRate: number;
  readonly decay: number;

  constructor(options: LegacyDecayAdamOptions = {}) {
    const learningRate = options.learningRate ?? 1e-3;
    super(learningRate, options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-7);
    this.initialLearningRate = learningRate;
    this.decay = options.decay ?? 0;
  }

  /** The learning rate the next update will use. */
  get currentLearningRate(): number {
    return legacyDecayLearningRate(this.initialLearningRate, this.decay, this.iterations);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    this.learningRate = this.currentLearningRate;
    super.applyGradients(variableGradients);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), learningRate: this.initialLearningRate, decay: this.decay };
  }
}
