import { InvalidOptionError } from './errors';
import { binaryTargets, type BinaryLabelOptions } from './binaryTargets';

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** The bin covers predicted probabilities in `[lower, upper)` (the last bin includes 1). */
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability of the positive class in the bin (NaN when empty). */
  meanPredicted: number;
  /** Fraction of the bin's images that are positive (NaN when empty). */
  observedRate: number;
}

/** A reliability diagram and its expected calibration error. */
export interface ReliabilityDiagram {
  bins: ReliabilityBin[];
  /** `sum over bins of count/n * |observedRate - meanPredicted|` (empty bins count 0). */
  ece: number;
  /** Largest `|observedRate - meanPredicted|` over non-empty bins. */
  mce: number;
  n: number;
}

/** Options of {@link reliabilityDiagram}. */
export interface ReliabilityOptions extends BinaryLabelOptions {
  /** Equal-width bins over [0, 1] (default 10). */
  bins?: number;
}

/**
 * Reliability diagram of the positive class's predicted probability: equal-width bins over [0, 1], and per bin the
 * mean prediction beside the observed positive rate; a calibrated model sits on the diagonal. `ece` is the expected
 * calibration error of the positive class (Naeini et al. 2015; Guo et al., "On calibration of modern neural
 * networks", ICML 2017, with the positive class instead of the top label, which is what a screening threshold reads).
 *
 * @example reliabilityDiagram(['covid', 'normal'], [0.9, 0.2], 'covid', { bins: 5 }).ece // 0.15
 */
export function reliabilityDiagram(
  labels: readonly string[],
  probabilities: readonly number[],
  positiveLabel: string,
  options: ReliabilityOptions = {},
): ReliabilityDiagram {
  const k = options.bins ?? 10;
  if (!Number.isInteger(k) || k < 1) throw new InvalidOptionError('bins', k, 'expected a positive integer');
  const { y } = binaryTargets(labels, probabilities, positiveLabel, options);
  const count = new Array<number>(k).fill(0);
  const sumP = new Array<number>(k).fill(0);
  const sumY = new Array<number>(k).fill(0);
  probabilities.forEach((p, i) => {
    const b = Math.min(k - 1, Math.floor(p * k));
    count[b]++;
    sumP[b] += p;
    sumY[b] += y[i];
  });
  const n = probabilities.length;
  let ece = 0;
  let mce = 0;
  const bins = count.map((c, b) => {
    const meanPredicted = c ? sumP[b] / c : NaN;
    const observedRate = c ? sumY[b] / c : NaN;
    if (c) {
      const gap = Math.abs(observedRate - meanPredicted);
      ece += (c / n) * gap;
      mce = Math.max(mce, gap);
    }
    return { lower: b / k, upper: (b + 1) / k, count: c, meanPredicted, observedRate };
  });
  return { bins, ece, mce, n };
}
