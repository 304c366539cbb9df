/**
 * Bad input to the evaluation report (a missing field, a score outside [0, 1], an unreadable Grad-CAM
 * overlay, an output directory that is not a report): the base error of `@cxr/report`, naming the file.
 * A CLI prints its one-line message and exits with code 1.
 */
export class ReportError extends Error {
  override name = 'ReportError';
  /** The file or directory the error is about. */
  readonly file: string | undefined;
  constructor(message: string, options?: { cause?: unknown; file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.file = options?.file;
  }
}

/** Options of `measurePredictions` that cannot work with the file (no `--positive` where the default class is absent): a CLI's usage error (exit 2). */
export class PredictionsOptionsError extends ReportError {
  override name = 'PredictionsOptionsError';
}
