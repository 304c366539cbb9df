import { TrainingInputError } from '../errors';

/** `'balanced'` (scikit-learn's `n / (classes * count)`), or an explicit weight per class name. */
export type ClassWeightOption = 'balanced' | Record<string, number>;

/**
 * Loss weight of each class, in the order of `classes`. `'balanced'` gives `n / (k * n_c)`, as
 * scikit-learn's `compute_class_weight('balanced')`, so each class contributes equally to the loss.
 *
 * @param labelIndices class index of each training sample
 * @example computeClassWeights([0, 0, 0, 1], ['covid', 'normal'], 'balanced') // [0.667, 2]
 */
export function computeClassWeights(labelIndices: ArrayLike<number>, classes: readonly string[], option: ClassWeightOption): number[] {
  if (option === 'balanced') {
    const counts = new Array<number>(classes.length).fill(0);
    for (let i = 0; i < labelIndices.length; i++) counts[labelIndices[i]]++;
    return counts.map((count, c) => {
      if (count === 0) throw new TrainingInputError(`classWeight 'balanced': class ${classes[c]} has no training samples`);
      return labelIndices.length / (classes.length * count);
    });
  }
  for (const name of Object.keys(option)) {
    if (!classes.includes(name)) throw new TrainingInputError(`classWeight names unknown class ${JSON.stringify(name)} (classes: ${classes.join(', ')})`);
  }
  return classes.map((name) => {
    const w = option[name] ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new TrainingInputError(`classWeight of ${name} must be a finite number >= 0, got ${w}`);
    return w;
  });
}
