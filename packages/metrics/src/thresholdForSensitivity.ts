import type { BinaryLabelOptions } from './binaryTargets';
import { inSource, MetricsError } from './errors';
import { checkTarget, operatingPoints, type ThresholdChoice } from './thresholdChoice';

/**
 * The HIGHEST threshold whose sensitivity reaches `target` (so specificity is as high as that sensitivity
 * allows). Thresholds are the distinct scores; a target of 1 gives the lowest positive score.
 * Needs at least one positive sample ({@link MetricsError} otherwise).
 *
 * @param target - the sensitivity to reach, in (0, 1].
 * @example thresholdForSensitivity(labels, scores, 'covid', 0.95).threshold;
 */
export function thresholdForSensitivity(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  target: number,
  options: BinaryLabelOptions = {},
): ThresholdChoice {
  checkTarget('target sensitivity', target, options.source);
  const points = operatingPoints(labels, scores, positiveLabel, options);
  // Thresholds decrease and sensitivity grows along the points: the first that reaches the target is the highest.
  const found = points.find((p) => p.sensitivity >= target);
  if (found === undefined) {
    throw new MetricsError(`Sensitivity is undefined${inSource(options.source)}: no sample labelled ${JSON.stringify(positiveLabel)}`, {
      source: options.source,
    });
  }
  return found;
}
