import { encodeFloat16 } from './encodeFloat16';

/** Reference decoder from the IEEE 754 binary16 definition, in float64. */
function decode(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

describe('encodeFloat16', () => {
  it('encodes the textbook binary16 values', () => {
    // from the IEEE 754 half-precision examples (Wikipedia "Half-precision floating-point format")
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [0.333251953125, 0x3555],
      [2 ** -14, 0x0400], [2 ** -24, 0x0001], [0.000060975551605224609375, 0x03ff], [Infinity, 0x7c00], [-Infinity, 0xfc00],
      [1e6, 0x7c00], [1e-9, 0x0000], [0.1, 0x2e66],
    ];
    const got = encodeFloat16(Float32Array.from(cases.map((c) => c[0])));
    expect(Array.from(got).map((h) => h.toString(16))).toEqual(cases.map((c) => c[1].toString(16)));
    expect(Number.isNaN(decode(encodeFloat16(Float32Array.of(NaN))[0]))).toBe(true);
  });

  it('rounds to the nearest half (ties to even) for every value in a sweep', () => {
    const values = new Float32Array(20001);
    for (let i = 0; i < values.length; i++) values[i] = (i - 10000) * 0.0137 * Math.exp((i % 7) - 3);
    const got = encodeFloat16(values);
    const worse: number[] = [];
    values.forEach((v, i) => {
      const d = decode(got[i]);
      // no other half is closer: compare with the neighbours
      if (Math.abs(d - v) > Math.abs(decode(got[i] + 1) - v)) worse.push(v);
      if ((got[i] & 0x7fff) > 0 && Math.abs(d - v) > Math.abs(decode(got[i] - 1) - v)) worse.push(v);
    });
    expect(worse).toEqual([]);
  });
});
