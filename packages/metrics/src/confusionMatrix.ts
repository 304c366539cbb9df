import { EmptyInputError, InvalidOptionError, LengthMismatchError, UnknownLabelError } from './errors';

/** A confusion matrix: `matrix[i][j]` counts samples of actual class `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix {
  labels: string[];
  /** Rows are actual classes, columns predicted classes, both in the order of `labels`. */
  matrix: number[][];
}

/** Options of {@link confusionMatrix} and {@link classificationReport}. */
export interface LabelOptions {
  /** Every class, in the order rows and columns should have. Required: order is never inferred. */
  labels: readonly string[];
  /** Where the data came from (e.g. `preds.csv`), named in error messages. */
  source?: string;
}

/** @internal Checks the declared labels and returns the index of each. */
export function labelIndex(labels: readonly string[], source?: string): Map<string, number> {
  if (!Array.isArray(labels) || labels.length === 0) {
    throw new InvalidOptionError('labels', JSON.stringify(labels), 'a non-empty list of class names', { source });
  }
  const index = new Map<string, number>();
  labels.forEach((label, i) => {
    if (index.has(label)) throw new InvalidOptionError('labels', JSON.stringify(labels), `${JSON.stringify(label)} is repeated`, { source });
    index.set(label, i);
  });
  return index;
}

/**
 * Counts actual against predicted classes. Every label must be one of `labels` ({@link UnknownLabelError}
 * otherwise, naming the index), so a typo can never silently drop samples.
 *
 * @example
 * confusionMatrix(['covid', 'normal', 'covid'], ['covid', 'covid', 'normal'], { labels: ['normal', 'covid'] });
 * // { labels: ['normal', 'covid'], matrix: [[0, 1], [1, 1]] }
 */
export function confusionMatrix(
  actual: readonly string[],
  predicted: readonly string[],
  options: LabelOptions,
): ConfusionMatrix {
  const { source } = options;
  const index = labelIndex(options.labels, source);
  if (actual.length !== predicted.length) {
    throw new LengthMismatchError(['actual', 'predicted'], [actual.length, predicted.length], { source });
  }
  if (actual.length === 0) throw new EmptyInputError('actual', { source });
  const labels = [...options.labels];
  const matrix = labels.map(() => labels.map(() => 0));
  for (let k = 0; k < actual.length; k++) {
    const i = index.get(actual[k]);
    if (i === undefined) throw new UnknownLabelError(String(actual[k]), labels, { source, index: k });
    const j = index.get(predicted[k]);
    if (j === undefined) throw new UnknownLabelError(String(predicted[k]), labels, { source, index: k });
    matrix[i][j]++;
  }
  return { labels, matrix };
}
