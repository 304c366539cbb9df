/**
 * Typed errors of `@cxr/preprocess`. Every error extends {@link PreprocessError}, carries the
 * underlying `cause` when there is one, and names the file and the offending value in its message.
 */

/** Base class of every error thrown by `@cxr/preprocess`. */
export class PreprocessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An image could not be decoded: corrupt, truncated or of an unsupported format. */
export class ImageDecodeError extends PreprocessError {
  /** The file path, or `'<buffer>'` for in-memory input. */
  readonly file: string;
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot decode image ${file}: ${reason}`, options);
    this.file = file;
  }
}

/** An image has more pixels than the configured `limitInputPixels`. */
export class ImageTooLargeError extends PreprocessError {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly limitInputPixels: number;
  constructor(file: string, width: number, height: number, limitInputPixels: number, options?: { cause?: unknown }) {
    super(
      `Image ${file} is ${width}x${height} = ${width * height} pixels, more than limitInputPixels ${limitInputPixels}`,
      options,
    );
    this.file = file;
    this.width = width;
    this.height = height;
    this.limitInputPixels = limitInputPixels;
  }
}

/** A preprocessing spec (usually read from a saved model) is malformed. */
export class PreprocessSpecError extends PreprocessError {}

/** Pixels passed to a transform do not match their declared size or type. */
export class PixelFormatError extends PreprocessError {}

/**
 * A record's label is not one of the `labels` given to `batches` for one-hot encoding. (Not `@cxr/metrics`'
 * `UnknownLabelError`, which is about labels of predictions and targets.)
 */
export class UnlistedLabelError extends PreprocessError {
  readonly label: string;
  constructor(label: string, path: string, labels: readonly string[]) {
    super(`Label ${JSON.stringify(label)} of ${path} is not one of ${JSON.stringify(labels)}`);
    this.label = label;
  }
}

/**
 * An image whose size cannot be a chest radiograph (a side under the minimum, or too elongated): usually a header
 * damaged in transit. Refused at prediction time rather than classified, since resizing a 440x1 strip to the model's
 * input would still give a confident-looking answer.
 */
export class ImageGeometryError extends PreprocessError {
  /** The file path, or the name given for in-memory input. */
  readonly file: string;
  readonly width: number;
  readonly height: number;
  /** Which rule failed: `minSide` (a side too short) or `maxAspectRatio` (too elongated). */
  readonly field: 'minSide' | 'maxAspectRatio';
  constructor(file: string, width: number, height: number, field: 'minSide' | 'maxAspectRatio', reason: string) {
    super(`Image ${file} is ${width}x${height}, not a plausible chest radiograph: ${reason}`);
    this.file = file;
    this.width = width;
    this.height = height;
    this.field = field;
  }
}
