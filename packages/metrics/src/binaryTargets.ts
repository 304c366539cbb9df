import { EmptyInputError, InvalidScoreError, LengthMismatchError, UnknownLabelError } from './errors';

/** Options shared by every binary metric: which label is positive, which negative, and where the data came from. */
export interface BinaryLabelOptions {
  /**
   * The negative class's label. When omitted it is inferred as the one label besides `positiveLabel`; more than
   * one other label is then an {@link UnknownLabelError}.
   */
  negativeLabel?: string;
  /** Where the data came from (e.g. `preds.csv`), named in error messages. */
  source?: string;
}

/** Labels turned into 0/1 targets, with the scores checked. */
export interface BinaryTargets {
  /** 1 for the positive label, 0 for the negative one. */
  y: Uint8Array;
  scores: readonly number[];
  positiveLabel: string;
  /** `null` when no negative label was given and none occurs. */
  negativeLabel: string | null;
  positives: number;
  negatives: number;
}

/**
 * Checks labels and scores and maps the labels to 0/1 with an explicit positive label (never alphabetical order).
 * @internal
 */
export function binaryTargets(
  labels: readonly string[],
  scores: readonly number[],
  positiveLabel: string,
  options: BinaryLabelOptions = {},
): BinaryTargets {
  const { source } = options;
  if (labels.length !== scores.length) {
    throw new LengthMismatchError(['labels', 'scores'], [labels.length, scores.length], { source });
  }
  if (labels.length === 0) throw new EmptyInputError('labels', { source });
  if (options.negativeLabel !== undefined && options.negativeLabel === positiveLabel) {
    throw new UnknownLabelError(options.negativeLabel, [positiveLabel], {
      source,
      detail: 'the negative label must differ from the positive label',
    });
  }
  let negativeLabel: string | null = options.negativeLabel ?? null;
  const y = new Uint8Array(labels.length);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const score = scores[i];
    if (typeof score !== 'number' || !(score >= 0 && score <= 1)) throw new InvalidScoreError(i, score, { source });
    const label = labels[i];
    if (label === positiveLabel) {
      y[i] = 1;
      positives++;
    } else if (negativeLabel === null) {
      negativeLabel = label;
    } else if (label !== negativeLabel) {
      const allowed = [positiveLabel, negativeLabel];
      throw new UnknownLabelError(String(label), allowed, {
        source,
        index: i,
        detail:
          options.negativeLabel === undefined
            ? `binary metrics need two classes but found ${allowed.map((l) => JSON.stringify(l)).join(', ')} and this one; give the negative label explicitly`
            : `expected the positive label ${JSON.stringify(positiveLabel)} or the negative label ${JSON.stringify(negativeLabel)}`,
      });
    }
  }
  return { y, scores, positiveLabel, negativeLabel, positives, negatives: labels.length - positives };
}
