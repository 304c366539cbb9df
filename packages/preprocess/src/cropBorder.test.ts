import { cropBorder } from './cropBorder';
import type { FloatImage } from './floatImage';

/** A w x h image: `fill` everywhere, then `inner` in the rectangle (x0, y0, w1, h1) with a gradient (anatomy-like variation). */
function framed(w: number, h: number, fill: number, box: { x: number; y: number; width: number; height: number }): FloatImage {
  const data = new Float32Array(w * h).fill(fill);
  for (let y = box.y; y < box.y + box.height; y++)
    for (let x = box.x; x < box.x + box.width; x++) data[y * w + x] = 0.2 + (0.6 * ((x - box.x + y - box.y) % 10)) / 10;
  return { data, width: w, height: h, channels: 1 };
}

describe('cropBorder', () => {
  it('removes a black frame exactly', () => {
    const box = { x: 7, y: 5, width: 40, height: 40 };
    const r = cropBorder(framed(60, 50, 0, box));
    expect(r.box).toEqual(box);
    expect(r.image.width).toBe(40);
    expect(r.image.data[0]).toBeCloseTo(0.2, 6); // the first inner pixel
  });

  it('removes a white frame that carries a small burned-in letter', () => {
    const img = framed(100, 80, 1, { x: 10, y: 10, width: 80, height: 60 });
    // a 3x3 dark "letter" in the top border: 3 of 100 pixels per row, under the 5% allowance
    for (let y = 2; y < 5; y++) for (let x = 80; x < 83; x++) img.data[y * 100 + x] = 0;
    expect(cropBorder(img).box).toEqual({ x: 10, y: 10, width: 80, height: 60 });
  });

  it('leaves an image without borders alone (same object)', () => {
    const img = framed(20, 20, 0, { x: 0, y: 0, width: 20, height: 20 });
    const r = cropBorder(img);
    expect(r.image).toBe(img);
    expect(r.box).toEqual({ x: 0, y: 0, width: 20, height: 20 });
  });

  it('never removes more than maxCropFraction per side (a blank image keeps its middle half)', () => {
    const r = cropBorder({ data: new Float32Array(100 * 40), width: 100, height: 40, channels: 1 });
    expect(r.box).toEqual({ x: 25, y: 10, width: 50, height: 20 });
  });
});
