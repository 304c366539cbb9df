import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { readImageSize } from './readImageSize';
import { sniffImageType } from './sniffImageType';

const SHARED = process.env.CXR_SHARED_DATA ?? path.resolve(__dirname, '../../../../shared/data');
const file = (p: string) => path.join(SHARED, p);

describe('sniffImageType and readImageSize on real files', () => {
  test.each([
    ['nih-cxr14/images/00001281_000.png', 'png'],
    ['covid-chestxray/images/01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg', 'jpeg'],
    ['dicom/original/siim_cr_pa_jpegbaseline_mono2.dcm', 'dicom'],
    // no preamble, no DICM: a raw Implicit VR LE data set starting at (0008,0000)
    ['dicom/original/CR-MONO1-10-chest.dcm', 'dicom'],
  ])('%s is %s', async (name, type) => {
    const bytes = new Uint8Array(await readFile(file(name)));
    expect(sniffImageType(bytes, path.basename(name))).toBe(type);
  });

  test('a raw DICOM data set is recognised only with a .dcm name; text is unknown', async () => {
    const raw = new Uint8Array(await readFile(file('dicom/original/CR-MONO1-10-chest.dcm')));
    expect(sniffImageType(raw, 'scan.bin')).toBe('unknown');
    expect(sniffImageType(new TextEncoder().encode('hello, not an image'), 'x.png')).toBe('unknown');
    expect(sniffImageType(new Uint8Array(0), 'x.dcm')).toBe('unknown');
  });

  test.each([
    'nih-cxr14/images/00001281_000.png',
    'covid-chestxray/images/01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg',
    'covid-chestxray/images/0a7faa2a.jpg',
  ])('header size of %s equals what libvips (sharp) reads', async (name) => {
    const bytes = new Uint8Array(await readFile(file(name)));
    const meta = await sharp(bytes).metadata();
    expect(readImageSize(bytes, sniffImageType(bytes))).toEqual({ width: meta.width, height: meta.height });
  });

  test('NIH PNG is 1024x1024 as its Data_Entry CSV says; truncated headers give null', async () => {
    const bytes = new Uint8Array(await readFile(file('nih-cxr14/images/00001281_000.png')));
    expect(readImageSize(bytes, 'png')).toEqual({ width: 1024, height: 1024 });
    expect(readImageSize(bytes.subarray(0, 20), 'png')).toBeNull();
    expect(readImageSize(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]), 'jpeg')).toBeNull();
  });
});
