import { affineMatrix, affineTransform, rotateImage } from './affineTransform';
import { augmentation, randBrightness, randContrast, randRotate, randShift, randZoom } from './augmentation';
import { createRng } from '@cxr/metrics';
import type { FloatImage } from './floatImage';

const img = (w: number, h: number, values: number[]): FloatImage => ({ data: Float32Array.from(values), width: w, height: h, channels: 1 });
const g = (i: FloatImage) => Array.from(i.data).map((v) => Math.round(v * 1e6) / 1e6);

describe('geometry', () => {
  // a b c / d e f / g h i as 1..9 (tenths)
  const abc = img(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => v / 10));

  it('rotates 90 degrees counter-clockwise as numpy.rot90 does', () => {
    // np.rot90([[1,2,3],[4,5,6],[7,8,9]]) = [[3,6,9],[2,5,8],[1,4,7]]
    expect(g(rotateImage(abc, 90))).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7].map((v) => v / 10));
    expect(g(rotateImage(abc, -90))).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3].map((v) => v / 10));
    expect(g(rotateImage(abc, 180))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1].map((v) => v / 10));
  });

  it('rotates an even-sized image about its centre (4x4, 90 degrees)', () => {
    const four = img(4, 4, Array.from({ length: 16 }, (_, i) => i / 16));
    const r = rotateImage(four, 90);
    // rot90: out[y][x] = in[x][3 - y]
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(r.data[y * 4 + x]).toBeCloseTo(four.data[x * 4 + (3 - y)], 6);
  });

  it('repeats edge pixels where a shift uncovers the image (fill nearest)', () => {
    // shift right by 1: out[x] = in[x - 1], out[0] = in[0] (nearest fill)
    const row = img(4, 1, [0.1, 0.2, 0.3, 0.4]);
    expect(g(affineTransform(row, affineMatrix(4, 1, { shiftX: 1 })))).toEqual([0.1, 0.1, 0.2, 0.3]);
    expect(g(affineTransform(row, affineMatrix(4, 1, { shiftX: 1 }), { fill: 'constant', cval: 0 }))).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('zooms about the centre (factor 2 on 1-D, bilinear, by hand)', () => {
    // centre 1.5; out x samples in at 1.5 + (x - 1.5) / 2: 0.75, 1.25, 1.75, 2.25
    const row = img(4, 1, [0, 0.4, 0.8, 1.2]);
    expect(g(affineTransform(row, affineMatrix(4, 1, { zoom: 2 })))).toEqual([0.3, 0.5, 0.7, 0.9]);
  });

  it('flips left-right', () => {
    expect(g(affineTransform(img(3, 1, [0.1, 0.2, 0.3]), affineMatrix(3, 1, { flip: true })))).toEqual([0.3, 0.2, 0.1]);
  });
});

describe('random augmentation', () => {
  const base = img(16, 16, Array.from({ length: 256 }, (_, i) => ((i * 37) % 256) / 255));

  it('is deterministic for a seed and differs between seeds', () => {
    const a = randRotate({ maxDegrees: 15, seed: 1 })(base);
    const b = randRotate({ maxDegrees: 15, seed: 1 })(base);
    const c = randRotate({ maxDegrees: 15, seed: 2 })(base);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    const aug = augmentation({ rotate: 15, shift: 0.1, zoom: 0.1, brightness: 0.1, contrast: 0.2 });
    expect(Array.from(aug(base, createRng(9)).data)).toEqual(Array.from(aug(base, createRng(9)).data));
  });

  it('draws the rotation angle from [-maxDegrees, maxDegrees] with the given generator', () => {
    // the first draw of createRng(42) is 0.32010955279849107: angle = -15 + 30 * u = -5.397 degrees
    const u = createRng(42).next();
    const angle = -15 + 30 * u;
    expect(Array.from(randRotate({ maxDegrees: 15 })(base, createRng(42)).data)).toEqual(Array.from(rotateImage(base, angle).data));
  });

  it('does not flip by default: the default augmentation with rotation 0 leaves an image unchanged', () => {
    const aug = augmentation({ rotate: 0 });
    for (let s = 0; s < 20; s++) expect(aug(base, createRng(s))).toBe(base);
  });

  it('keeps intensities in [0, 1] under brightness and contrast, and shift/zoom keep the size', () => {
    for (let s = 0; s < 10; s++) {
      const out = randContrast({ maxFraction: 0.5 })(randBrightness({ maxDelta: 0.3 })(base, createRng(s)), createRng(s + 100));
      for (const v of out.data) expect(v >= 0 && v <= 1).toBe(true);
      const z = randZoom({ maxFraction: 0.2 })(randShift({ maxFraction: 0.1 })(base, createRng(s)), createRng(s));
      expect([z.width, z.height, z.data.length]).toEqual([16, 16, 256]);
    }
  });

  it('refuses out-of-range options', () => {
    expect(() => randRotate({ maxDegrees: 200 })).toThrow(/maxDegrees 200/);
    expect(() => augmentation({ shift: 1.5 })).toThrow(/shift 1.5/);
  });
});
