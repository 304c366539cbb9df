import { binaryTargets, type BinaryLabelOptions } from './binaryTargets';
import { InvalidOptionError } from './errors';
import { scoreGroups } from './scoreGroups';

/** A chosen operating point: predict positive when `score >= threshold`. */
export interface ThresholdChoice {
  /** The threshold; `Infinity` means nothing is predicted positive (`null` in JSON). */
  threshold: number;
  sensitivity: number;
  specificity: number;
  /** `sensitivity + specificity - 1`. */
  youdenJ: number;
}

/**
 * Operating points at every candidate threshold (`Infinity`, then each distinct score, decreasing).
 * @internal
 */
export function operatingPoints(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  options: BinaryLabelOptions,
): ThresholdChoice[] {
  const t = binaryTargets(labels, scores, positiveLabel, options);
  const g = scoreGroups(t.y, t.scores);
  const point = (threshold: number, tp: number, fp: number): ThresholdChoice => {
    const sensitivity = tp / t.positives;
    const specificity = (t.negatives - fp) / t.negatives;
    return { threshold, sensitivity, specificity, youdenJ: sensitivity + specificity - 1 };
  };
  const points = [point(Infinity, 0, 0)];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < g.scores.length; i++) {
    tp += g.positives[i];
    fp += g.negatives[i];
    points.push(point(g.scores[i], tp, fp));
  }
  return points;
}

/** @internal */
export function checkTarget(name: string, target: number, source?: string): void {
  if (!(target > 0 && target <= 1)) throw new InvalidOptionError(name, target, 'a proportion in (0, 1]', { source });
}
