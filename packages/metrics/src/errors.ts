/**
 * Typed errors of `@cxr/metrics`. Every error this package raises for bad input extends {@link MetricsError},
 * names the offending value (and the source, e.g. a predictions file, when the caller gave one) in its message,
 * and keeps any underlying error as `cause`.
 *
 * @example
 * try { binaryMetrics({ labels, scores, positiveLabel: 'covid', source: 'preds.csv' }); }
 * catch (e) { if (e instanceof MetricsError) console.error(e.message); else throw e; }
 */
export class MetricsError extends Error {
  override name = 'MetricsError';
  /** Where the data came from (a file name), when the caller said so. */
  readonly source: string | undefined;
  constructor(message: string, options?: { cause?: unknown; source?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.source = options?.source;
  }
}

/**
 * ` in preds.csv` when a source is known, else nothing.
 * @internal shared by the messages of this package, not exported from its index
 */
export function inSource(source: string | undefined): string {
  return source === undefined ? '' : ` in ${source}`;
}

/** Two arrays that must pair up element by element (labels and scores, actual and predicted) differ in length. */
export class LengthMismatchError extends MetricsError {
  override name = 'LengthMismatchError';
  constructor(
    readonly what: [string, string],
    readonly lengths: [number, number],
    options?: { cause?: unknown; source?: string },
  ) {
    super(
      `Length mismatch${inSource(options?.source)}: ${what[0]} has ${lengths[0]} entries but ${what[1]} has ${lengths[1]}`,
      options,
    );
  }
}

/** No samples at all: nothing can be measured. */
export class EmptyInputError extends MetricsError {
  override name = 'EmptyInputError';
  constructor(what: string, options?: { cause?: unknown; source?: string }) {
    super(`No samples${inSource(options?.source)}: ${what} is empty`, options);
  }
}

/** A score that is not a probability: NaN, infinite, or outside [0, 1]. */
export class InvalidScoreError extends MetricsError {
  override name = 'InvalidScoreError';
  constructor(
    /** Zero-based index of the sample. */
    readonly index: number,
    /** The offending score. */
    readonly value: unknown,
    options?: { cause?: unknown; source?: string },
  ) {
    super(`Invalid score at index ${index}${inSource(options?.source)}: ${String(value)} is not a number in [0, 1]`, options);
  }
}

/**
 * A label that is not one of the declared labels (multi-class), or neither the positive nor the negative label
 * (binary); also raised when the positive label is missing from the declared labels, or when a binary metric finds
 * more than one class besides the positive one and no negative label was given.
 */
export class UnknownLabelError extends MetricsError {
  override name = 'UnknownLabelError';
  /** Zero-based index of the sample, when the label came from the data. */
  readonly index: number | undefined;
  constructor(
    /** The offending label. */
    readonly label: string,
    /** The labels that were allowed. */
    readonly allowed: readonly string[],
    options?: { cause?: unknown; source?: string; index?: number; detail?: string },
  ) {
    const at = options?.index === undefined ? '' : ` at index ${options.index}`;
    const detail = options?.detail ?? `expected one of ${allowed.map((l) => JSON.stringify(l)).join(', ')}`;
    super(`Unknown label ${JSON.stringify(label)}${at}${inSource(options?.source)}: ${detail}`, options);
    this.index = options?.index;
  }
}

/** An option outside its domain (a threshold that is not a number, a confidence level outside (0, 1)...). */
export class InvalidOptionError extends MetricsError {
  override name = 'InvalidOptionError';
  constructor(option: string, value: unknown, expected: string, options?: { cause?: unknown; source?: string }) {
    super(`Invalid option ${option}${inSource(options?.source)}: ${String(value)} (${expected})`, options);
  }
}
