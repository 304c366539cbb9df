import { EmptyInputError, InvalidOptionError, InvalidScoreError, LengthMismatchError } from './errors';

/** What {@link fitTemperature} found. */
export interface TemperatureFit {
  /** Divide the logits (log-probabilities) by this; > 1 softens an overconfident model, < 1 sharpens. */
  temperature: number;
  /** Mean negative log-likelihood of the targets before (T = 1) and after scaling. */
  nllBefore: number;
  nllAfter: number;
  n: number;
}

// Probabilities are clamped so that a saved 0 or 1 (float32 softmax saturates) has a finite logit.
const EPS = 1e-7;

function checkRow(row: readonly number[], i: number, k: number): void {
  if (row.length !== k) throw new LengthMismatchError([`row ${i}`, 'row 0'], [row.length, k]);
  row.forEach((p) => {
    if (!(typeof p === 'number' && p >= 0 && p <= 1)) throw new InvalidScoreError(i, p);
  });
}

/**
 * Temperature scaling of one row of class probabilities: `softmax(log(p) / T)`. Since softmax only sees logit
 * differences, `log p` stands in for the model's logits. T = 1 returns the row (up to the clamp at 1e-7).
 *
 * @example applyTemperature([0.9, 0.1], 2) // [0.75, 0.25]: sqrt(0.9) : sqrt(0.1)
 */
export function applyTemperature(row: readonly number[], temperature: number): number[] {
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new InvalidOptionError('temperature', temperature, 'expected a positive number');
  const z = row.map((p) => Math.log(Math.min(1, Math.max(EPS, p))) / temperature);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function meanNll(rows: readonly (readonly number[])[], targets: readonly number[], beta: number): number {
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const z = rows[i].map((p) => Math.log(Math.min(1, Math.max(EPS, p))) * beta);
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    total += lse - z[targets[i]];
  }
  return total / rows.length;
}

/**
 * Fits the temperature of {@link applyTemperature} by minimising the mean negative log-likelihood of the targets
 * (Guo et al., "On calibration of modern neural networks", ICML 2017): fit it on the validation split, never on the
 * test split. The NLL is convex in 1/T, so a golden-section search over 1/T in [0.02, 50] finds the optimum.
 * Temperature scaling keeps every ranking (so ROC AUC) and, for two classes, the 0.5 decision point.
 *
 * @param rows class probabilities per image (each row sums to 1)
 * @param targets the true class index per image
 * @throws {EmptyInputError} / {LengthMismatchError} / {InvalidScoreError} / {InvalidOptionError} for bad input
 * @example fitTemperature([[0.99, 0.01], [0.02, 0.98], [0.97, 0.03]], [0, 1, 1]).temperature // > 1: overconfident
 */
export function fitTemperature(rows: readonly (readonly number[])[], targets: readonly number[]): TemperatureFit {
  if (rows.length === 0) throw new EmptyInputError('rows');
  if (rows.length !== targets.length) throw new LengthMismatchError(['rows', 'targets'], [rows.length, targets.length]);
  const k = rows[0].length;
  if (k < 2) throw new InvalidOptionError('rows', `${k} column(s)`, 'expected at least two class probabilities per row');
  rows.forEach((r, i) => checkRow(r, i, k));
  targets.forEach((t, i) => {
    if (!(Number.isInteger(t) && t >= 0 && t < k)) throw new InvalidOptionError(`targets[${i}]`, t, `expected a class index in 0..${k - 1}`);
  });
  const f = (logBeta: number): number => meanNll(rows, targets, Math.exp(logBeta));
  // golden section on log(1/T): unimodal because the NLL is convex in 1/T and log is monotone
  let a = Math.log(0.02);
  let b = Math.log(50);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let it = 0; it < 80 && b - a > 1e-9; it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const beta = Math.exp((a + b) / 2);
  return { temperature: 1 / beta, nllBefore: meanNll(rows, targets, 1), nllAfter: meanNll(rows, targets, beta), n: rows.length };
}
