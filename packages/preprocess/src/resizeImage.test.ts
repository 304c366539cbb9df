import { PixelFormatError } from './errors';
import type { FloatImage } from './floatImage';
import { resizeImage } from './resizeImage';

const img = (w: number, h: number, values: number[], c = 1): FloatImage => ({ data: new Float32Array(values), width: w, height: h, channels: c });

describe('resizeImage', () => {
  it('upsamples like half-pixel bilinear (TF half_pixel_centers): [0, 1] -> [0, 0.25, 0.75, 1]', () => {
    const r = resizeImage(img(2, 1, [0, 1]), { width: 4, height: 1 });
    expect(Array.from(r.image.data)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('downsamples with a widened triangle (Pillow BILINEAR), by hand', () => {
    // 4 -> 2: output 0 is centred at 1.0 with support 2: source centres 0.5, 1.5, 2.5 weigh
    // 0.75, 0.75, 0.25 (sum 1.75): (0 * .75 + .1 * .75 + .2 * .25) / 1.75 = 0.0714286
    const r = resizeImage(img(4, 1, [0, 0.1, 0.2, 0.3]), { width: 2, height: 1 });
    expect(r.image.data[0]).toBeCloseTo(0.125 / 1.75, 6);
    expect(r.image.data[1]).toBeCloseTo((0.1 * 0.25 + 0.2 * 0.75 + 0.3 * 0.75) / 1.75, 6);
  });

  it('matches a direct 2-D evaluation of the triangle filter on a large reduction (many taps)', () => {
    // independent, naive reference: out(i, j) = sum w(x) w(y) in(x, y) / sum w(x) w(y), with
    // w(t) = max(0, 1 - |t + 0.5 - centre| / scale) over pixels within the support
    const W = 100;
    const H = 80;
    const src = Array.from({ length: W * H }, (_, i) => ((i * 7919) % 256) / 255);
    const r = resizeImage(img(W, H, src), { width: 7, height: 9 });
    const tri = (t: number, centre: number, scale: number) => Math.max(0, 1 - Math.abs(t + 0.5 - centre) / scale);
    for (let j = 0; j < 9; j++)
      for (let i = 0; i < 7; i++) {
        const sx = W / 7;
        const sy = H / 9;
        let num = 0;
        let den = 0;
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            const w = tri(x, (i + 0.5) * sx, sx) * tri(y, (j + 0.5) * sy, sy);
            num += w * src[y * W + x];
            den += w;
          }
        expect(r.image.data[j * 7 + i]).toBeCloseTo(num / den, 5);
      }
    // the same pixels as 8-bit integers read with valueScale 1/255 give the same result
    const u8 = resizeImage({ data: Uint8Array.from(src, (v) => Math.round(v * 255)), width: W, height: H, channels: 1 }, { width: 7, height: 9, valueScale: 1 / 255 });
    for (let k = 0; k < 63; k++) expect(u8.image.data[k]).toBeCloseTo(r.image.data[k], 5);
  });

  it('keeps a constant image constant and reads 8-bit input with valueScale', () => {
    const r = resizeImage({ data: new Uint8Array(37 * 23).fill(51), width: 37, height: 23, channels: 1 }, { width: 8, height: 8, valueScale: 1 / 255 });
    for (const v of r.image.data) expect(v).toBeCloseTo(0.2, 6);
  });

  it('letterbox: a 200x100 image fills a 112-row band centred in 224x224, padding 0', () => {
    const r = resizeImage(img(200, 100, new Array(200 * 100).fill(1)), { width: 224, height: 224, mode: 'letterbox' });
    expect(r.geometry.target).toEqual({ x: 0, y: 56, width: 224, height: 112 });
    const at = (x: number, y: number) => r.image.data[y * 224 + x];
    expect(at(100, 55)).toBe(0);
    expect(at(100, 56)).toBeCloseTo(1, 6);
    expect(at(100, 167)).toBeCloseTo(1, 6);
    expect(at(100, 168)).toBe(0);
  });

  it('crop: centre crop at scale 1 copies the middle exactly', () => {
    const values = Array.from({ length: 6 * 2 }, (_, i) => i / 12);
    const r = resizeImage(img(6, 2, values), { width: 2, height: 2, mode: 'crop' });
    expect(r.geometry.source).toEqual({ x: 2, y: 0, width: 2, height: 2 });
    expect(Array.from(r.image.data)).toEqual([values[2], values[3], values[8], values[9]].map(Math.fround));
  });

  it('stretch keeps channels interleaved', () => {
    const r = resizeImage(img(2, 1, [0, 1, 1, 0], 2), { width: 1, height: 1 });
    expect(Array.from(r.image.data)).toEqual([0.5, 0.5]);
  });

  it('refuses a bad target size', () => {
    expect(() => resizeImage(img(1, 1, [0]), { width: 0, height: 2 })).toThrow(PixelFormatError);
  });
});
