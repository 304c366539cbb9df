/**
 * Typed errors of `@cxr/dataset`. Every error this package raises for bad input extends {@link DatasetError},
 * names the offending file and value in its message, and keeps the underlying error as `cause`.
 *
 * @example
 * try { await decodeDicom(bytes, { fileName: 'scans/a.dcm' }); }
 * catch (e) { if (e instanceof DatasetError) console.error(e.message); else throw e; }
 */
export class DatasetError extends Error {
  override name = 'DatasetError';
  /** The file the error is about, when known. */
  readonly file: string | undefined;
  constructor(message: string, options?: { cause?: unknown; file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.file = options?.file;
  }
}

/** Shown in messages when the caller gave no file name (e.g. bytes from a browser upload). */
const UNNAMED = '<bytes>';

/** The file name for messages: the caller's name or a placeholder. */
function where(file: string | undefined): string {
  return file ?? UNNAMED;
}

/** A DICOM file whose structure cannot be parsed (truncated, corrupt lengths, not DICOM, bad tag values). */
export class DicomParseError extends DatasetError {
  override name = 'DicomParseError';
  constructor(problem: string, file: string | undefined, options?: { cause?: unknown }) {
    super(`Cannot parse DICOM ${where(file)}: ${problem}`, { ...options, file });
  }
}

/** A DICOM file whose transfer syntax (encoding of the dataset or pixels) this package cannot decode. */
export class UnsupportedTransferSyntaxError extends DatasetError {
  override name = 'UnsupportedTransferSyntaxError';
  /** The transfer syntax UID, e.g. `1.2.840.10008.1.2.2`. */
  readonly transferSyntaxUid: string;
  constructor(transferSyntaxUid: string, syntaxName: string, file: string | undefined, options?: { cause?: unknown }) {
    super(`Unsupported transfer syntax ${transferSyntaxUid} (${syntaxName}) in ${where(file)}`, { ...options, file });
    this.transferSyntaxUid = transferSyntaxUid;
  }
}

/** A DICOM file without Pixel Data (7FE0,0010), e.g. a structured report or a header-only file. */
export class MissingPixelDataError extends DatasetError {
  override name = 'MissingPixelDataError';
  constructor(file: string | undefined, detail = 'no Pixel Data element (7FE0,0010)') {
    super(`No pixel data in ${where(file)}: ${detail}`, { file });
  }
}

/**
 * Pixel data that cannot be turned into an image: a codec failure, a frame shorter than its header promises,
 * an image over the size limit, or pixel attributes out of range.
 */
export class DicomDecodeError extends DatasetError {
  override name = 'DicomDecodeError';
  constructor(problem: string, file: string | undefined, options?: { cause?: unknown }) {
    super(`Cannot decode DICOM pixels of ${where(file)}: ${problem}`, { ...options, file });
  }
}

/** A metadata file (CSV) whose header lacks a required column or whose rows cannot be parsed. */
export class MetadataSchemaError extends DatasetError {
  override name = 'MetadataSchemaError';
  /** The missing or malformed column, when the problem is about one. */
  readonly column: string | undefined;
  constructor(problem: string, file: string, options?: { cause?: unknown; column?: string }) {
    super(`Bad metadata in ${file}: ${problem}`, { cause: options?.cause, file });
    this.column = options?.column;
  }
}

/**
 * A path taken from metadata, a manifest or a split file that is empty, absolute, climbs out of its folder (`../`)
 * or holds a NUL byte: it is refused before any file is touched, never read or written.
 */
export class UnsafePathError extends DatasetError {
  override name = 'UnsafePathError';
  /** The refused path, as written in the metadata. */
  readonly unsafePath: string;
  /** The folder the path had to stay in, when known. */
  readonly baseDir: string | undefined;
  constructor(unsafePath: string, file: string | undefined, reason: string, options?: { baseDir?: string }) {
    const inside = options?.baseDir === undefined ? '' : `; paths must stay inside ${options.baseDir}`;
    super(`Unsafe path ${JSON.stringify(unsafePath)} in ${file ?? '<metadata>'}: ${reason}${inside}`, { file });
    this.unsafePath = unsafePath;
    this.baseDir = options?.baseDir;
  }
}

/** A CSV file of the dataset (manifest.csv, split.csv) is malformed: bad quoting, missing column, bad value. */
export class CsvFormatError extends DatasetError {
  override name = 'CsvFormatError';
  /** The 1-based line of the problem, when known. */
  readonly line: number | null;
  constructor(file: string, line: number | null, reason: string, options?: { cause?: unknown }) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`, { cause: options?.cause, file });
    this.line = line;
  }
}

/** Invalid options for a split (fractions not summing to 1, unknown split name...). */
export class SplitOptionsError extends DatasetError {
  override name = 'SplitOptionsError';
}

/** A split puts the same patient in two splits: images of one patient would leak across the evaluation. */
export class PatientLeakError extends DatasetError {
  override name = 'PatientLeakError';
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

/** A source specification or build configuration that cannot be used (unknown source kind, missing folder). */
export class DatasetConfigError extends DatasetError {
  override name = 'DatasetConfigError';
}

/** An image listed for a build that cannot be read or converted (corrupt, truncated, too large). */
export class ImageConversionError extends DatasetError {
  override name = 'ImageConversionError';
  constructor(problem: string, file: string, options?: { cause?: unknown }) {
    super(`Cannot convert image ${file}: ${problem}`, { cause: options?.cause, file });
  }
}

/**
 * A JPEG whose frame header (SOF) declares a smaller size than its compressed image data holds: the header was altered
 * or the file is corrupt. Decoders read only the declared size and drop the rest without a warning, so the picture
 * would be a fragment of the real one (see `checkJpegFrameSize`).
 */
export class JpegFrameSizeError extends DatasetError {
  override name = 'JpegFrameSizeError';
  /** The size the header declares. */
  readonly width: number;
  readonly height: number;
  /** The problem in words, without the file name (for callers that wrap it in their own error). */
  readonly problem: string;
  constructor(file: string | undefined, width: number, height: number, detail: string) {
    const problem = `its JPEG header's size ${width}x${height} is smaller than its image data (${detail}): the header was altered or the file is corrupt`;
    super(`Image ${where(file)}: ${problem}`, { file });
    this.width = width;
    this.height = height;
    this.problem = problem;
  }
}

/** A dataset folder that cannot be used: missing, not a folder, or holding neither a manifest nor class folders. */
export class DatasetFolderError extends DatasetError {
  override name = 'DatasetFolderError';
}

/** A split file that cannot be used with its dataset: missing, naming images the dataset lacks, or relabelling them. */
export class SplitFileError extends DatasetError {
  override name = 'SplitFileError';
}

/**
 * A dataset design where a class comes mostly from sources no other class has (see `auditDataDesign`): a model can
 * learn the source instead of the class. Carries the audit; the message says what, why and what to do.
 */
export class ConfoundedDesignError extends DatasetError {
  override name = 'ConfoundedDesignError';
  constructor(
    /** The audit that found it (a `DataDesignAudit`). */
    readonly audit: { findings: string[]; threshold: number },
    message: string,
    file?: string,
  ) {
    super(file ? `${file}: ${message}` : message, { file });
  }
}

/**
 * A recipe (JSON file or object) that cannot be used: not JSON, an unknown key, a value of the wrong kind. The
 * message names the file, the key (a JSON path such as `classes[1].filter.views`) and the bad value.
 */
export class RecipeError extends DatasetConfigError {
  override name = 'RecipeError';
  /** The offending key, as a JSON path (`classes[0].label`), or `''` for the whole file. */
  readonly key: string;
  constructor(file: string, key: string, problem: string, options?: { cause?: unknown }) {
    super(`Bad recipe ${file}${key === '' ? '' : ` at ${key}`}: ${problem}`, { cause: options?.cause, file });
    this.key = key;
  }
}
