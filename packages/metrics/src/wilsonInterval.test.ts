import { InvalidOptionError } from './errors';
import { wilsonInterval } from './wilsonInterval';

describe('wilsonInterval', () => {
  // Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of seven methods",
  // Stat Med 17:857-872, Table II, method 3 (Wilson score without continuity correction), 95%.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.883, 1],
  ])('%i/%i matches Newcombe 1998 (%f, %f)', (s, n, lower, upper) => {
    const ci = wilsonInterval(s, n);
    expect(ci.value).toBeCloseTo(s / n, 12);
    expect(ci.lower).toBeCloseTo(lower, 4);
    expect(ci.upper).toBeCloseTo(upper, 4);
  });

  it('uses the z of the requested level (hand computation at 90%, z = 1.644854)', () => {
    // p = 0.5, n = 100: centre 0.5, half = z/(1+z^2/n) * sqrt(0.25/n + z^2/(4n^2)).
    const z = 1.6448536269514715;
    const half = (z / (1 + (z * z) / 100)) * Math.sqrt(0.25 / 100 + (z * z) / 40000);
    const ci = wilsonInterval(50, 100, 0.9);
    expect(ci.lower).toBeCloseTo(0.5 - half, 9);
    expect(ci.upper).toBeCloseTo(0.5 + half, 9);
  });

  it('is NaN (null in JSON) for n = 0', () => {
    const ci = wilsonInterval(0, 0);
    expect(ci.value).toBeNaN();
    expect(JSON.parse(JSON.stringify(ci))).toEqual({ value: null, lower: null, upper: null });
  });

  it('rejects impossible counts and levels', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(InvalidOptionError);
    expect(() => wilsonInterval(-1, 4)).toThrow(/successes/);
    expect(() => wilsonInterval(1.5, 4)).toThrow(InvalidOptionError);
    expect(() => wilsonInterval(1, 4, 1)).toThrow(/level/);
  });
});
