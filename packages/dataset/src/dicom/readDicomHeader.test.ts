import { readFileSync } from 'node:fs';
import { DicomParseError } from '../errors';
import { sharedDicom } from '../__fixtures__/dicom/sharedDicom';
import { makeDicom } from '../__fixtures__/dicom/makeDicom';
import { readDicomHeader } from './readDicomHeader';

const read = (relative: string) => readDicomHeader(new Uint8Array(readFileSync(sharedDicom(relative))), { fileName: relative });

// Expected values are those dcmdump (dcmtk 3.6.7) printed for these files: see the shared dicom/README.md.
describe('readDicomHeader on the shared DICOM files', () => {
  it('reads an NIH ChestX-ray14 implicit VR file', () => {
    const h = read('original/nih_cxr14_nofinding_dx_uncompressed.dcm');
    expect(h).toMatchObject({
      patientId: 'Covid0000',
      patientSex: 'M',
      patientAge: 81,
      modality: 'DX',
      studyDescription: 'No Finding',
      photometricInterpretation: 'MONOCHROME2',
      rows: 1024,
      columns: 1024,
      bitsAllocated: 8,
      bitsStored: 8,
      pixelRepresentation: 0,
      transferSyntaxUid: '1.2.840.10008.1.2',
      windowCenter: [],
      windowWidth: [],
      rescaleSlope: undefined,
      rescaleIntercept: undefined,
      hasPixelData: true,
    });
    expect(read('original/nih_cxr14_00000001_000_cardiomegaly_dx_uncompressed.dcm')).toMatchObject({ patientAge: 58, studyDescription: 'Cardiomegaly' });
  });

  it('reads a raw data set without preamble or file meta (CR-MONO1-10-chest)', () => {
    expect(read('original/CR-MONO1-10-chest.dcm')).toMatchObject({
      modality: 'CR',
      bodyPartExamined: 'CHEST',
      viewPosition: 'PA',
      photometricInterpretation: 'MONOCHROME1',
      rows: 440,
      columns: 440,
      bitsAllocated: 16,
      bitsStored: 10,
      windowCenter: [550],
      windowWidth: [1024],
      transferSyntaxUid: '1.2.840.10008.1.2',
    });
  });

  it('reads compressed files without decoding them', () => {
    expect(read('original/siim_cr_pa_jpegbaseline_mono2.dcm')).toMatchObject({
      transferSyntaxUid: '1.2.840.10008.1.2.4.50',
      modality: 'CR',
      bodyPartExamined: 'CHEST',
      viewPosition: 'PA',
      rows: 1024,
      columns: 1024,
    });
    expect(read('original/orthanc_Issue44_Monochrome1-Jpeg_cr_chest.dcm')).toMatchObject({
      rows: 2446,
      columns: 2010,
      windowCenter: [114.516],
      windowWidth: [255.0623],
      rescaleSlope: 1,
      rescaleIntercept: 0,
      photometricInterpretation: 'MONOCHROME1',
    });
    expect(read('original/WG04_RG1_J2KI_cr_chest_pa_mono1.dcm')).toMatchObject({
      transferSyntaxUid: '1.2.840.10008.1.2.4.91',
      rows: 1955,
      columns: 1841,
      bitsStored: 15,
      windowCenter: [15000],
      windowWidth: [30000],
    });
  });
});

describe('readDicomHeader errors', () => {
  it('names the file when the bytes are not DICOM', () => {
    expect(() => readDicomHeader(new Uint8Array(300), { fileName: 'zeros.dcm' })).toThrow(DicomParseError);
    expect(() => readDicomHeader(new Uint8Array(300), { fileName: 'zeros.dcm' })).toThrow(/zeros\.dcm: not a DICOM file/);
  });

  it('refuses a window center that is not a number', () => {
    const bytes = makeDicom([{ tag: [0x0028, 0x1050], vr: 'DS', value: 'abc' }]);
    expect(() => readDicomHeader(bytes, { fileName: 'w.dcm' })).toThrow('Cannot parse DICOM w.dcm: Window Center value "abc" is not a number');
  });
});
