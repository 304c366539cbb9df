import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ImageConversionError, JpegFrameSizeError } from '../errors';
import { convertImageToPng } from './convertImageToPng';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cxr-convert-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Why a conversion failed, with the error. */
async function refusal(input: string): Promise<ImageConversionError> {
  const err = await convertImageToPng(input, path.join(dir, 'out.png')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ImageConversionError);
  return err as ImageConversionError;
}

describe('convertImageToPng refusals', () => {
  it('converts a JPEG whose data fits its header, and refuses one whose header was shrunk (libjpeg would decode 64x64)', async () => {
    const jpeg = new Uint8Array(await sharp({ create: { width: 160, height: 160, channels: 3, background: '#884422' } }).jpeg().toBuffer());
    writeFileSync(path.join(dir, 'ok.jpg'), jpeg);
    await expect(convertImageToPng(path.join(dir, 'ok.jpg'), path.join(dir, 'ok.png'))).resolves.toMatchObject({ width: 160, height: 160 });
    const sof = jpeg.indexOf(0xc0, 2) - 1; // sharp writes no thumbnail: the first FFC0 is the frame header
    expect(jpeg[sof]).toBe(0xff);
    const shrunk = jpeg.slice();
    new DataView(shrunk.buffer).setUint16(sof + 5, 64);
    new DataView(shrunk.buffer).setUint16(sof + 7, 64);
    writeFileSync(path.join(dir, 'shrunk.jpg'), shrunk);
    expect((await sharp(shrunk).raw().toBuffer({ resolveWithObject: true })).info).toMatchObject({ width: 64, height: 64 }); // the hazard
    const err = await refusal(path.join(dir, 'shrunk.jpg'));
    expect(err.cause).toBeInstanceOf(JpegFrameSizeError);
    // libvips decoded it alongside the check, and its PNG was dropped: nothing written.
    expect(existsSync(path.join(dir, 'out.png'))).toBe(false);
    // 64x64 in 16x16 MCUs (4:2:0) is 4 x 4 = 16 MCUs; the data holds 10 x 10
    expect(err.message).toMatch(/^Cannot convert image .*shrunk\.jpg: its JPEG header's size 64x64 is smaller than its image data \(scan 1: \d+ bytes of data after MCU 16 of 16\): the header was altered or the file is corrupt$/);
  });

  it('puts sharp\'s messages in words, on one line: a truncated JPEG, a non-image, a missing file', async () => {
    const jpeg = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    writeFileSync(path.join(dir, 'cut.jpg'), jpeg.subarray(0, jpeg.length - 200));
    writeFileSync(path.join(dir, 'text.png'), 'not an image');
    const cut = await refusal(path.join(dir, 'cut.jpg'));
    expect(cut.message).toMatch(/cut\.jpg: (truncated or damaged image data|damaged image data: the decoder warned) \(.+\)$/);
    expect(cut.message).not.toMatch(/VipsJpeg|failOn|\n/);
    expect((await refusal(path.join(dir, 'text.png'))).message).toMatch(/text\.png: not a PNG, JPEG or other readable image format$/);
    expect((await refusal(path.join(dir, 'absent.png'))).message).toMatch(/absent\.png: file not found$/);
  });
});
