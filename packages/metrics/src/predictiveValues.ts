import { InvalidOptionError } from './errors';

/** Positive and negative predictive value at a stated prevalence. */
export interface PredictiveValues {
  /** P(disease | positive test). */
  ppv: number;
  /** P(no disease | negative test). */
  npv: number;
  prevalence: number;
  sensitivity: number;
  specificity: number;
}

const inUnit = (name: string, v: number): void => {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new InvalidOptionError(name, v, 'expected a number in [0, 1]');
};

/**
 * PPV and NPV of a test with the given sensitivity and specificity where the disease has the given prevalence
 * (Bayes' theorem): `PPV = se*p / (se*p + (1-sp)*(1-p))`, `NPV = sp*(1-p) / (sp*(1-p) + (1-se)*p)`. The test set's
 * own PPV holds only at the test set's prevalence; a screening tool meets a far lower one. A 0/0 (no positive or no
 * negative test results possible) gives NaN.
 *
 * @throws {InvalidOptionError} when an input is not a number in [0, 1]
 * @example predictiveValues({ sensitivity: 0.9, specificity: 0.95, prevalence: 0.05 }).ppv // 0.486...
 */
export function predictiveValues(options: { sensitivity: number; specificity: number; prevalence: number }): PredictiveValues {
  const { sensitivity: se, specificity: sp, prevalence: p } = options;
  inUnit('sensitivity', se);
  inUnit('specificity', sp);
  inUnit('prevalence', p);
  const tp = se * p;
  const fp = (1 - sp) * (1 - p);
  const tn = sp * (1 - p);
  const fn = (1 - se) * p;
  return { ppv: tp + fp === 0 ? NaN : tp / (tp + fp), npv: tn + fn === 0 ? NaN : tn / (tn + fn), prevalence: p, sensitivity: se, specificity: sp };
}
