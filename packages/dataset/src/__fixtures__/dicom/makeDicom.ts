/**
 * A tiny DICOM writer for tests: builds Part 10 files or raw data sets, little endian, explicit or implicit VR,
 * from a list of elements. Just enough of PS3.5/PS3.10 to make small synthetic images whose expected pixels
 * can be worked out by hand.
 */

/** One data element: tag as [group, element], its VR, and its value (a string, numbers for US/SS, or bytes). */
export interface FixtureElement {
  tag: [number, number];
  vr: string;
  value: string | number[] | Uint8Array | FixtureElement[][];
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);
const utf8 = new TextEncoder();

function pad(bytes: Uint8Array, vr: string): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = vr === 'UI' || vr === 'OB' ? 0 : 0x20;
  return padded;
}

function valueBytes(element: FixtureElement, explicit: boolean): Uint8Array {
  const { vr, value } = element;
  if (value instanceof Uint8Array) return pad(value, vr);
  if (typeof value === 'string') return pad(utf8.encode(value), vr);
  if (vr === 'SQ') {
    const items = (value as FixtureElement[][]).map((item) => {
      const body = concat(item.map((e) => encodeElement(e, explicit)));
      const header = new Uint8Array(8);
      const view = new DataView(header.buffer);
      view.setUint16(0, 0xfffe, true);
      view.setUint16(2, 0xe000, true);
      view.setUint32(4, body.length, true);
      return concat([header, body]);
    });
    return concat(items);
  }
  const numbers = value as number[];
  const out = new Uint8Array(numbers.length * 2);
  const view = new DataView(out.buffer);
  numbers.forEach((n, i) => (vr === 'SS' ? view.setInt16(2 * i, n, true) : view.setUint16(2 * i, n, true)));
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Encapsulated Pixel Data (PS3.5 A.4): an (7FE0,0010) OB element of undefined length holding an empty Basic
 * Offset Table item, one item per fragment, and a sequence delimiter. Explicit VR.
 */
export function encapsulatedPixelData(fragments: Uint8Array[]): Uint8Array {
  const item = (body: Uint8Array, element = 0xe000) => {
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint16(0, 0xfffe, true);
    view.setUint16(2, element, true);
    view.setUint32(4, body.length, true);
    return concat([header, body]);
  };
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  header[4] = 0x4f; // 'O'
  header[5] = 0x42; // 'B'
  view.setUint32(8, 0xffffffff, true);
  return concat([header, item(new Uint8Array(0)), ...fragments.map((f) => item(pad(f, 'OB'))), item(new Uint8Array(0), 0xe0dd)]);
}

/** Encodes one element (little endian). */
function encodeElement(element: FixtureElement, explicit: boolean): Uint8Array {
  const body = valueBytes(element, explicit);
  const long = LONG_VRS.has(element.vr);
  const header = new Uint8Array(explicit ? (long ? 12 : 8) : 8);
  const view = new DataView(header.buffer);
  view.setUint16(0, element.tag[0], true);
  view.setUint16(2, element.tag[1], true);
  if (!explicit) {
    view.setUint32(4, body.length, true);
  } else {
    header[4] = element.vr.charCodeAt(0);
    header[5] = element.vr.charCodeAt(1);
    if (long) view.setUint32(8, body.length, true);
    else view.setUint16(6, body.length, true);
  }
  return concat([header, body]);
}

export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** Options of {@link makeDicom}. */
export interface MakeDicomOptions {
  transferSyntaxUid?: string;
  /** Write a raw data set: no preamble, no "DICM", no file meta. */
  raw?: boolean;
  /** Write "DICM" and the file meta but not the 128-byte preamble. */
  noPreamble?: boolean;
}

/**
 * Builds DICOM bytes; elements must be given in ascending tag order. `appended` bytes (e.g.
 * {@link encapsulatedPixelData}) are written after them as they are.
 */
export function makeDicom(elements: FixtureElement[], options: MakeDicomOptions = {}, appended?: Uint8Array): Uint8Array {
  const ts = options.transferSyntaxUid ?? EXPLICIT_LE;
  const explicit = ts !== IMPLICIT_LE;
  const dataSet = concat([...elements.map((e) => encodeElement(e, explicit)), appended ?? new Uint8Array(0)]);
  if (options.raw) return dataSet;
  const metaBody = concat([
    encodeElement({ tag: [0x0002, 0x0001], vr: 'OB', value: new Uint8Array([0, 1]) }, true),
    encodeElement({ tag: [0x0002, 0x0010], vr: 'UI', value: ts }, true),
  ]);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, metaBody.length, true);
  const meta = concat([encodeElement({ tag: [0x0002, 0x0000], vr: 'UL', value: groupLength }, true), metaBody]);
  const prefix = utf8.encode('DICM');
  return concat([options.noPreamble ? new Uint8Array(0) : new Uint8Array(128), prefix, meta, dataSet]);
}

/** Little-endian bytes of 16-bit words (the low 16 bits of each number, so negative numbers are two's complement). */
export function words16(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v & 0xffff, true));
  return out;
}

/** The image-pixel elements of a greyscale image, to spread into {@link makeDicom}'s list (tags 0028,xxxx). */
export function imagePixelModule(options: {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  highBit?: number;
  pixelRepresentation?: 0 | 1;
  photometricInterpretation?: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  samplesPerPixel?: number;
}): FixtureElement[] {
  return [
    { tag: [0x0028, 0x0002], vr: 'US', value: [options.samplesPerPixel ?? 1] },
    { tag: [0x0028, 0x0004], vr: 'CS', value: options.photometricInterpretation ?? 'MONOCHROME2' },
    { tag: [0x0028, 0x0010], vr: 'US', value: [options.rows] },
    { tag: [0x0028, 0x0011], vr: 'US', value: [options.columns] },
    { tag: [0x0028, 0x0100], vr: 'US', value: [options.bitsAllocated] },
    { tag: [0x0028, 0x0101], vr: 'US', value: [options.bitsStored] },
    { tag: [0x0028, 0x0102], vr: 'US', value: [options.highBit ?? options.bitsStored - 1] },
    { tag: [0x0028, 0x0103], vr: 'US', value: [options.pixelRepresentation ?? 0] },
  ];
}
