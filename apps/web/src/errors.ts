/**
 * Errors the demo shows to the user (in the page's role=alert element). Each names the file and the problem.
 * One base class, {@link WebAppError}, so the page can tell expected input problems from bugs.
 */
export class WebAppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The chosen file is not something the demo can read: not an image, too big, too small, unreadable. */
export class InputFileError extends WebAppError {}

/** The model folder the user chose (or the server mounted) is missing files or is not a cxr model. */
export class ModelSourceError extends WebAppError {}
