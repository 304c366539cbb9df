import { parseDicomAge } from './parseDicomAge';

describe('parseDicomAge', () => {
  it('reads years with and without the unit', () => {
    expect(parseDicomAge('081Y')).toBe(81);
    expect(parseDicomAge('58')).toBe(58);
    expect(parseDicomAge(' 007y ')).toBe(7);
  });

  it('turns months, weeks and days into fractional years', () => {
    expect(parseDicomAge('006M')).toBeCloseTo(0.5, 12);
    expect(parseDicomAge('052W')).toBeCloseTo((52 * 7) / 365.25, 12);
    expect(parseDicomAge('365D')).toBeCloseTo(365 / 365.25, 12);
  });

  it('returns undefined for empty or malformed ages', () => {
    expect(parseDicomAge(undefined)).toBeUndefined();
    expect(parseDicomAge('')).toBeUndefined();
    expect(parseDicomAge('Y')).toBeUndefined();
    expect(parseDicomAge('12X')).toBeUndefined();
    expect(parseDicomAge('1234Y')).toBeUndefined();
  });
});
