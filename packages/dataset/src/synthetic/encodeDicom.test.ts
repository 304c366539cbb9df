import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as dicomParser from 'dicom-parser';
import sharp from 'sharp';
import { itRequiredOnCi } from '@cxr/testing';
import { encodeDicom, EXPLICIT_VR_LITTLE_ENDIAN, uidFromName, type DicomImageOptions } from './encodeDicom';

const hasDcmtk = spawnSync('dcmdump', ['--version']).status === 0;
const withDcmtk = itRequiredOnCi(hasDcmtk, 'dcmtk (dcmdump; apt-get install dcmtk)');

const header = {
  patientId: 'synthetic-001',
  patientSex: 'F',
  patientAge: '045Y',
  viewPosition: 'PA',
  modality: 'CR',
  studyInstanceUid: uidFromName('study'),
  seriesInstanceUid: uidFromName('series'),
  sopInstanceUid: uidFromName('instance'),
};

/** 3 rows x 4 columns, 8-bit: a gradient whose values are known by heart. */
const eightBit: DicomImageOptions = {
  ...header,
  rows: 3,
  columns: 4,
  bitsAllocated: 8,
  bitsStored: 8,
  pixelRepresentation: 0,
  photometricInterpretation: 'MONOCHROME2',
  pixelData: new Uint8Array([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 255]),
  pixelSpacing: [0.143, 0.143],
};

/** 12-bit MONOCHROME1 with a VOI window of centre 1800, width 3000: stored 300 is white, 3300 black. */
const twelveBit: DicomImageOptions = {
  ...header,
  rows: 1,
  columns: 4,
  bitsAllocated: 16,
  bitsStored: 12,
  pixelRepresentation: 0,
  photometricInterpretation: 'MONOCHROME1',
  pixelData: new Uint16Array([300, 1800, 3300, 4095]),
  windowCenter: 1800,
  windowWidth: 3000,
  rescaleIntercept: 0,
  rescaleSlope: 1,
};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cxr-dicom-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, bytes: Buffer): string {
  const file = path.join(tmp, name);
  writeFileSync(file, bytes);
  return file;
}

describe('encodeDicom', () => {
  it('writes a Part 10 file: 128-byte zero preamble, "DICM", then group 0002 with its true length', () => {
    const bytes = encodeDicom(eightBit);
    expect(bytes.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(bytes.toString('latin1', 128, 132)).toBe('DICM');
    // (0002,0000) UL, length 4: its value is the byte count of the rest of group 0002.
    expect(bytes.readUInt16LE(132)).toBe(0x0002);
    expect(bytes.readUInt16LE(134)).toBe(0x0000);
    expect(bytes.toString('latin1', 136, 138)).toBe('UL');
    const groupLength = bytes.readUInt32LE(140);
    const afterMeta = 144 + groupLength;
    expect(bytes.readUInt16LE(afterMeta)).toBe(0x0008); // the dataset starts right after the meta group
  });

  it('is read back by dicom-parser with every tag and pixel value as written', () => {
    const ds = dicomParser.parseDicom(new Uint8Array(encodeDicom(eightBit)));
    expect(ds.string('x00020010')).toBe(EXPLICIT_VR_LITTLE_ENDIAN);
    expect(ds.string('x00100020')).toBe('synthetic-001');
    expect(ds.string('x00101010')).toBe('045Y');
    expect(ds.string('x00185101')).toBe('PA');
    expect(ds.string('x00080060')).toBe('CR');
    expect(ds.string('x00280004')).toBe('MONOCHROME2');
    expect(ds.uint16('x00280010')).toBe(3);
    expect(ds.uint16('x00280011')).toBe(4);
    expect(ds.uint16('x00280100')).toBe(8);
    expect(ds.string('x00280030')).toBe('0.143\\0.143');
    const px = ds.elements.x7fe00010;
    expect(px.vr).toBe('OB');
    expect([...ds.byteArray.subarray(px.dataOffset, px.dataOffset + 12)]).toEqual([...eightBit.pixelData]);
  });

  it('stores 16-bit pixels little-endian as OW with the window tags', () => {
    const ds = dicomParser.parseDicom(new Uint8Array(encodeDicom(twelveBit)));
    const px = ds.elements.x7fe00010;
    expect(px.vr).toBe('OW');
    expect(px.length).toBe(8);
    const view = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + px.dataOffset, 8);
    expect([0, 2, 4, 6].map((o) => view.getUint16(o, true))).toEqual([300, 1800, 3300, 4095]);
    expect(ds.floatString('x00281050')).toBe(1800);
    expect(ds.floatString('x00281051')).toBe(3000);
    expect(ds.uint16('x00280101')).toBe(12);
    expect(ds.uint16('x00280102')).toBe(11);
  });

  it('pads odd-length UIDs with NUL and gives stable 2.25 UIDs', () => {
    expect(uidFromName('a')).toBe(uidFromName('a'));
    expect(uidFromName('a')).not.toBe(uidFromName('b'));
    expect(uidFromName('a')).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    const ds = dicomParser.parseDicom(new Uint8Array(encodeDicom(eightBit)));
    const el = ds.elements.x00020010; // "1.2.840.10008.1.2.1" has 19 characters
    expect(el.length).toBe(20);
    expect(ds.byteArray[el.dataOffset + 19]).toBe(0);
  });

  it('rejects pixel data of the wrong length', () => {
    expect(() => encodeDicom({ ...eightBit, pixelData: new Uint8Array(11) })).toThrow(/holds 11 values, expected rows\*columns = 12/);
  });

  withDcmtk('is read by dcmtk dcmdump without warnings', () => {
    const file = write('eight.dcm', encodeDicom(eightBit));
    const run = spawnSync('dcmdump', ['-M', file], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('(0002,0010) UI =LittleEndianExplicit');
    expect(run.stdout).toContain('(0010,1010) AS [045Y]');
    expect(run.stdout).toContain('(0028,0004) CS [MONOCHROME2]');
    expect(run.stdout).toMatch(/\(7fe0,0010\) OB 00\\14\\28\\3c\\50/);
  });

  withDcmtk('renders with dcm2pnm to the same 8-bit pixels', async () => {
    const file = write('eight2.dcm', encodeDicom(eightBit));
    const png = path.join(tmp, 'eight.png');
    execFileSync('dcm2pnm', ['+on', file, png]);
    const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([4, 3, 1]);
    expect([...data]).toEqual([...eightBit.pixelData]);
  });

  withDcmtk('renders MONOCHROME1 through its VOI window inverted: 300 white, 1800 mid-grey, 3300 and above black', async () => {
    const file = write('twelve.dcm', encodeDicom(twelveBit));
    const png = path.join(tmp, 'twelve.png');
    execFileSync('dcm2pnm', ['+on', '+Wi', '1', file, png]);
    const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    // PS3.3 C.11.2.1.2 linear window: y = ((x - (c - 0.5)) / (w - 1) + 0.5), clipped; then inverted for MONOCHROME1.
    // x = 1800: 0.50017 -> 127.5 of 255 -> inverted 127.5; x = 300 -> 0 -> 255; x >= 3300 -> 1 -> 0.
    expect(data[0]).toBe(255);
    expect(Math.abs(data[1] - 127.5)).toBeLessThanOrEqual(1);
    expect(data[2]).toBe(0);
    expect(data[3]).toBe(0);
  });
});
