import { minMaxWindow, voiWindowValue } from './voiLut';

// Expected values are worked out by hand from the formulas of DICOM PS3.3 C.11.2.1.2.1 and C.11.2.1.3.
describe('voiWindowValue', () => {
  const window = { center: 40, width: 400 };

  it('LINEAR: clamps at c - 0.5 -/+ (w-1)/2 and is linear between', () => {
    // borders: 40 - 0.5 - 199.5 = -160 and 40 - 0.5 + 199.5 = 239
    expect(voiWindowValue(-160, window, 'LINEAR', 0, 255)).toBe(0);
    expect(voiWindowValue(-159, window, 'LINEAR', 0, 255)).toBeCloseTo((1 / 399) * 255, 10);
    // (239 - 39.5) / 399 + 0.5 = 1: the right border itself reaches the top
    expect(voiWindowValue(239, window, 'LINEAR', 0, 255)).toBeCloseTo(255, 10);
    expect(voiWindowValue(239.01, window, 'LINEAR', 0, 255)).toBe(255);
    expect(voiWindowValue(40, window, 'LINEAR', 0, 255)).toBeCloseTo((0.5 / 399 + 0.5) * 255, 10);
  });

  it('LINEAR with width 1 is a threshold at the center', () => {
    expect(voiWindowValue(99.5, { center: 100, width: 1 }, 'LINEAR', 0, 255)).toBe(0);
    expect(voiWindowValue(99.6, { center: 100, width: 1 }, 'LINEAR', 0, 255)).toBe(255);
  });

  it('LINEAR_EXACT: ((x - c) / w + 0.5) spread over the output range', () => {
    expect(voiWindowValue(-160, window, 'LINEAR_EXACT', 0, 255)).toBe(0);
    expect(voiWindowValue(140, window, 'LINEAR_EXACT', 0, 255)).toBeCloseTo(0.75 * 255, 10);
    expect(voiWindowValue(240, window, 'LINEAR_EXACT', 0, 65535)).toBe(65535);
  });

  it('SIGMOID: (ymax - ymin) / (1 + exp(-4 (x - c) / w)) + ymin', () => {
    expect(voiWindowValue(40, window, 'SIGMOID', 0, 255)).toBeCloseTo(127.5, 10);
    // x - c = 100 -> exp(-1) = 0.36787944: 255 / 1.36787944 = 186.41994
    expect(voiWindowValue(140, window, 'SIGMOID', 0, 255)).toBeCloseTo(186.41994, 4);
    expect(voiWindowValue(-60, window, 'SIGMOID', 10, 20)).toBeCloseTo(10 + 10 / (1 + Math.E), 10);
  });
});

describe('minMaxWindow', () => {
  it('maps the minimum to 0 and the maximum to the top under LINEAR (dcmtk +Wm)', () => {
    const w = minMaxWindow(-100, 300);
    expect(w).toEqual({ center: 100.5, width: 401 });
    expect(voiWindowValue(-100, w, 'LINEAR', 0, 255)).toBe(0);
    expect(voiWindowValue(300, w, 'LINEAR', 0, 255)).toBeCloseTo(255, 10);
    expect(voiWindowValue(100, w, 'LINEAR', 0, 255)).toBeCloseTo(127.5, 10);
  });
});
