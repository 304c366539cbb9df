export { PACKAGE_NAME } from './index';

// DICOM to PNG (Node: file system and sharp)
export { convertDicomToPng, encodeDicomPng, readDicomFile } from './dicom/convertDicomToPng';
export type { ConvertDicomOptions, ConvertedDicom } from './dicom/convertDicomToPng';
export { convertDicomFiles } from './dicom/convertDicomFiles';
export type { ConvertDicomFilesResult, FailedDicom, DicomConvertProgress } from './dicom/convertDicomFiles';
