import { ProbeInputError } from '../errors';

/** Options of {@link fitLogisticRegression}. */
export interface LogisticRegressionOptions {
  /** L2 penalty on the weights (not the bias), on the standardised features. Default 1. */
  l2?: number;
  /** Iterations of accelerated gradient descent. Default 300. */
  iterations?: number;
  /** Per-sample weights (default: balanced, each class weighing half of the total). */
  sampleWeights?: readonly number[];
}

/** A fitted binary logistic regression on standardised features. */
export interface LogisticRegressionModel {
  /** Feature means and standard deviations of the training data (a constant feature has std 1). */
  mean: Float64Array;
  std: Float64Array;
  weights: Float64Array;
  bias: number;
  /** The linear score (log-odds of the positive class) of one feature vector. */
  decision(x: ArrayLike<number>): number;
}

/**
 * L2-regularised logistic regression, fitted by Nesterov-accelerated gradient descent with the step `1 / L`
 * from the loss's Lipschitz bound, on features standardised with the training data's mean and standard deviation.
 * Classes are balanced by default, so a rare class counts as much as a common one. Pure TypeScript: no tensors
 * to leak, deterministic.
 *
 * Minimises `sum_i w_i log(1 + exp(-s_i (x_i . beta + b))) / sum_i w_i + l2 / 2 * |beta|^2` with `s_i = +-1`.
 *
 * @param x one feature vector per sample, all the same length
 * @param y 1 for the positive class, 0 for the negative; both must occur
 * @throws ProbeInputError for mismatched lengths, a single class or ragged features
 */
export function fitLogisticRegression(
  x: readonly ArrayLike<number>[],
  y: readonly number[],
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const n = x.length;
  const l2 = options.l2 ?? 1;
  const iterations = options.iterations ?? 300;
  if (n !== y.length) throw new ProbeInputError(`fitLogisticRegression: ${n} feature vectors but ${y.length} labels`);
  if (!(l2 > 0)) throw new ProbeInputError(`fitLogisticRegression: l2 must be > 0, got ${l2}`);
  const positives = y.filter((v) => v === 1).length;
  if (positives === 0 || positives === n || y.some((v) => v !== 0 && v !== 1)) {
    throw new ProbeInputError(`fitLogisticRegression: labels must be 0/1 with both present (${positives} of ${n} positive)`);
  }
  const d = x[0].length;
  for (let i = 0; i < n; i++) {
    if (x[i].length !== d) throw new ProbeInputError(`fitLogisticRegression: feature vector ${i} has ${x[i].length} values, expected ${d}`);
  }
  const sw = options.sampleWeights
    ? Float64Array.from(options.sampleWeights)
    : Float64Array.from(y, (v) => (v === 1 ? n / (2 * positives) : n / (2 * (n - positives))));
  if (sw.length !== n || sw.some((w) => !(w >= 0))) throw new ProbeInputError('fitLogisticRegression: sampleWeights must be n non-negative numbers');
  const wsum = sw.reduce((a, b) => a + b, 0);

  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const row of x) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  for (const row of x) for (let j = 0; j < d; j++) std[j] += (row[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = std[j] > 1e-12 ? Math.sqrt(std[j]) : 1;
  const z: Float64Array[] = x.map((row) => {
    const out = new Float64Array(d + 1);
    for (let j = 0; j < d; j++) out[j] = (row[j] - mean[j]) / std[j];
    out[d] = 1; // bias column
    return out;
  });
  // Lipschitz constant of the gradient: (1/4) * weighted mean of |z_i|^2 (an upper bound of the Hessian's norm) + l2.
  let lip = 0;
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let j = 0; j <= d; j++) sq += z[i][j] * z[i][j];
    lip += (sw[i] / wsum) * sq;
  }
  const step = 1 / (lip / 4 + l2);

  let beta = new Float64Array(d + 1);
  let prev = new Float64Array(d + 1);
  const look = new Float64Array(d + 1);
  const grad = new Float64Array(d + 1);
  for (let t = 1; t <= iterations; t++) {
    const momentum = (t - 1) / (t + 2);
    for (let j = 0; j <= d; j++) look[j] = beta[j] + momentum * (beta[j] - prev[j]);
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (let j = 0; j <= d; j++) m += z[i][j] * look[j];
      const s = y[i] === 1 ? 1 : -1;
      // d/dm log(1 + exp(-s m)) = -s / (1 + exp(s m))
      const g = (sw[i] / wsum) * (-s / (1 + Math.exp(s * m)));
      for (let j = 0; j <= d; j++) grad[j] += g * z[i][j];
    }
    for (let j = 0; j < d; j++) grad[j] += l2 * look[j];
    const next = prev;
    for (let j = 0; j <= d; j++) next[j] = look[j] - step * grad[j];
    prev = beta;
    beta = next;
  }
  const weights = beta.slice(0, d);
  const bias = beta[d];
  return {
    mean,
    std,
    weights,
    bias,
    decision(row: ArrayLike<number>): number {
      if (row.length !== d) throw new ProbeInputError(`logistic regression: feature vector has ${row.length} values, expected ${d}`);
      let m = bias;
      for (let j = 0; j < d; j++) m += ((row[j] - mean[j]) / std[j]) * weights[j];
      return m;
    },
  };
}
