import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describeWithData, SHARED_DATA } from './__fixtures__/sharedData';
import { decodeImage } from './decodeImage';
import { cropFraction, fractionRectPixels } from './cropFraction';
import { describePreprocessSpec } from './describePreprocessSpec';
import { PreprocessSpecError } from './errors';
import { parsePreprocessSpec } from './parsePreprocessSpec';
import { preprocessImage } from './preprocessImage';
import { fitToSpec, preprocessPixels, toModelInput } from './preprocessPixels';
import { DEFAULT_PREPROCESS_SPEC, type PreprocessSpec } from './preprocessSpec';

const LUNG = { x: 0.1, y: 0.08, width: 0.8, height: 0.8 };

describe('cropFraction', () => {
  it('keeps the hand-computed rectangle of a 10x10 image (value = 10 y + x)', () => {
    // x0 = floor(1) = 1, y0 = floor(0.8) = 0, width = round(8) = 8, height = round(8) = 8: x 1..8, y 0..7
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const c = cropFraction({ data, width: 10, height: 10, channels: 1 }, LUNG);
    expect([c.width, c.height, c.channels]).toEqual([8, 8, 1]);
    const expected: number[] = [];
    for (let y = 0; y < 8; y++) for (let x = 1; x <= 8; x++) expected.push(10 * y + x);
    expect(Array.from(c.data)).toEqual(expected);
    expect(c.data).toBeInstanceOf(Uint8Array);
  });

  it('is pixel-exact for fractions that land on whole pixels, on 16-bit and multi-channel pixels', () => {
    // 20x10, quarter fractions: x 5..14, y 2..6 (x = 0.25 * 20, width = 0.5 * 20, y = 0.2 * 10, height = 0.5 * 10)
    const w = 20;
    const h = 10;
    const data = Uint16Array.from({ length: w * h * 2 }, (_, i) => i);
    const c = cropFraction({ data, width: w, height: h, channels: 2 }, { x: 0.25, y: 0.2, width: 0.5, height: 0.5 });
    expect([c.width, c.height]).toEqual([10, 5]);
    expect(c.data).toBeInstanceOf(Uint16Array);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 10; x++) {
        for (let k = 0; k < 2; k++) expect(c.data[(y * 10 + x) * 2 + k]).toBe(((y + 2) * w + x + 5) * 2 + k);
      }
    }
  });

  it('clamps to the image and keeps at least one pixel', () => {
    expect(fractionRectPixels(3, 3, { x: 0.9, y: 0.9, width: 0.01, height: 0.01 })).toEqual({ x: 2, y: 2, width: 1, height: 1 });
    expect(fractionRectPixels(7, 7, { x: 0.5, y: 0, width: 0.5, height: 1 })).toEqual({ x: 3, y: 0, width: 4, height: 7 });
  });
});

describe('lungCrop in the preprocess spec', () => {
  it('parses: missing or null is no crop (the old spec object, unchanged), a rectangle is kept', () => {
    expect(parsePreprocessSpec(DEFAULT_PREPROCESS_SPEC)).toEqual(DEFAULT_PREPROCESS_SPEC);
    expect('lungCrop' in parsePreprocessSpec({ ...DEFAULT_PREPROCESS_SPEC, lungCrop: null })).toBe(false);
    expect(JSON.stringify(parsePreprocessSpec({ ...DEFAULT_PREPROCESS_SPEC, lungCrop: null }))).toBe(JSON.stringify(DEFAULT_PREPROCESS_SPEC));
    expect(parsePreprocessSpec({ ...DEFAULT_PREPROCESS_SPEC, lungCrop: LUNG }).lungCrop).toEqual(LUNG);
  });

  it.each([
    [{ x: 0.1, y: 0.08, width: 0.8 }, /lungCrop.height must be a fraction of the image in \(0, 1\], got undefined/],
    [{ x: -0.1, y: 0, width: 0.5, height: 0.5 }, /lungCrop.x must be a fraction of the image in \[0, 1\), got -0.1/],
    [{ x: 0, y: 0, width: 0, height: 0.5 }, /lungCrop.width must be a fraction of the image in \(0, 1\], got 0/],
    [{ x: 0, y: 0, width: '0.5', height: 0.5 }, /lungCrop.width must be a fraction of the image in \(0, 1\], got "0.5"/],
    [{ x: 0.5, y: 0, width: 0.8, height: 0.5 }, /lungCrop.x \+ lungCrop.width must be at most 1, got 0.5 \+ 0.8/],
    [{ x: 0, y: 0.3, width: 0.5, height: 0.8 }, /lungCrop.y \+ lungCrop.height must be at most 1, got 0.3 \+ 0.8/],
    [{ x: 0, y: 0, width: 1, height: 1, left: 0 }, /unknown field lungCrop.left/],
    [true, /lungCrop must be null or \{ x, y, width, height \} \(fractions of the image\), got true/],
  ])('refuses lungCrop %j naming the key and the value', (lungCrop, message) => {
    const value = { ...DEFAULT_PREPROCESS_SPEC, lungCrop };
    expect(() => parsePreprocessSpec(value, 'model/cxr.json')).toThrow(PreprocessSpecError);
    expect(() => parsePreprocessSpec(value, 'model/cxr.json')).toThrow(message);
    expect(() => parsePreprocessSpec(value, 'model/cxr.json')).toThrow(/model\/cxr\.json/);
  });

  it('is described first', () => {
    expect(describePreprocessSpec({ ...DEFAULT_PREPROCESS_SPEC, lungCrop: LUNG, clahe: { tileGridSize: 8, clipLimit: 2 } })).toBe(
      'grey -> lung-field crop (x 10%-90%, y 8%-88%) -> CLAHE (tiles 8x8, clip limit 2) -> stretch to 224x224 -> 3 channels -> scaled to [0, 1]',
    );
  });

  it('fitToSpec crops before resizing: a 1:1 resize of the crop returns the cropped pixels, and the crop is reported', () => {
    // 20x10, value = 10 y + x (< 255); crop x 5..14, y 2..6 then "resize" 10x5 -> 10x5 is the identity
    const data = Uint8Array.from({ length: 200 }, (_, i) => (i % 20) + 10 * Math.floor(i / 20));
    const spec: PreprocessSpec = { ...DEFAULT_PREPROCESS_SPEC, width: 10, height: 5, channels: 1, lungCrop: { x: 0.25, y: 0.2, width: 0.5, height: 0.5 } };
    const { image, info } = fitToSpec({ data, width: 20, height: 10, channels: 1 }, spec);
    expect(info.crop).toEqual({ x: 5, y: 2, width: 10, height: 5 });
    for (let y = 0; y < 5; y++) for (let x = 0; x < 10; x++) expect(image.data[y * 10 + x]).toBeCloseTo((10 * (y + 2) + x + 5) / 255, 6);
    // the float path (CLAHE off, float input) gives the same
    const float = fitToSpec({ data: Float32Array.from(data, (v) => v / 255), width: 20, height: 10, channels: 1 }, spec).image;
    for (let i = 0; i < 50; i++) expect(float.data[i]).toBeCloseTo(image.data[i], 6);
  });

  it('preprocessImage (Node, sharp) and preprocessPixels (browser) agree with the crop, and the crop changes the output', async () => {
    const w = 64;
    const h = 48;
    const raw = Buffer.alloc(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * w + x] = (x * 7 + y * 13 + ((x * y) % 17)) & 255;
    const png = await sharp(raw, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([raw[i], raw[i], raw[i], 255], i * 4);
    for (const extra of [{}, { clahe: { tileGridSize: 4, clipLimit: 2 } }, { cropBorder: true }]) {
      const spec: PreprocessSpec = { ...DEFAULT_PREPROCESS_SPEC, width: 16, height: 16, normalization: 'mobilenet', ...extra, lungCrop: LUNG };
      const node = await preprocessImage(png, spec);
      const browser = preprocessPixels({ data: rgba, width: w, height: h, channels: 4 }, spec);
      let max = 0;
      for (let i = 0; i < browser.length; i++) max = Math.max(max, Math.abs(browser[i] - node.data[i]));
      expect(max).toBeLessThan(1e-6);
      const uncropped = preprocessPixels({ data: rgba, width: w, height: h, channels: 4 }, { ...spec, lungCrop: null });
      let diff = 0;
      for (let i = 0; i < browser.length; i++) diff = Math.max(diff, Math.abs(browser[i] - uncropped[i]));
      expect(diff).toBeGreaterThan(0.01);
    }
    // the libvips shortcut cannot crop: it falls back to the exact path
    const spec: PreprocessSpec = { ...DEFAULT_PREPROCESS_SPEC, width: 16, height: 16, lungCrop: LUNG };
    expect((await preprocessImage(png, spec, { resampler: 'libvips' })).meta.resampler).toBe('exact');
  });
});

describeWithData('lungCrop on real files', () => {
  it('preprocessImage with the spec field equals what the loso lung-crop arm computed (crop the decoded pixels, then the plain spec)', async () => {
    const nih = path.join(SHARED_DATA, 'nih-cxr14/images');
    const files = [path.join(nih, readdirSync(nih).sort()[0]), path.join(SHARED_DATA, 'covid-chestxray/images/23E99E2E-447C-46E5-8EB2-D35D12473C39.png')];
    const base: PreprocessSpec = { ...DEFAULT_PREPROCESS_SPEC, normalization: 'mobilenet' };
    for (const file of files) {
      const { pixels } = await decodeImage(file);
      const arm = toModelInput(fitToSpec(cropFraction(pixels, LUNG), base).image, base);
      const spec = (await preprocessImage(file, { ...base, lungCrop: LUNG })).data;
      expect(spec).toEqual(arm);
    }
  });
});
