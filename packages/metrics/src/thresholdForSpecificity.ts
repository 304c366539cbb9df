import type { BinaryLabelOptions } from './binaryTargets';
import { inSource, MetricsError } from './errors';
import { checkTarget, operatingPoints, type ThresholdChoice } from './thresholdChoice';

/**
 * The LOWEST threshold whose specificity still reaches `target` (so sensitivity is as high as that specificity
 * allows). Thresholds are `Infinity` and the distinct scores; `Infinity` (nothing predicted positive) is returned
 * when even the highest score would break the target. Needs at least one negative sample
 * ({@link MetricsError} otherwise).
 *
 * @param target - the specificity to keep, in (0, 1].
 * @example thresholdForSpecificity(labels, scores, 'covid', 0.9).sensitivity;
 */
export function thresholdForSpecificity(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  target: number,
  options: BinaryLabelOptions = {},
): ThresholdChoice {
  checkTarget('target specificity', target, options.source);
  const points = operatingPoints(labels, scores, positiveLabel, options);
  if (Number.isNaN(points[0].specificity)) {
    throw new MetricsError(`Specificity is undefined${inSource(options.source)}: no negative sample`, { source: options.source });
  }
  // Specificity only falls as the threshold decreases: keep the last point that still reaches the target.
  let found = points[0];
  for (const p of points) {
    if (p.specificity >= target) found = p;
    else break;
  }
  return found;
}
