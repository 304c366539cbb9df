import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DatasetError, DicomParseError } from '../errors';
import { sharedDicom } from '../__fixtures__/dicom/sharedDicom';
import { convertDicomFiles, type DicomConvertProgress } from './convertDicomFiles';
import { convertDicomToPng } from './convertDicomToPng';
import { decodeDicom } from './decodeDicom';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cxr-dicom-convert-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rawPng(file: string, depth: 'uchar' | 'ushort') {
  // Read back as grey: sharp would otherwise hand out sRGB.
  const { data, info } = await sharp(file)
    .toColourspace(depth === 'ushort' ? 'grey16' : 'b-w')
    .raw({ depth })
    .toBuffer({ resolveWithObject: true });
  const values = depth === 'ushort' ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data);
  return { values, info };
}

describe('convertDicomToPng', () => {
  it('writes an 8-bit grey PNG holding exactly the decoded pixels', async () => {
    const input = sharedDicom('original/CR-MONO1-10-chest.dcm');
    const out = path.join(dir, 'chest.png');
    const result = await convertDicomToPng(input, out);
    expect(result).toMatchObject({ width: 440, height: 440, bitsPerSample: 8, photometricInterpretation: 'MONOCHROME1' });
    const metadata = await sharp(out).metadata();
    expect([metadata.format, metadata.width, metadata.height, metadata.channels, metadata.depth]).toEqual(['png', 440, 440, 1, 'uchar']);
    const { values, info } = await rawPng(out, 'uchar');
    expect(info.channels).toBe(1);
    const expected = await decodeDicom(new Uint8Array(readFileSync(input)));
    expect(Buffer.from(values).equals(Buffer.from(expected.pixels))).toBe(true);
    expect(readdirSync(dir)).toEqual(['chest.png']); // the temporary file was renamed, not left behind
  });

  it('writes a 16-bit grey PNG on request', async () => {
    const input = sharedDicom('original/CR-MONO1-10-chest.dcm');
    const out = path.join(dir, 'chest16.png');
    await convertDicomToPng(input, out, { outputBits: 16 });
    const metadata = await sharp(out).metadata();
    expect([metadata.depth, metadata.channels]).toEqual(['ushort', 1]);
    const { values } = await rawPng(out, 'ushort');
    const expected = await decodeDicom(new Uint8Array(readFileSync(input)), { outputBits: 16 });
    expect(values.length).toBe(expected.pixels.length);
    let same = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === expected.pixels[i]) same++;
    expect(same).toBe(values.length);
  });

  it('leaves nothing behind when the input is bad', async () => {
    const bad = path.join(dir, 'notes.dcm');
    writeFileSync(bad, 'not a dicom file at all'.repeat(20));
    await expect(convertDicomToPng(bad, path.join(dir, 'notes.png'))).rejects.toThrow(DicomParseError);
    expect(readdirSync(dir)).toEqual(['notes.dcm']);
  });
});

describe('convertDicomFiles', () => {
  it('converts the good files, reports and skips the bad ones, and names outputs uniquely', async () => {
    const bad = path.join(dir, 'bad.dcm');
    writeFileSync(bad, new Uint8Array(200));
    const missing = path.join(dir, 'missing.dcm');
    const files = [
      sharedDicom('original/CR-MONO1-10-chest.dcm'),
      bad,
      missing,
      sharedDicom('original/siim_cr_pa_jpegbaseline_mono2.dcm'),
      sharedDicom('original/CR-MONO1-10-chest.dcm'),
    ];
    const out = path.join(dir, 'png');
    const progress: DicomConvertProgress[] = [];
    const result = await convertDicomFiles(files, out, {}, (p) => progress.push(p));

    expect(result.converted.map((c) => path.basename(c.output))).toEqual([
      'CR-MONO1-10-chest.png',
      'siim_cr_pa_jpegbaseline_mono2.png',
      'CR-MONO1-10-chest-2.png',
    ]);
    expect(readdirSync(out).sort()).toEqual(['CR-MONO1-10-chest-2.png', 'CR-MONO1-10-chest.png', 'siim_cr_pa_jpegbaseline_mono2.png']);
    expect(result.failed.map((f) => f.file)).toEqual([bad, missing]);
    for (const { file, error } of result.failed) {
      expect(error).toBeInstanceOf(DatasetError);
      expect(error.message).toContain(file);
    }
    expect(result.failed[1].error.message).toMatch(/cannot read the file \(ENOENT\)/);
    expect(progress.map((p) => [p.done, p.total, p.error !== undefined])).toEqual([
      [1, 5, false],
      [2, 5, true],
      [3, 5, true],
      [4, 5, false],
      [5, 5, false],
    ]);
  });
});
