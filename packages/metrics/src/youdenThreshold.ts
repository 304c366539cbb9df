import type { BinaryLabelOptions } from './binaryTargets';
import { inSource, MetricsError } from './errors';
import { operatingPoints, type ThresholdChoice } from './thresholdChoice';

/**
 * The threshold maximising Youden's J = sensitivity + specificity - 1 over the ROC curve's thresholds (the
 * distinct scores); among equal J the highest threshold. Needs both classes ({@link MetricsError} otherwise).
 *
 * @example youdenThreshold(labels, scores, 'covid'); // { threshold: 0.62, sensitivity: 0.9, specificity: 0.85, youdenJ: 0.75 }
 */
export function youdenThreshold(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  options: BinaryLabelOptions = {},
): ThresholdChoice {
  const points = operatingPoints(labels, scores, positiveLabel, options);
  let best: ThresholdChoice | undefined;
  for (const p of points) {
    if (Number.isNaN(p.youdenJ)) {
      throw new MetricsError(`Youden's J needs both classes${inSource(options.source)}; only ${JSON.stringify(labels[0])} present`, {
        source: options.source,
      });
    }
    if (best === undefined || p.youdenJ > best.youdenJ) best = p;
  }
  return best as ThresholdChoice;
}
