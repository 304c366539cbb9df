import type { DataSet } from 'dicom-parser';
import { DicomParseError } from '../errors';
import { parseDicomAge } from './parseDicomAge';
import { guardParser, parseDicomBytes } from './parseDicomBytes';

/** The attributes of a DICOM image that the dataset tools use, read without decoding pixels. */
export interface DicomHeader {
  patientId: string | undefined;
  /** `M`, `F`, `O` as stored. */
  patientSex: string | undefined;
  /** Patient Age (0010,1010) in years; months, weeks and days give fractional years. */
  patientAge: number | undefined;
  viewPosition: string | undefined;
  modality: string | undefined;
  bodyPartExamined: string | undefined;
  photometricInterpretation: string | undefined;
  rows: number | undefined;
  columns: number | undefined;
  samplesPerPixel: number | undefined;
  bitsAllocated: number | undefined;
  bitsStored: number | undefined;
  highBit: number | undefined;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number | undefined;
  numberOfFrames: number | undefined;
  transferSyntaxUid: string;
  /** Window Center (0028,1050), every value; empty when absent. */
  windowCenter: number[];
  /** Window Width (0028,1051), every value; empty when absent. */
  windowWidth: number[];
  /** VOI LUT Function (0028,1056): `LINEAR` (the default when absent), `LINEAR_EXACT` or `SIGMOID`. */
  voiLutFunction: string | undefined;
  rescaleSlope: number | undefined;
  rescaleIntercept: number | undefined;
  studyDescription: string | undefined;
  sopInstanceUid: string | undefined;
  /** Whether the file has Pixel Data (7FE0,0010). */
  hasPixelData: boolean;
}

/** Options of {@link readDicomHeader}. */
export interface ReadDicomHeaderOptions {
  /** Named in error messages. */
  fileName?: string;
}

function text(ds: DataSet, tag: string): string | undefined {
  const value = ds.string(tag);
  return value === undefined || value === '' ? undefined : value;
}

function us(ds: DataSet, tag: string): number | undefined {
  const element = ds.elements[tag];
  if (!element || element.length < 2) return undefined;
  return ds.uint16(tag);
}

/** Every value of a multi-valued decimal string, dropping the unparseable ones. */
function decimals(ds: DataSet, tag: string, fileName: string | undefined, name: string): number[] {
  const raw = ds.string(tag);
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split('\\').map((part) => {
    const value = Number(part.trim());
    if (!Number.isFinite(value)) throw new DicomParseError(`${name} value "${part}" is not a number`, fileName);
    return value;
  });
}

function decimal(ds: DataSet, tag: string, fileName: string | undefined, name: string): number | undefined {
  return decimals(ds, tag, fileName, name)[0];
}

/** Reads the header attributes of an already-parsed data set. Internal: shared with decodeDicom. */
export function headerOf(ds: DataSet, transferSyntaxUid: string, fileName?: string): DicomHeader {
  const frames = text(ds, 'x00280008');
  const numberOfFrames = frames === undefined ? undefined : Number.parseInt(frames, 10);
  return {
    patientId: text(ds, 'x00100020'),
    patientSex: text(ds, 'x00100040'),
    patientAge: parseDicomAge(text(ds, 'x00101010')),
    viewPosition: text(ds, 'x00185101'),
    modality: text(ds, 'x00080060'),
    bodyPartExamined: text(ds, 'x00180015'),
    photometricInterpretation: text(ds, 'x00280004'),
    rows: us(ds, 'x00280010'),
    columns: us(ds, 'x00280011'),
    samplesPerPixel: us(ds, 'x00280002'),
    bitsAllocated: us(ds, 'x00280100'),
    bitsStored: us(ds, 'x00280101'),
    highBit: us(ds, 'x00280102'),
    pixelRepresentation: us(ds, 'x00280103'),
    numberOfFrames: Number.isFinite(numberOfFrames) ? numberOfFrames : undefined,
    transferSyntaxUid,
    windowCenter: decimals(ds, 'x00281050', fileName, 'Window Center'),
    windowWidth: decimals(ds, 'x00281051', fileName, 'Window Width'),
    voiLutFunction: text(ds, 'x00281056')?.toUpperCase(),
    rescaleSlope: decimal(ds, 'x00281053', fileName, 'Rescale Slope'),
    rescaleIntercept: decimal(ds, 'x00281052', fileName, 'Rescale Intercept'),
    studyDescription: text(ds, 'x00081030'),
    sopInstanceUid: text(ds, 'x00080018'),
    hasPixelData: ds.elements.x7fe00010 !== undefined,
  };
}

/**
 * Reads the header of a DICOM file without decoding its pixels: Part 10 files with or without the preamble,
 * and raw Implicit/Explicit VR Little Endian data sets.
 *
 * @throws {DicomParseError} when the bytes are not DICOM or are corrupt.
 * @example
 * const header = readDicomHeader(bytes, { fileName: 'scans/a.dcm' });
 * header.patientAge // 81 for "081Y"
 */
export function readDicomHeader(bytes: Uint8Array, options: ReadDicomHeaderOptions = {}): DicomHeader {
  const { dataSet, transferSyntaxUid } = parseDicomBytes(bytes, options.fileName);
  return guardParser(() => headerOf(dataSet, transferSyntaxUid, options.fileName), options.fileName);
}
