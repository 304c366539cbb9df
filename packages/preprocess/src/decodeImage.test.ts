import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describeWithData, SHARED_DATA } from './__fixtures__/sharedData';
import { decodeImage } from './decodeImage';
import { ImageDecodeError, ImageGeometryError, ImageTooLargeError, PreprocessError } from './errors';
import { RADIOGRAPH_GEOMETRY } from './radiographGeometry';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cxr-decode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decodeImage (generated fixtures)', () => {
  it('keeps 16-bit grey PNG values exactly', async () => {
    const values = new Uint16Array(64 * 8);
    for (let i = 0; i < values.length; i++) values[i] = (i * 127) % 65536; // neighbours differ by 127: 8-bit would merge them
    const png = await sharp(values, { raw: { width: 64, height: 8, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    expect((await sharp(png).metadata()).depth).toBe('ushort');
    const { pixels, meta } = await decodeImage(png, { name: 'grey16.png' });
    expect(meta).toMatchObject({ file: 'grey16.png', format: 'png', width: 64, height: 8, bitDepth: 16 });
    expect(pixels.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(pixels.data)).toEqual(Array.from(values));
  });

  it('turns RGBA into grey, alpha dropped: grey stays, red becomes 127 as Rec. 709 luminance', async () => {
    const rgba = Buffer.from([128, 128, 128, 255, 255, 0, 0, 255, 0, 0, 0, 0, 40, 40, 40, 10]);
    const png = await sharp(rgba, { raw: { width: 4, height: 1, channels: 4 } }).png().toBuffer();
    const { pixels, meta } = await decodeImage(png);
    expect(meta.channels).toBe(4);
    expect(pixels.channels).toBe(1);
    // 255 * (1.055 * 0.2126^(1/2.4) - 0.055) = 127.1
    expect(Array.from(pixels.data)).toEqual([128, 127, 0, 40]);
  });

  it('applies EXIF orientation 6 (stored row 0 is the visual right side)', async () => {
    // stored 64 x 32, white block in its top-left 32 x 16 corner
    const raw = Buffer.alloc(64 * 32);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 32; x++) raw[y * 64 + x] = 255;
    const jpeg = await sharp(raw, { raw: { width: 64, height: 32, channels: 1 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const file = path.join(dir, 'rotated.jpg');
    writeFileSync(file, jpeg);
    const { pixels, meta } = await decodeImage(file);
    expect([meta.width, meta.height, meta.orientation]).toEqual([32, 64, 6]);
    const at = (x: number, y: number) => pixels.data[y * 32 + x];
    // displayed: the white block is the top-right quarter (x 16..31, y 0..31)
    expect(at(24, 8)).toBeGreaterThan(230);
    expect(at(24, 24)).toBeGreaterThan(230);
    expect(at(8, 8)).toBeLessThan(25);
    expect(at(24, 48)).toBeLessThan(25);
  });

  it.each([
    // [orientation, displayed width, height, where the stored top-left block lands (x, y of its centre)]
    [3, 64, 32, [48, 24]], // rotate 180: bottom-right
    [8, 32, 64, [8, 48]], // stored row 0 is the visual left side, column 0 the visual bottom: bottom-left
    [2, 64, 32, [48, 8]], // mirrored left-right: top-right
  ])('applies EXIF orientation %i', async (orientation, w, h, [bx, by]) => {
    const raw = Buffer.alloc(64 * 32);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 32; x++) raw[y * 64 + x] = 255;
    const jpeg = await sharp(raw, { raw: { width: 64, height: 32, channels: 1 } }).jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer();
    const { pixels, meta } = await decodeImage(jpeg);
    expect([meta.width, meta.height]).toEqual([w, h]);
    expect(pixels.data[by * w + bx]).toBeGreaterThan(230);
    expect(pixels.data[(h - 1 - by) * w + (w - 1 - bx)]).toBeLessThan(25); // the opposite corner is black
  });

  it('names a truncated PNG, a truncated JPEG, a non-image and a missing file', async () => {
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#884422' } }).png({ compressionLevel: 0 }).toBuffer();
    const jpeg = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    const cases: [string, Buffer][] = [
      ['half.png', png.subarray(0, png.length >> 1)],
      ['half.jpg', jpeg.subarray(0, jpeg.length >> 1)],
      ['notes.png', Buffer.from('this is not an image at all')],
    ];
    for (const [name, bytes] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      const err = await decodeImage(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect(err).toBeInstanceOf(PreprocessError);
      expect((err as ImageDecodeError).file).toBe(file);
      expect((err as Error).message).toContain(file);
      expect((err as Error).cause).toBeDefined();
    }
    await expect(decodeImage(path.join(dir, 'missing.png'))).rejects.toThrow(/missing\.png: file not found/);
  });

  it('with geometry, refuses a 60000x1 PNG and a 900x100 JPEG from the header; accepts a 300x300 one', async () => {
    const strip = await sharp({ create: { width: 60000, height: 1, channels: 3, background: '#777' } }).png().toBuffer();
    const wide = await sharp({ create: { width: 900, height: 100, channels: 3, background: '#777' } }).jpeg().toBuffer();
    const square = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#777' } }).jpeg().toBuffer();
    const opts = { geometry: RADIOGRAPH_GEOMETRY };
    await expect(decodeImage(strip, { ...opts, name: 'strip.png' })).rejects.toThrow(new ImageGeometryError('strip.png', 60000, 1, 'minSide', 'its shorter side is 1 px, under the minimum of 64 px'));
    await expect(decodeImage(wide, { ...opts, name: 'wide.jpg' })).rejects.toMatchObject({ field: 'maxAspectRatio', file: 'wide.jpg' });
    await expect(decodeImage(square, opts)).resolves.toMatchObject({ meta: { width: 300, height: 300 } });
    await expect(decodeImage(strip)).resolves.toMatchObject({ meta: { width: 60000, height: 1 } }); // no check unless asked
  });

  it('calls a corrupt JPEG that exists corrupt, not "not found", on one line', async () => {
    const jpeg = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    // Cut right after the Huffman tables: libjpeg says "missing SOS marker", which the old regex took for a missing file.
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    const file = path.join(dir, 'nosos.jpg');
    writeFileSync(file, jpeg.subarray(0, sos));
    const err = (await decodeImage(file).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).not.toMatch(/not found/);
    expect(err.message).toMatch(/nosos\.jpg: corrupt or truncated image/);
    expect(err.message).not.toContain('\n');
  });

  it('refuses an image above limitInputPixels before decoding, with its size', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#000' } }).png().toBuffer();
    const err = await decodeImage(png, { limitInputPixels: 1000, name: 'big.png' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageTooLargeError);
    expect((err as Error).message).toBe('Image big.png is 40x30 = 1200 pixels, more than limitInputPixels 1000');
    await expect(decodeImage(png, { limitInputPixels: 1200 })).resolves.toMatchObject({ meta: { width: 40, height: 30 } }); // at the limit: allowed
  });
});

describeWithData('decodeImage (real files)', () => {
  const covid = path.join(SHARED_DATA, 'covid-chestxray/images');
  const nih = path.join(SHARED_DATA, 'nih-cxr14/images');

  it('refuses the JPEG size mutants that libjpeg decodes silently (header 64 to 100 px), from a file and from bytes', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(covid, 'kjr-21-e24-g001-l-a.jpg'))); // 328x237, no thumbnail
    const sof = bytes.indexOf(0xc0, 2) - 1;
    expect([bytes[sof], new DataView(bytes.buffer).getUint16(sof + 7)]).toEqual([0xff, 328]);
    for (const [w, h] of [[64, 64], [100, 64], [100, 100]]) {
      const mutant = bytes.slice();
      new DataView(mutant.buffer).setUint16(sof + 5, h);
      new DataView(mutant.buffer).setUint16(sof + 7, w);
      const file = path.join(dir, `kjr-${w}x${h}.jpg`);
      writeFileSync(file, mutant);
      for (const input of [file, mutant]) {
        const err = await decodeImage(input, { geometry: RADIOGRAPH_GEOMETRY, name: file }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ImageDecodeError);
        expect((err as Error).message).toMatch(
          new RegExp(`^Cannot decode image .*kjr-${w}x${h}\\.jpg: its JPEG header's size ${w}x${h} is smaller than its image data \\(.*\\): the header was altered or the file is corrupt$`),
        );
      }
    }
    await expect(decodeImage(bytes, { geometry: RADIOGRAPH_GEOMETRY })).resolves.toMatchObject({ meta: { width: 328, height: 237 } });
  });

  it('reads an NIH image as 1024x1024 8-bit grey', async () => {
    const file = path.join(nih, readdirSync(nih).sort()[0]);
    const { pixels, meta } = await decodeImage(file);
    expect(meta).toMatchObject({ format: 'png', width: 1024, height: 1024, channels: 1, bitDepth: 8 });
    expect(pixels.data).toBeInstanceOf(Uint8Array);
    expect(pixels.data.length).toBe(1024 * 1024);
  });

  it('reads the 16-bit RGBA PNG of covid-chestxray as 16-bit grey', async () => {
    const file = path.join(covid, '23E99E2E-447C-46E5-8EB2-D35D12473C39.png');
    const { pixels, meta } = await decodeImage(file);
    expect(meta).toMatchObject({ width: 1726, height: 1552, channels: 4, bitDepth: 16 });
    expect(pixels.data).toBeInstanceOf(Uint16Array);
    // sharp's own 8-bit view of the first pixel is 214; the 16-bit value scales to it
    expect(Math.round((pixels.data[0] / 65535) * 255)).toBe(214);
  });

  it('reads RGB JPEGs, with EXIF orientation 1, as grey of the same size', async () => {
    const file = path.join(covid, '2966893D-5DDF-4B68-9E2B-4979D5956C8E.jpeg');
    const m = await sharp(file).metadata();
    const { pixels, meta } = await decodeImage(file);
    expect(m.channels).toBe(3);
    expect([meta.width, meta.height, meta.orientation, pixels.channels]).toEqual([m.width, m.height, 1, 1]);
  });
});
