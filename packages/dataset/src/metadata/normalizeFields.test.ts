import { normalizeModality, normalizeSex, parseAgeYears } from './normalizeFields';

describe('field normalisation', () => {
  it('normalizeSex', () => {
    expect(['M', 'f', ' Male ', 'FEMALE', '', 'O', undefined, null].map(normalizeSex)).toEqual(['M', 'F', 'M', 'F', null, null, null, null]);
  });
  it('parseAgeYears: plain years and DICOM AS strings (hand-computed: 6 months = 0.5 y, 26 weeks = 0.4983 y)', () => {
    expect(parseAgeYears('65')).toBe(65);
    expect(parseAgeYears('65.5')).toBe(65.5);
    expect(parseAgeYears('058Y')).toBe(58);
    expect(parseAgeYears('006M')).toBe(0.5);
    expect(parseAgeYears('026W')).toBeCloseTo(0.4983, 4);
    expect(parseAgeYears('365D')).toBeCloseTo(0.9993, 4);
    expect(['', ' ', 'unknown', '-3', '1e3'].map(parseAgeYears)).toEqual([null, null, null, null, null]);
    expect(parseAgeYears(Number.NaN)).toBeNull();
  });
  it('normalizeModality', () => {
    expect(['CR', 'DX', 'x-ray', 'XR', 'CT', ' MR '].map(normalizeModality)).toEqual(['X-ray', 'X-ray', 'X-ray', 'X-ray', 'CT', 'MR']);
  });
});
