import * as dicomParserNamespace from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { DatasetError, DicomParseError, UnsupportedTransferSyntaxError } from '../errors';
import { transferSyntax } from './transferSyntax';

// dicom-parser is a UMD bundle: depending on the loader its functions sit on the namespace or on `default`.
type DicomParserApi = typeof dicomParserNamespace;
const dicomParser: DicomParserApi =
  typeof dicomParserNamespace.parseDicom === 'function'
    ? dicomParserNamespace
    : (dicomParserNamespace as unknown as { default: DicomParserApi }).default;

export { dicomParser };

/** A parsed data set and how it was found in the bytes. */
export interface ParsedDicom {
  dataSet: DataSet;
  /** Transfer syntax of the data set: from the file meta, or assumed for a raw data set. */
  transferSyntaxUid: string;
  /** Whether the bytes were a Part 10 file (preamble + "DICM" + file meta), not a raw data set. */
  part10: boolean;
}

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const DEFLATED = '1.2.840.10008.1.2.1.99';

function hasDicmAt(bytes: Uint8Array, at: number): boolean {
  return (
    bytes.length >= at + 4 && bytes[at] === 0x44 && bytes[at + 1] === 0x49 && bytes[at + 2] === 0x43 && bytes[at + 3] === 0x4d
  );
}

function isUpper(b: number | undefined): boolean {
  return b !== undefined && b >= 0x41 && b <= 0x5a;
}

/**
 * Recognises a raw data set (no preamble, no "DICM", no file meta, as old ACR-NEMA style files such as the
 * NEMA CR-MONO1-10-chest sample): it starts with a low group number, and explicit VR shows as two capital
 * letters after the tag. Returns the transfer syntax to read it with, or undefined when it is not DICOM.
 */
function guessRawDataSet(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const group = bytes[0] | (bytes[1] << 8);
  // Data sets start with their lowest group: file meta (0002), identifying (0008), rarely patient (0010)...
  if (group < 0x0002 || group > 0x0028 || group % 2 !== 0) return undefined;
  if (isUpper(bytes[4]) && isUpper(bytes[5])) return EXPLICIT_LE;
  const length = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0;
  return length <= bytes.length - 8 ? IMPLICIT_LE : undefined;
}

/**
 * The cause in words, on one line. dicom-parser throws Errors, bare strings, and from `parseDicom` a plain object
 * `{ exception, dataSet }` (the part parsed so far) whose String() is "[object Object]": its `exception` is the cause.
 */
export function describe(thrown: unknown): string {
  let cause: unknown = thrown;
  for (let depth = 0; depth < 3 && cause !== null && typeof cause === 'object' && !(cause instanceof Error) && 'exception' in cause; depth++) {
    cause = (cause as { exception: unknown }).exception;
  }
  let text: string;
  if (cause instanceof Error) text = cause.message;
  else if (typeof cause === 'string') text = cause;
  else if (cause === undefined || cause === null) text = '';
  else {
    try {
      text = JSON.stringify(cause) ?? '';
    } catch {
      text = '';
    }
  }
  // dicom-parser prefixes its function names ("dicomParser:parseDicomDataSetExplicit: buffer overrun").
  text = text.replace(/\s+/g, ' ').replace(/^(?:dicomParser[.:]\w+|\w+\.\w+):\s*/, '').trim();
  if (text === '' || text === '{}') return 'the parser stopped without saying why (the file is corrupt)';
  // "basic offset table not found" is about a structure inside the file, not the file: said as "missing".
  text = text.replace(/\bnot found\b/gi, 'missing');
  if (/buffer overrun|past end of buffer|cannot be greater than or equal to 'byteArray' length/i.test(text)) {
    return `the file is truncated or an element length points past its end (${text})`;
  }
  return text;
}

/**
 * Parses DICOM bytes with dicom-parser: Part 10 files (with or without the 128-byte preamble) and raw
 * little-endian data sets. Pixel data is not copied. Every failure becomes a {@link DicomParseError}
 * naming the file; a deflated data set, which this browser-safe reader does not inflate, an
 * {@link UnsupportedTransferSyntaxError}. `checkTransferSyntax` may throw to refuse a declared syntax early.
 */
export function parseDicomBytes(
  input: Uint8Array,
  fileName?: string,
  checkTransferSyntax?: (uid: string) => void,
): ParsedDicom {
  let bytes = input;
  if (!hasDicmAt(bytes, 128) && hasDicmAt(bytes, 0)) {
    // "DICM" + file meta without the preamble: put a blank preamble back so the parser finds its prefix.
    const padded = new Uint8Array(bytes.length + 128);
    padded.set(bytes, 128);
    bytes = padded;
  }
  const part10 = hasDicmAt(bytes, 128);
  let assumed: string | undefined;
  if (part10) {
    let meta: DataSet;
    try {
      meta = dicomParser.readPart10Header(bytes);
    } catch (thrown) {
      throw new DicomParseError(`bad file meta information (${describe(thrown)})`, fileName, { cause: thrown });
    }
    const declared = guardParser(() => meta.string('x00020010'), fileName);
    if (!declared) throw new DicomParseError('file meta has no Transfer Syntax UID (0002,0010)', fileName);
    const uid = declared.replace(/\0/g, '').trim();
    if (uid === DEFLATED) throw new UnsupportedTransferSyntaxError(uid, transferSyntax(uid).name, fileName);
    // Lets a pixel decoder refuse, say, big endian before the data set is parsed at all.
    checkTransferSyntax?.(uid);
  } else {
    assumed = guessRawDataSet(bytes);
    if (!assumed) {
      throw new DicomParseError('not a DICOM file (no "DICM" at byte 128 and no data set at byte 0)', fileName);
    }
  }
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, assumed ? { TransferSyntaxUID: assumed } : undefined);
  } catch (thrown) {
    throw new DicomParseError(describe(thrown), fileName, { cause: thrown });
  }
  const transferSyntaxUid = (part10 ? guardParser(() => dataSet.string('x00020010'), fileName) : assumed) ?? IMPLICIT_LE;
  return { dataSet, transferSyntaxUid: transferSyntaxUid.replace(/\0/g, '').trim(), part10 };
}

/**
 * Runs code that reads values through dicom-parser, which throws bare strings (e.g. "attempt to read past end
 * of buffer") when a corrupt length points outside the file: those become a {@link DicomParseError}.
 * Errors of this package pass through unchanged.
 */
export function guardParser<T>(read: () => T, fileName: string | undefined): T {
  try {
    return read();
  } catch (thrown) {
    if (thrown instanceof DatasetError) throw thrown;
    throw new DicomParseError(describe(thrown), fileName, { cause: thrown });
  }
}
