export const PACKAGE_NAME = '@cxr/dataset';

export {
  DatasetError,
  DicomParseError,
  UnsupportedTransferSyntaxError,
  MissingPixelDataError,
  DicomDecodeError,
} from './errors';

// DICOM reading and decoding (browser-safe: Uint8Array in, grey pixels out)
export { decodeDicom, DEFAULT_MAX_PIXELS } from './dicom/decodeDicom';
export type { DecodeDicomOptions, DicomImage, AppliedVoi } from './dicom/decodeDicom';
export { readDicomHeader } from './dicom/readDicomHeader';
export type { DicomHeader, ReadDicomHeaderOptions } from './dicom/readDicomHeader';
export { parseDicomAge } from './dicom/parseDicomAge';
export { transferSyntax } from './dicom/transferSyntax';
export type { TransferSyntaxInfo, PixelEncoding } from './dicom/transferSyntax';
export { voiWindowValue, minMaxWindow } from './dicom/voiLut';
export type { VoiLutFunction, VoiWindow } from './dicom/voiLut';
export type { LocateWasm } from './dicom/decodeCompressedFrame';
