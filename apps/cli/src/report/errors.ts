import { InputError } from '../errors';

/**
 * Bad input to the evaluation report (a missing field, a score outside [0, 1], an unreadable Grad-CAM
 * overlay, an output directory that is not a report). Extends the CLI's {@link InputError}, so the
 * top-level handler prints one line and exits with code 1.
 */
export class ReportError extends InputError {
  override name = 'ReportError';
  /** The file or directory the error is about. */
  readonly file: string | undefined;
  constructor(message: string, options?: { cause?: unknown; file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.file = options?.file;
  }
}
