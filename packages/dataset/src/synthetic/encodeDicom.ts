import { createHash } from 'node:crypto';
import { EXPLICIT_VR_LITTLE_ENDIAN, writeDicom, type DicomElements, type DicomElementValue } from './writeDicom';

export { EXPLICIT_VR_LITTLE_ENDIAN };

/** Computed Radiography Image Storage SOP class. */
export const CR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.1';

/** A greyscale radiograph and the header fields of a DICOM Part 10 file. Names follow the standard's keywords. */
export interface DicomImageOptions {
  rows: number;
  columns: number;
  /** 8 (pixels as bytes, PixelData OB) or 16 (little-endian words, PixelData OW). */
  bitsAllocated: 8 | 16;
  bitsStored: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  /** MONOCHROME2: 0 is black; MONOCHROME1: 0 is white (inverted), as many CR systems store. */
  photometricInterpretation: 'MONOCHROME1' | 'MONOCHROME2';
  /** Row-major pixels, `rows * columns` of them. */
  pixelData: Uint8Array | Uint16Array | Int16Array;
  windowCenter?: number;
  windowWidth?: number;
  rescaleIntercept?: number;
  rescaleSlope?: number;
  /** Row and column spacing in mm. */
  pixelSpacing?: [number, number];
  patientId: string;
  patientName?: string;
  /** `M`, `F` or `O`. */
  patientSex: string;
  /** Age string `nnnD|W|M|Y`, e.g. `045Y`. */
  patientAge: string;
  viewPosition: string;
  modality: string;
  bodyPartExamined?: string;
  studyDate?: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid?: string;
}

/** Decimal String: at most 16 characters, no exponent for the values used here. */
const ds = (value: number) => {
  const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10)));
  if (text.length > 16) throw new RangeError(`DS value ${value} does not fit 16 characters`);
  return text;
};

/**
 * A DICOM UID under the `2.25` root (a UUID-derived decimal, ISO/IEC 9834-8), derived from a name so the
 * same input always gives the same UID.
 */
export function uidFromName(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  const n = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`) || 1n;
  return `2.25.${n.toString(10)}`;
}

const IMPLEMENTATION_CLASS_UID = uidFromName('cxr demo DICOM writer');

/**
 * Encodes a greyscale image as a DICOM Part 10 file through {@link writeDicom} (dcmjs): 128-byte preamble, `DICM`,
 * the file meta group (transfer syntax Explicit VR Little Endian), then the dataset with patient, study, series and
 * image pixel module attributes in ascending tag order. Uncompressed; one frame.
 *
 * @throws {RangeError} when the pixel data does not hold `rows * columns` values or a value does not fit its VR.
 * @example
 * const bytes = encodeDicom({ rows: 2, columns: 2, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0,
 *   photometricInterpretation: 'MONOCHROME2', pixelData: new Uint8Array([0, 64, 128, 255]), patientId: 'p1',
 *   patientSex: 'F', patientAge: '045Y', viewPosition: 'PA', modality: 'CR',
 *   studyInstanceUid: uidFromName('s'), seriesInstanceUid: uidFromName('se'), sopInstanceUid: uidFromName('i') });
 */
export function encodeDicom(o: DicomImageOptions): Buffer {
  if (o.pixelData.length !== o.rows * o.columns) {
    throw new RangeError(`DICOM pixel data holds ${o.pixelData.length} values, expected rows*columns = ${o.rows * o.columns}`);
  }
  if ((o.bitsAllocated === 8) !== o.pixelData instanceof Uint8Array) {
    throw new RangeError(`DICOM pixel data of ${o.bitsAllocated} bits needs a ${o.bitsAllocated === 8 ? 'Uint8Array' : 'Uint16Array or Int16Array'}`);
  }
  const sopClassUid = o.sopClassUid ?? CR_IMAGE_STORAGE;

  const pixels =
    o.pixelData instanceof Uint8Array
      ? o.pixelData
      : (() => {
          const b = Buffer.alloc(o.pixelData.length * 2);
          for (let i = 0; i < o.pixelData.length; i++) {
            if (o.pixelData instanceof Int16Array) b.writeInt16LE(o.pixelData[i], 2 * i);
            else b.writeUInt16LE(o.pixelData[i], 2 * i);
          }
          return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        })();
  const text = (vr: string, value: string): DicomElementValue => ({ vr, value });
  const us = (value: number): DicomElementValue => ({ vr: 'US', value: [value] });
  const optional = (tag: string, value: number | undefined): DicomElements => (value === undefined ? {} : { [tag]: text('DS', ds(value)) });

  const elements: DicomElements = {
    '00080005': text('CS', 'ISO_IR 100'),
    '00080008': text('CS', 'ORIGINAL\\PRIMARY'),
    '00080016': text('UI', sopClassUid),
    '00080018': text('UI', o.sopInstanceUid),
    '00080020': text('DA', o.studyDate ?? '20200401'),
    '00080060': text('CS', o.modality),
    '0008103E': text('LO', 'SYNTHETIC - NOT FOR CLINICAL USE'),
    '00100010': text('PN', o.patientName ?? o.patientId),
    '00100020': text('LO', o.patientId),
    '00100040': text('CS', o.patientSex),
    '00101010': text('AS', o.patientAge),
    '00180015': text('CS', o.bodyPartExamined ?? 'CHEST'),
    '00185101': text('CS', o.viewPosition),
    '0020000D': text('UI', o.studyInstanceUid),
    '0020000E': text('UI', o.seriesInstanceUid),
    '00200010': text('SH', '1'),
    '00200011': text('IS', '1'),
    '00200013': text('IS', '1'),
    '00280002': us(1),
    '00280004': text('CS', o.photometricInterpretation),
    '00280010': us(o.rows),
    '00280011': us(o.columns),
    ...(o.pixelSpacing ? { '00280030': text('DS', `${ds(o.pixelSpacing[0])}\\${ds(o.pixelSpacing[1])}`) } : {}),
    '00280100': us(o.bitsAllocated),
    '00280101': us(o.bitsStored),
    '00280102': us(o.bitsStored - 1),
    '00280103': us(o.pixelRepresentation),
    ...optional('00281050', o.windowCenter),
    ...optional('00281051', o.windowWidth),
    ...optional('00281052', o.rescaleIntercept),
    ...optional('00281053', o.rescaleSlope),
    '7FE00010': { vr: o.bitsAllocated === 8 ? 'OB' : 'OW', value: pixels },
  };
  const file = writeDicom(elements, {
    transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
    meta: {
      '00020002': text('UI', sopClassUid),
      '00020003': text('UI', o.sopInstanceUid),
      '00020012': text('UI', IMPLEMENTATION_CLASS_UID),
      '00020013': text('SH', 'CXR_DEMO_1'),
    },
  });
  return Buffer.from(file.buffer, file.byteOffset, file.byteLength);
}
