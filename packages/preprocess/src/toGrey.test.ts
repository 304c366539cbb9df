import { PixelFormatError } from './errors';
import { toGrey } from './toGrey';

describe('toGrey', () => {
  it('scales 8-bit, 16-bit and float grey to [0, 1]', () => {
    expect(Array.from(toGrey({ data: new Uint8Array([0, 51, 255]), width: 3, height: 1, channels: 1 }).data)).toEqual([0, Math.fround(0.2), 1]);
    expect(toGrey({ data: new Uint16Array([65535, 1000]), width: 2, height: 1, channels: 1 }).data[1]).toBeCloseTo(1000 / 65535, 7);
    expect(toGrey({ data: new Uint16Array([4095]), width: 1, height: 1, channels: 1 }, { maxValue: 4095 }).data[0]).toBe(1);
  });

  it('keeps R = G = B exactly and ignores alpha', () => {
    const g = toGrey({ data: new Uint8ClampedArray([10, 10, 10, 0, 200, 200, 200, 255]), width: 2, height: 1, channels: 4 });
    expect(g.data[0]).toBeCloseTo(10 / 255, 7);
    expect(g.data[1]).toBeCloseTo(200 / 255, 7);
  });

  it('computes Rec. 709 luminance in linear light for colour (hand computation, as libvips)', () => {
    // pure red: Y = 0.2126 in linear light; sRGB-encoded: 1.055 * 0.2126^(1/2.4) - 0.055 = 0.49844
    // (sharp greyscale() gives 127 = round(0.49844 * 255))
    const g = toGrey({ data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]), width: 3, height: 1, channels: 3 });
    expect(g.data[0]).toBeCloseTo(0.49844, 4);
    expect(g.data[1]).toBeCloseTo(1.055 * Math.pow(0.7152, 1 / 2.4) - 0.055, 5); // 0.8632 (sharp: 220)
    expect(g.data[2]).toBeCloseTo(1.055 * Math.pow(0.0722, 1 / 2.4) - 0.055, 5); // 0.2982 (sharp: 76)
  });

  it('refuses a buffer of the wrong length', () => {
    expect(() => toGrey({ data: new Uint8Array(5), width: 2, height: 1, channels: 3 })).toThrow(PixelFormatError);
    expect(() => toGrey({ data: new Uint8Array(5), width: 2, height: 1, channels: 3 })).toThrow('toGrey: 2x1x3 needs 6 values, got 5');
  });
});
