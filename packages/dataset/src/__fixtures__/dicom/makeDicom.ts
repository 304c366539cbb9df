/**
 * DICOM files for the decoder's tests, written by the project's one DICOM writer (`writeDicom`, dcmjs): Part 10 files
 * or raw data sets, little endian, explicit or implicit VR, from a list of elements, so that small synthetic images
 * have pixels that can be worked out by hand.
 */
import { writeDicom, type DicomElements } from '../../synthetic/writeDicom';

/** One data element: tag as [group, element], its VR, and its value (a string, numbers for US/SS, or bytes). */
export interface FixtureElement {
  tag: [number, number];
  vr: string;
  value: string | number[] | Uint8Array | FixtureElement[][];
}

/** Fragments of compressed pixel data, written as encapsulated Pixel Data (PS3.5 A.4) by {@link makeDicom}. */
export interface EncapsulatedPixelData {
  fragments: Uint8Array[];
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

/** Encapsulated Pixel Data: an (7FE0,0010) OB element of undefined length, a Basic Offset Table, one item per fragment. */
export function encapsulatedPixelData(fragments: Uint8Array[]): EncapsulatedPixelData {
  return { fragments };
}

const hex = (n: number): string => n.toString(16).padStart(4, '0');

function toElements(list: readonly FixtureElement[]): DicomElements {
  const out: DicomElements = {};
  for (const e of list) {
    out[`${hex(e.tag[0])}${hex(e.tag[1])}`] = {
      vr: e.vr,
      value: e.vr === 'SQ' ? (e.value as FixtureElement[][]).map(toElements) : (e.value as string | number[] | Uint8Array),
    };
  }
  return out;
}

/** Builds DICOM bytes from `elements`; `pixels` (encapsulated fragments) becomes the Pixel Data element. */
export function makeDicom(elements: FixtureElement[], options: MakeDicomOptions = {}, pixels?: EncapsulatedPixelData): Uint8Array {
  const dataSet = toElements(elements);
  if (pixels) {
    if (pixels.fragments.length !== 1) throw new RangeError('makeDicom writes one fragment (one frame) of encapsulated pixel data');
    dataSet['7fe00010'] = { vr: 'OB', value: pixels.fragments[0] };
  }
  return writeDicom(dataSet, { transferSyntaxUid: options.transferSyntaxUid ?? EXPLICIT_LE, raw: options.raw, noPreamble: options.noPreamble });
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
