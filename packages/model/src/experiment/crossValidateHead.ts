import * as tf from '@tensorflow/tfjs-core';
import { TrainingInputError } from '../errors';
import type { HeadOptions } from '../head/createHead';
import { groupedFolds } from '../probe/groupedFolds';
import type { ClassWeightOption } from '../train/computeClassWeights';
import { trainHead, type TrainHeadOptions } from '../train/trainHead';

/** Options of {@link crossValidateHead}. */
export interface CrossValidateHeadOptions {
  /** Class names in output order. */
  classes: readonly string[];
  /** Shape `[height, width, channels]` of each feature map. */
  shape: [number, number, number];
  /** Folds (default 5; at most the number of patients). */
  folds?: number;
  /** Seeds the fold assignment and every fold's training (default 42). */
  seed?: number;
  /** Epochs per fold (default 10, the notebook's). */
  epochs?: number;
  /** Adam learning rate (default the notebook's 1e-3, with its decay). */
  learningRate?: number;
  /** Head sizes besides the input shape (default the notebook head: pool 4, dense 64, dropout 0.5). */
  head?: Omit<Partial<HeadOptions>, 'inputShape' | 'classes'>;
  classWeight?: ClassWeightOption;
  /** Backbone blocks trained with each fold's head (`planFineTune`; the features are then the cut backbone's). */
  fineTune?: TrainHeadOptions['fineTune'];
  /** Told when each fold is trained. */
  onProgress?: (fold: number, folds: number) => void;
}

/** Out-of-fold predictions of {@link crossValidateHead}. */
export interface CrossValidatedHead {
  classes: string[];
  folds: number;
  seed: number;
  epochs: number;
  /** The fold (0-based) each item was tested in. */
  foldOf: number[];
  /** Per item, the probability of each class from the head trained without the item's fold (so without its patient). */
  probabilities: number[][];
  /** Items trained on and tested, per fold. */
  perFold: { fold: number; train: number; test: number }[];
}

/**
 * Patient-level k-fold cross-validation of the classifier head on precomputed backbone features: folds are grouped
 * by patient (no patient on both sides) and stratified by class (`groupedFolds`), each fold's head is trained from
 * scratch on the other folds (seeded) and predicts its own fold. Every item gets one out-of-fold probability per
 * class, ready for `multiclassMetrics` (with `groups` for a patient bootstrap). No tensors are left behind.
 *
 * @throws {TrainingInputError} for mismatched lengths or a label outside `classes`
 * @example
 * const cv = await crossValidateHead(features, labels, patients, { classes: ['covid', 'pneumonia'], shape: [7, 7, 1024] });
 * multiclassMetrics({ classes: cv.classes, labels, probabilities: cv.probabilities, groups: patients });
 */
export async function crossValidateHead(
  features: readonly Float32Array[],
  labels: readonly string[],
  groups: readonly string[],
  options: CrossValidateHeadOptions,
): Promise<CrossValidatedHead> {
  const classes = [...options.classes];
  if (features.length !== labels.length || labels.length !== groups.length) {
    throw new TrainingInputError(`crossValidateHead: ${features.length} feature maps, ${labels.length} labels and ${groups.length} groups; give one of each per item`);
  }
  labels.forEach((l, i) => {
    if (!classes.includes(l)) throw new TrainingInputError(`crossValidateHead: labels[${i}] is ${JSON.stringify(l)}, not one of the classes ${classes.join(', ')}`);
  });
  const seed = options.seed ?? 42;
  const epochs = options.epochs ?? 10;
  const folds = Math.min(options.folds ?? 5, new Set(groups).size);
  const foldOf = groupedFolds(labels, groups, folds, seed);
  const probabilities: number[][] = labels.map(() => []);
  const perFold: CrossValidatedHead['perFold'] = [];
  const size = options.shape[0] * options.shape[1] * options.shape[2];
  for (let k = 0; k < folds; k++) {
    options.onProgress?.(k, folds);
    const train = foldOf.flatMap((f, i) => (f === k ? [] : [i]));
    const test = foldOf.flatMap((f, i) => (f === k ? [i] : []));
    const { head } = await trainHead(
      train.map((i) => features[i]),
      train.map((i) => labels[i]),
      { classes, head: { ...options.head, inputShape: options.shape }, epochs, learningRate: options.learningRate, seed: seed + k, classWeight: options.classWeight, ...(options.fineTune ? { fineTune: options.fineTune } : {}) },
    );
    try {
      const flat = new Float32Array(test.length * size);
      test.forEach((i, j) => flat.set(features[i], j * size));
      const rows = tf.tidy(() => (head.predict(tf.tensor4d(flat, [test.length, ...options.shape])) as tf.Tensor).arraySync() as number[][]);
      test.forEach((i, j) => (probabilities[i] = rows[j].map((p) => Math.min(1, Math.max(0, p)))));
    } finally {
      head.dispose();
    }
    perFold.push({ fold: k, train: train.length, test: test.length });
  }
  return { classes, folds, seed, epochs, foldOf, probabilities, perFold };
}
