import { previewImage } from './previewImage';

describe('previewImage', () => {
  test('keeps the aspect ratio, caps the longest side, and keeps small images at their size', () => {
    const big = previewImage({ data: new Uint8Array(1000 * 500), width: 1000, height: 500, channels: 1 }, { maxSide: 100 });
    expect([big.width, big.height, big.channels]).toEqual([100, 50, 1]);
    const small = previewImage({ data: new Uint8Array(30 * 20), width: 30, height: 20, channels: 1 });
    expect([small.width, small.height]).toEqual([30, 20]);
  });

  test('white is 1 for 8-bit, 16-bit and float grey, and for RGBA (the white level preprocessPixels uses)', () => {
    const flat = (data: Uint8Array | Uint16Array | Float32Array | Uint8ClampedArray, channels: number) =>
      Array.from(previewImage({ data, width: 2, height: 2, channels }, { maxSide: 1 }).data);
    expect(flat(new Uint8Array(4).fill(255), 1)).toEqual([1]);
    expect(flat(new Uint16Array(4).fill(65535), 1)).toEqual([1]);
    expect(flat(new Float32Array(4).fill(1), 1)).toEqual([1]);
    expect(flat(new Uint8ClampedArray(16).fill(255), 4)).toEqual([1]);
    // 12-bit data stored in 16 bits, with its white level stated: 4095 -> 1
    expect(Array.from(previewImage({ data: new Uint16Array(4).fill(4095), width: 2, height: 2, channels: 1 }, { maxSide: 1, maxValue: 4095 }).data)).toEqual([1]);
  });

  test('halving a 2x1 grey image averages its two pixels (by hand: (0 + 51) / 2 / 255 = 0.1)', () => {
    const out = previewImage({ data: new Uint8Array([0, 51]), width: 2, height: 1, channels: 1 }, { maxSide: 1 });
    expect(out.data[0]).toBeCloseTo(0.1, 6);
  });
});
