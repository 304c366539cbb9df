import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describeWithData, SHARED_DATA } from './__fixtures__/sharedData';
import { decodeImage } from './decodeImage';
import { preprocessImage } from './preprocessImage';
import { preprocessPixels } from './preprocessPixels';
import { DEFAULT_PREPROCESS_SPEC, type PreprocessSpec } from './preprocessSpec';

const maxAbsDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('preprocessImage (generated)', () => {
  it('gives hand-computable values for a two-level image with each normalisation', async () => {
    // 8x4 raw grey: left half 51 (0.2), right half 204 (0.8); stretch to 4x2 keeps the halves apart
    const raw = Buffer.alloc(32);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) raw[y * 8 + x] = x < 4 ? 51 : 204;
    const png = await sharp(raw, { raw: { width: 8, height: 4, channels: 1 } }).png().toBuffer();
    const spec: PreprocessSpec = { ...DEFAULT_PREPROCESS_SPEC, width: 2, height: 2 };
    const unit = await preprocessImage(png, spec);
    // output column 0 is centred at source x = 2 with support 4: taps x = 0..3 only (weights over x 4.. are 0 at 4? no:
    // x = 4 has centre 4.5, distance 2.5 / 4 -> weight 0.375, so the edge mixes). Compute by hand:
    // weights for x = 0..5: 1 - |x + 0.5 - 2| / 4 = 0.625, 0.875, 0.875, 0.625, 0.375, 0.125 (sum 3.5)
    // value = (0.2 * 3.0 + 0.8 * 0.5) / 3.5 = 0.285714
    expect(unit.data[0]).toBeCloseTo(1.0 / 3.5, 5);
    expect(unit.data[1]).toBeCloseTo(1.0 / 3.5, 5); // replicated to 3 channels
    expect(unit.data[3]).toBeCloseTo((0.8 * 3.0 + 0.2 * 0.5) / 3.5, 5);
    const mob = await preprocessImage(png, { ...spec, normalization: 'mobilenet' });
    expect(mob.data[0]).toBeCloseTo((2 * 1.0) / 3.5 - 1, 5);
    const caffe = await preprocessImage(png, { ...spec, normalization: 'vgg16-caffe' });
    expect(caffe.data[0]).toBeCloseTo((255 * 1.0) / 3.5 - 103.939, 3);
    expect(caffe.data[2]).toBeCloseTo((255 * 1.0) / 3.5 - 123.68, 3);
    expect(unit.meta).toMatchObject({ format: 'png', width: 8, height: 4, bitDepth: 8, resampler: 'exact' });
  });
});

describeWithData('preprocessImage (real files) matches the browser path', () => {
  const covid = path.join(SHARED_DATA, 'covid-chestxray/images');
  const nih = path.join(SHARED_DATA, 'nih-cxr14/images');
  const files = [
    path.join(nih, readdirSync(nih).sort()[0]), // 8-bit grey PNG
    path.join(covid, '23E99E2E-447C-46E5-8EB2-D35D12473C39.png'), // 16-bit RGBA PNG
    path.join(covid, '2966893D-5DDF-4B68-9E2B-4979D5956C8E.jpeg'), // RGB JPEG
    path.join(covid, '0a7faa2a.jpg'), // grey JPEG
  ];
  const specs: PreprocessSpec[] = [
    DEFAULT_PREPROCESS_SPEC,
    { ...DEFAULT_PREPROCESS_SPEC, resizeMode: 'letterbox', normalization: 'mobilenet', cropBorder: true, clahe: { tileGridSize: 8, clipLimit: 2 } },
    { ...DEFAULT_PREPROCESS_SPEC, normalization: 'mobilenet', lungCrop: { x: 0.1, y: 0.08, width: 0.8, height: 0.8 }, clahe: { tileGridSize: 8, clipLimit: 2 } },
  ];

  it.each(files.map((f) => [path.basename(f)]))('%s: preprocessPixels of the decoded pixels equals preprocessImage', async (name) => {
    const file = files.find((f) => path.basename(f) === name) as string;
    for (const spec of specs) {
      const node = await preprocessImage(file, spec);
      const { pixels } = await decodeImage(file);
      expect(maxAbsDiff(preprocessPixels(pixels, spec), node.data)).toBeLessThan(1e-6);
      expect(node.data.length).toBe(224 * 224 * 3);
    }
  });

  it('the browser path fed RGBA canvas-like pixels of an 8-bit grey image matches too', async () => {
    const file = files[0];
    const rgba = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const canvasLike = { data: new Uint8ClampedArray(rgba.data), width: rgba.info.width, height: rgba.info.height, channels: 4 };
    const node = await preprocessImage(file, DEFAULT_PREPROCESS_SPEC);
    expect(maxAbsDiff(preprocessPixels(canvasLike, DEFAULT_PREPROCESS_SPEC), node.data)).toBeLessThan(1e-6);
  });

  it('the libvips resampler stays close to the exact one (mean difference under 1/255)', async () => {
    const file = files[0];
    const exact = await preprocessImage(file, DEFAULT_PREPROCESS_SPEC);
    const fast = await preprocessImage(file, DEFAULT_PREPROCESS_SPEC, { resampler: 'libvips' });
    expect(fast.meta.resampler).toBe('libvips');
    let sum = 0;
    for (let i = 0; i < exact.data.length; i++) sum += Math.abs(exact.data[i] - fast.data[i]);
    expect(sum / exact.data.length).toBeLessThan(1 / 255);
  });
});
