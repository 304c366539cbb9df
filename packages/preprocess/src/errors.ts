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

/** Invalid options for a split (fractions not summing to 1, unknown field...). */
export class SplitOptionsError extends PreprocessError {}

/** A split puts the same patient in two splits: images of one patient would leak across the evaluation. */
export class PatientLeakError extends PreprocessError {
  readonly patientId: string;
  readonly splits: string[];
  constructor(patientId: string, splits: string[], example: string, options?: { cause?: unknown }) {
    super(
      `Patient ${JSON.stringify(patientId)} appears in splits ${splits.join(' and ')} (e.g. ${example}); a patient must stay in one split`,
      options,
    );
    this.patientId = patientId;
    this.splits = splits;
  }
}

/** A CSV file (manifest.csv, split.csv) is malformed: bad quoting, missing column, bad value. */
export class CsvFormatError extends PreprocessError {
  readonly file: string;
  readonly line: number | null;
  constructor(file: string, line: number | null, reason: string, options?: { cause?: unknown }) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`, options);
    this.file = file;
    this.line = line;
  }
}

/**
 * A path read from a manifest or split file is absolute, climbs out of its folder (`..`) or holds a NUL byte:
 * it is refused before any file is touched.
 */
export class UnsafePathError extends PreprocessError {
  /** The path as the record writes it. */
  readonly unsafePath: string;
  /** The folder it had to stay in. */
  readonly baseDir: string;
  constructor(unsafePath: string, baseDir: string, reason: string) {
    super(`Unsafe image path ${JSON.stringify(unsafePath)} (${reason}): record paths must stay inside ${baseDir}`);
    this.unsafePath = unsafePath;
    this.baseDir = baseDir;
  }
}

/** A record's label is not one of the labels given for one-hot encoding. */
export class UnknownLabelError extends PreprocessError {
  readonly label: string;
  constructor(label: string, path: string, labels: readonly string[]) {
    super(`Label ${JSON.stringify(label)} of ${path} is not one of ${JSON.stringify(labels)}`);
    this.label = label;
  }
}
