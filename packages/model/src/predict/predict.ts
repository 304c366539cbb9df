import * as tf from '@tensorflow/tfjs-core';
import { PredictInputError } from '../errors';
import type { CxrModel } from '../io/modelConfig';
import { toInputBatch, type ModelInput } from './toInputBatch';

/** The prediction for one image. NOT FOR CLINICAL USE. */
export interface Prediction {
  /** Probability per class name, e.g. `{ covid: 0.91, normal: 0.09 }`. */
  probabilities: Record<string, number>;
  /** `positiveClass` when its probability is >= threshold, else the most probable other class. */
  decision: string;
  threshold: number;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Overrides the saved `cxr.json` threshold. */
  threshold?: number;
  /** Images per forward pass (default 16). */
  batchSize?: number;
}

/**
 * Classifies preprocessed images (made with the model's saved `preprocessing` spec) in inference mode
 * (dropout off), in batches, leaving no tensors behind. Browser-safe.
 *
 * @example
 * const [p] = await predict(cxr, preprocessPixels(grey, cxr.config.preprocessing));
 * p.probabilities.covid; p.decision; // 'covid' | 'normal'
 */
export async function predict(cxr: CxrModel, inputs: ModelInput, options: PredictOptions = {}): Promise<Prediction[]> {
  const { classes, positiveClass } = cxr.config;
  const threshold = options.threshold ?? cxr.config.threshold;
  if (!(threshold >= 0 && threshold <= 1)) throw new PredictInputError(`threshold must be in [0, 1], got ${threshold}`);
  const batchSize = options.batchSize ?? 16;
  // 0 or a fraction would never finish the batch loop below
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new PredictInputError(`batchSize must be a positive integer, got ${batchSize}`);
  const x = toInputBatch(cxr.model, inputs);
  const n = x.shape[0];
  const out: Prediction[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const probs = tf.tidy(() => cxr.model.predict(tf.slice(x, start, Math.min(batchSize, n - start))) as tf.Tensor);
      let values: Float32Array | Int32Array | Uint8Array;
      try {
        values = await probs.data();
      } finally {
        probs.dispose();
      }
      const k = classes.length;
      for (let i = 0; i < values.length / k; i++) {
        const row = Array.from(values.subarray(i * k, (i + 1) * k));
        out.push(decide(row, classes, positiveClass, threshold));
      }
    }
  } finally {
    x.dispose();
  }
  return out;
}

/** The decision rule: the positive class at or above the threshold, else the most probable other class. */
export function decide(row: readonly number[], classes: readonly string[], positiveClass: string, threshold: number): Prediction {
  const probabilities = Object.fromEntries(classes.map((c, i) => [c, row[i]]));
  const pos = classes.indexOf(positiveClass);
  let decision = positiveClass;
  if (!(row[pos] >= threshold)) {
    let best = -1;
    classes.forEach((_, i) => {
      if (i !== pos && (best < 0 || row[i] > row[best])) best = i;
    });
    decision = classes[best];
  }
  return { probabilities, decision, threshold };
}
