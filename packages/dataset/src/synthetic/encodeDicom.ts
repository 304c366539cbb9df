import { createHash } from 'node:crypto';

/** Explicit VR Little Endian, the transfer syntax every DICOM reader must support. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
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

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** One data element in Explicit VR Little Endian: tag, VR, length (2 or 4 bytes), value padded to even length. */
function element(group: number, elem: number, vr: string, value: Buffer): Buffer {
  const pad = value.length % 2 === 1 ? Buffer.from([vr === 'UI' || vr === 'OB' ? 0 : 0x20]) : Buffer.alloc(0);
  const body = Buffer.concat([value, pad]);
  const long = LONG_VRS.has(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(elem, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(body.length, 8);
  else {
    if (body.length > 0xffff) throw new RangeError(`DICOM element (${group.toString(16)},${elem.toString(16)}) ${vr} is too long: ${body.length} bytes`);
    header.writeUInt16LE(body.length, 6);
  }
  return Buffer.concat([header, body]);
}

const str = (group: number, elem: number, vr: string, text: string) => element(group, elem, vr, Buffer.from(text, 'latin1'));
const us = (group: number, elem: number, value: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value, 0);
  return element(group, elem, 'US', b);
};
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
 * Encodes a greyscale image as a DICOM Part 10 file: 128-byte preamble, `DICM`, the file meta group
 * (transfer syntax Explicit VR Little Endian), then the dataset with patient, study, series and image
 * pixel module attributes in ascending tag order. Uncompressed; one frame.
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

  const metaElements = [
    element(0x0002, 0x0001, 'OB', Buffer.from([0x00, 0x01])),
    str(0x0002, 0x0002, 'UI', sopClassUid),
    str(0x0002, 0x0003, 'UI', o.sopInstanceUid),
    str(0x0002, 0x0010, 'UI', EXPLICIT_VR_LITTLE_ENDIAN),
    str(0x0002, 0x0012, 'UI', IMPLEMENTATION_CLASS_UID),
    str(0x0002, 0x0013, 'SH', 'CXR_DEMO_1'),
  ];
  const metaLength = Buffer.alloc(4);
  metaLength.writeUInt32LE(metaElements.reduce((s, e) => s + e.length, 0), 0);
  const meta = [element(0x0002, 0x0000, 'UL', metaLength), ...metaElements];

  const pixels =
    o.pixelData instanceof Uint8Array
      ? Buffer.from(o.pixelData.buffer, o.pixelData.byteOffset, o.pixelData.byteLength)
      : (() => {
          const b = Buffer.alloc(o.pixelData.length * 2);
          for (let i = 0; i < o.pixelData.length; i++) {
            if (o.pixelData instanceof Int16Array) b.writeInt16LE(o.pixelData[i], 2 * i);
            else b.writeUInt16LE(o.pixelData[i], 2 * i);
          }
          return b;
        })();

  const data: Buffer[] = [
    str(0x0008, 0x0005, 'CS', 'ISO_IR 100'),
    str(0x0008, 0x0008, 'CS', 'ORIGINAL\\PRIMARY'),
    str(0x0008, 0x0016, 'UI', sopClassUid),
    str(0x0008, 0x0018, 'UI', o.sopInstanceUid),
    str(0x0008, 0x0020, 'DA', o.studyDate ?? '20200401'),
    str(0x0008, 0x0060, 'CS', o.modality),
    str(0x0008, 0x103e, 'LO', 'SYNTHETIC - NOT FOR CLINICAL USE'),
    str(0x0010, 0x0010, 'PN', o.patientName ?? o.patientId),
    str(0x0010, 0x0020, 'LO', o.patientId),
    str(0x0010, 0x0040, 'CS', o.patientSex),
    str(0x0010, 0x1010, 'AS', o.patientAge),
    str(0x0018, 0x0015, 'CS', o.bodyPartExamined ?? 'CHEST'),
    str(0x0018, 0x5101, 'CS', o.viewPosition),
    str(0x0020, 0x000d, 'UI', o.studyInstanceUid),
    str(0x0020, 0x000e, 'UI', o.seriesInstanceUid),
    str(0x0020, 0x0010, 'SH', '1'),
    str(0x0020, 0x0011, 'IS', '1'),
    str(0x0020, 0x0013, 'IS', '1'),
    us(0x0028, 0x0002, 1),
    str(0x0028, 0x0004, 'CS', o.photometricInterpretation),
    us(0x0028, 0x0010, o.rows),
    us(0x0028, 0x0011, o.columns),
    ...(o.pixelSpacing ? [str(0x0028, 0x0030, 'DS', `${ds(o.pixelSpacing[0])}\\${ds(o.pixelSpacing[1])}`)] : []),
    us(0x0028, 0x0100, o.bitsAllocated),
    us(0x0028, 0x0101, o.bitsStored),
    us(0x0028, 0x0102, o.bitsStored - 1),
    us(0x0028, 0x0103, o.pixelRepresentation),
    ...(o.windowCenter !== undefined ? [str(0x0028, 0x1050, 'DS', ds(o.windowCenter))] : []),
    ...(o.windowWidth !== undefined ? [str(0x0028, 0x1051, 'DS', ds(o.windowWidth))] : []),
    ...(o.rescaleIntercept !== undefined ? [str(0x0028, 0x1052, 'DS', ds(o.rescaleIntercept))] : []),
    ...(o.rescaleSlope !== undefined ? [str(0x0028, 0x1053, 'DS', ds(o.rescaleSlope))] : []),
    element(0x7fe0, 0x0010, o.bitsAllocated === 8 ? 'OB' : 'OW', pixels),
  ];
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), ...meta, ...data]);
}
