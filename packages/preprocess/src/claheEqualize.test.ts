import { claheEqualize, claheTileLut } from './claheEqualize';
import { createRng } from '@cxr/metrics';
import type { FloatImage } from './floatImage';

const grey = (w: number, h: number, levels: number[]): FloatImage => ({
  data: Float32Array.from(levels, (v) => v / 255),
  width: w,
  height: h,
  channels: 1,
});
const std = (a: Float32Array) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};

describe('claheEqualize', () => {
  // 4x4 image: 8 pixels at level 10, 4 at 20, 4 at 30; one tile.
  const small = grey(4, 4, [10, 10, 10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30]);

  it('without clipping is plain histogram equalisation: cdf / pixels (by hand)', () => {
    // clip = trunc(1000 * 16 / 256) = 62, never reached. cdf(10) = 8, cdf(20) = 12, cdf(30) = 16.
    const out = claheEqualize(small, { tileGridSize: 1, clipLimit: 1000 });
    expect(Array.from(out.data.slice(0, 1))).toEqual([0.5]);
    expect(out.data[8]).toBe(0.75);
    expect(out.data[15]).toBe(1);
  });

  it('clips as OpenCV does (by hand)', () => {
    // clip = trunc(64 * 16 / 256) = 4: level 10 loses 4 counts; 4 / 256 -> 0 per bin, the 4 left
    // go one each to bins 0, 64, 128, 192 (step 256 / 4). cdf(10) = 1 + 4 = 5, cdf(20) = 9, cdf(30) = 13.
    const out = claheEqualize(small, { tileGridSize: 1, clipLimit: 64 });
    expect(out.data[0]).toBe(5 / 16);
    expect(out.data[8]).toBe(9 / 16);
    expect(out.data[15]).toBe(13 / 16);
  });

  it('interpolates between tile tables bilinearly (2x2 tiles, by hand)', () => {
    // 4x4, tiles of 2x2. Top-left tile: all level 0. Top-right tile: 128 at (2, 0), 255 elsewhere.
    // Bottom tiles: 255. No clipping (limit 1000).
    const levels = [0, 0, 128, 255, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255];
    const out = claheEqualize(grey(4, 4, levels), { tileGridSize: 2, clipLimit: 1000 });
    // (1, 1): txf = 1 / 2 - 0.5 = 0 and tyf = 0 -> top-left table only; lutTL(0) = 4 / 4 = 1
    expect(out.data[1 * 4 + 1]).toBe(1);
    // (2, 0): txf = 0.5 -> half top-left, half top-right; tyf = -0.5 clamps to the top row.
    // lutTL(128) = 4 / 4 = 1, lutTR(128) = 1 / 4: 0.5 * 1 + 0.5 * 0.25 = 0.625
    expect(out.data[2]).toBe(0.625);
  });

  it('leaves an image with a uniform histogram in every tile nearly unchanged', () => {
    // 128x128, 8x8 tiles of 16x16 = 256 pixels, each tile holds every level once (shuffled)
    const rng = createRng(3);
    const levels = new Array<number>(128 * 128);
    for (let ty = 0; ty < 8; ty++)
      for (let tx = 0; tx < 8; tx++) {
        const perm = Array.from({ length: 256 }, (_, i) => i);
        for (let i = 255; i > 0; i--) {
          const j = rng.int(i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        perm.forEach((v, k) => (levels[(ty * 16 + (k >> 4)) * 128 + tx * 16 + (k & 15)] = v));
      }
    const img = grey(128, 128, levels);
    const out = claheEqualize(img, { tileGridSize: 8, clipLimit: 2 });
    // lut(i) = (i + 1) / 256 in every tile, so |out - i / 255| <= 1 / 256
    let max = 0;
    for (let i = 0; i < out.data.length; i++) max = Math.max(max, Math.abs(out.data[i] - img.data[i]));
    expect(max).toBeLessThanOrEqual(1 / 255);
  });

  it('raises the contrast of a low-contrast image, the more the higher the clip limit', () => {
    const rng = createRng(5);
    const img = grey(64, 64, Array.from({ length: 64 * 64 }, () => 100 + rng.int(20))); // levels 100..119
    const s0 = std(img.data);
    const gain = (clipLimit: number) => std(claheEqualize(img, { tileGridSize: 2, clipLimit }).data) / s0;
    const g1 = gain(1);
    const g4 = gain(4);
    const g40 = gain(40);
    expect(g4).toBeGreaterThan(2);
    expect(g40).toBeGreaterThan(g4);
    expect(g1).toBeLessThan(g4);
    // clip 1: at most trunc(1024 / 256) = 4 counts per level plus the spread excess
    // (20 levels x ~47 over the clip / 256 = 3 or 4 per bin): a slope of at most 8 / 1024 per level,
    // i.e. a contrast gain of at most 255 * 8 / 1024 = 1.99
    expect(g1).toBeLessThan(2.05);
  });

  it('claheTileLut never lets one level step exceed (clip + redistributed + 1) / pixels', () => {
    const hist = new Int32Array(256);
    hist[50] = 900;
    hist[51] = 100;
    hist[200] = 24;
    const clipLimit = 3;
    const lut = claheTileLut(hist, 1024, clipLimit);
    const clip = Math.trunc((clipLimit * 1024) / 256); // 12
    const excess = 900 - clip + (100 - clip) + (24 - clip); // 988
    const bound = (clip + Math.trunc(excess / 256) + 1) / 1024;
    let maxStep = lut[0];
    for (let i = 1; i < 256; i++) maxStep = Math.max(maxStep, lut[i] - lut[i - 1]);
    expect(maxStep).toBeLessThanOrEqual(bound + 1e-7);
    expect(lut[255]).toBeCloseTo(1, 6);
  });
});
