import { createRng } from './createRng';

/** mulberry32 as its author published it (bryc, github.com/bryc/code, jshash/PRNGs.md): the reference. */
function mulberry32(a: number): () => number {
  return () => {
    let t = (a += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createRng', () => {
  it('is mulberry32: the same floats as the published reference, for several seeds', () => {
    for (const seed of [0, 1, 42, -7, 2 ** 31 + 5]) {
      const rng = createRng(seed);
      const ref = mulberry32(seed | 0);
      for (let i = 0; i < 50; i++) expect(rng.next()).toBe(ref());
    }
    expect(createRng(42).next()).toBe(0.6011037519201636);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  it('gives uniform floats in [0, 1) and integers in [0, n)', () => {
    const rng = createRng(123);
    const bins = new Array(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      bins[rng.int(10)]++;
    }
    // Chi-square goodness of fit, 9 degrees of freedom: the 99.9% critical value is 27.88.
    const expected = draws / 10;
    const chi2 = bins.reduce((s, o) => s + ((o - expected) * (o - expected)) / expected, 0);
    expect(chi2).toBeLessThan(27.88);
    expect(Math.min(...bins)).toBeGreaterThan(0);
  });
});
