// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- makes the ambient dcmjs types visible where other packages compile this source
/// <reference path="./dcmjs.d.ts" />
import dcmjs from 'dcmjs';

/** Explicit VR Little Endian, the transfer syntax every DICOM reader must support. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Implicit VR Little Endian, the default transfer syntax of DICOM. */
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/** One data element to write: its VR and its values (strings, numbers, bytes, or the items of a sequence). */
export interface DicomElementValue {
  vr: string;
  /** Text (several values joined with `\`), numbers (US, SS, UL...), bytes (OB, OW, UN), or sequence items. */
  value: string | readonly number[] | Uint8Array | readonly DicomElements[];
}

/** A data set to write, keyed by tag as 8 hex digits (`00280010` for Rows). */
export type DicomElements = Record<string, DicomElementValue>;

/** Options of {@link writeDicom}. */
export interface WriteDicomOptions {
  /** Default Explicit VR Little Endian. An encapsulated syntax writes `PixelData` bytes as one fragment. */
  transferSyntaxUid?: string;
  /** File meta elements besides the version and the transfer syntax (SOP class and instance UIDs...). */
  meta?: DicomElements;
  /** A raw data set: no preamble, no `DICM`, no file meta. */
  raw?: boolean;
  /** `DICM` and the file meta without the 128-byte preamble. */
  noPreamble?: boolean;
}

type Denaturalised = Record<string, { vr: string; Value: unknown[] }>;

const bytes = (b: Uint8Array): ArrayBuffer => b.slice().buffer;

function denaturalise(elements: DicomElements): Denaturalised {
  const out: Denaturalised = {};
  const sorted = Object.entries(elements).sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1));
  for (const [tag, { vr, value }] of sorted) {
    const key = tag.toUpperCase();
    if (value instanceof Uint8Array) out[key] = { vr, Value: [bytes(value)] };
    else if (typeof value === 'string') out[key] = { vr, Value: vr === 'PN' ? [{ Alphabetic: value }] : value.split('\\') };
    else if (vr === 'SQ') out[key] = { vr, Value: (value as readonly DicomElements[]).map(denaturalise) };
    else out[key] = { vr, Value: [...(value as readonly number[])] };
  }
  return out;
}

/**
 * Writes a DICOM Part 10 file (or a raw data set) with dcmjs: 128-byte preamble, `DICM`, the file meta group (with
 * its group length), then the data set in the transfer syntax, sorted by tag. The one DICOM writer of the project:
 * the synthetic RSNA files (`encodeDicom`) and the decoder's test fixtures are both written through it.
 *
 * @example
 * const file = writeDicom({ '00280010': { vr: 'US', value: [2] }, '7FE00010': { vr: 'OB', value: new Uint8Array(4) } });
 */
export function writeDicom(elements: DicomElements, options: WriteDicomOptions = {}): Uint8Array {
  const transferSyntaxUid = options.transferSyntaxUid ?? EXPLICIT_VR_LITTLE_ENDIAN;
  const dataSet = denaturalise(elements);
  if (options.raw) {
    const stream = new dcmjs.data.WriteBufferStream();
    dcmjs.data.DicomMessage.write(dataSet, stream, transferSyntaxUid, {});
    return new Uint8Array(stream.getBuffer());
  }
  const meta = denaturalise({
    '00020001': { vr: 'OB', value: new Uint8Array([0, 1]) },
    ...options.meta,
    '00020010': { vr: 'UI', value: transferSyntaxUid },
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dataSet;
  const file = new Uint8Array(dict.write());
  return options.noPreamble ? file.subarray(128) : file;
}
