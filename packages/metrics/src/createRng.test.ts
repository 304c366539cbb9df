import { createRng, hashSeed, shuffleInPlace } from './createRng';

const MASK64 = (1n << 64n) - 1n;
const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (64n - k))) & MASK64;

/**
 * The reference: xoroshiro128+ as Blackman and Vigna publish it (prng.di.unimi.it/xoroshiro128plus.c: rotations
 * 24, 16, 37; jump polynomial 0xdf900294d8f554a5, 0x170865df4b3201fc), in 64-bit BigInt arithmetic, seeded as
 * pure-rand documents (s0 = 0xffffffff:~seed, s1 = seed:0), jumped once, and 53-bit floats from the low 26 and 27
 * bits of two outputs.
 */
function xoroshiro128plusReference(seed: number): () => number {
  let s0 = (0xffffffffn << 32n) | BigInt(~seed >>> 0);
  let s1 = BigInt(seed >>> 0) << 32n;
  const step = (): bigint => {
    const result = (s0 + s1) & MASK64;
    s1 ^= s0;
    s0 = rotl(s0, 24n) ^ s1 ^ ((s1 << 16n) & MASK64);
    s1 = rotl(s1, 37n);
    return result;
  };
  let j0 = 0n;
  let j1 = 0n;
  for (const word of [0xdf900294d8f554a5n, 0x170865df4b3201fcn]) {
    for (let b = 0n; b < 64n; b++) {
      if ((word >> b) & 1n) {
        j0 ^= s0;
        j1 ^= s1;
      }
      step();
    }
  }
  s0 = j0;
  s1 = j1;
  return () => Number(step() & 0x3ffffffn) / 2 ** 26 + Number(step() & 0x7ffffffn) / 2 ** 53;
}

describe('createRng', () => {
  it('is xoroshiro128+: the same floats as the published reference, for several seeds', () => {
    for (const seed of [0, 1, 42, -7, 2 ** 31 + 5]) {
      const rng = createRng(seed);
      const ref = xoroshiro128plusReference(seed | 0);
      for (let i = 0; i < 50; i++) expect(rng.next()).toBe(ref());
    }
    expect(createRng(42).next()).toBe(0.32010955279849107);
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

/** 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193), byte by byte, as the FNV reference defines it. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'latin1')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

describe('createRng (string seeds, uniform, int)', () => {
  it('is xoroshiro128+: the same floats as the published reference for integer seeds', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const rng = createRng(seed);
      const ref = xoroshiro128plusReference(seed);
      for (let i = 0; i < 50; i++) expect(rng.next()).toBe(ref());
    }
    expect(createRng(42).next()).toBe(0.32010955279849107); // the value the JSDoc example promises
  });

  it('derives uniform and int from next, in range', () => {
    const a = createRng(7);
    const ref = xoroshiro128plusReference(7);
    for (let i = 0; i < 1000; i++) {
      const u = a.uniform(-2, 3);
      expect(u).toBe(-2 + 5 * ref());
      const k = a.int(6);
      expect(k).toBe(Math.floor(ref() * 6));
      expect(u >= -2 && u < 3 && k >= 0 && k < 6).toBe(true);
    }
  });

  it('seeds from a string (or a non-integer) through hashSeed', () => {
    const ref = xoroshiro128plusReference(hashSeed('fold-1'));
    const rng = createRng('fold-1');
    for (let i = 0; i < 5; i++) expect(rng.next()).toBe(ref());
  });
});

describe('hashSeed', () => {
  it('is FNV-1a over each part, each followed by a "," separator byte', () => {
    expect(hashSeed('abc')).toBe(fnv1a('abc,'));
    expect(hashSeed('a', 12)).toBe(fnv1a('a,12,'));
    // The separator keeps ('1', '23') and ('12', '3') apart.
    expect(hashSeed('1', '23')).not.toBe(hashSeed('12', '3'));
  });
});

describe('shuffleInPlace', () => {
  it('is a seeded Fisher-Yates: a permutation, reproducible, and every position reachable', () => {
    const a = shuffleInPlace([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], createRng(3));
    expect([...a].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(shuffleInPlace([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], createRng(3))).toEqual(a);
    // Over many seeds, element 0 lands in every one of the 4 positions about equally often (n = 4000, each ~1000).
    const counts = [0, 0, 0, 0];
    for (let seed = 0; seed < 4000; seed++) counts[shuffleInPlace([0, 1, 2, 3], createRng(seed)).indexOf(0)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
});

describe('createRng state (training checkpoints)', () => {
  it('is deterministic per seed and continues from a saved state', () => {
    const a = createRng(42);
    const b = createRng(42);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(createRng(43).next()).not.toBe(seqA[0]);
    const c = createRng(42);
    c.next();
    c.next();
    const resumed = createRng(0, c.state);
    expect([resumed.next(), resumed.next(), resumed.next()]).toEqual(seqA.slice(2));
  });

  it('is uniform on [0, 1): mean 1/2 and variance 1/12 within sampling error', () => {
    const r = createRng(1);
    const n = 100000;
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 2);
  });

  it('shuffles into a permutation, every position reachable', () => {
    const r = createRng(7);
    const firsts = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const p = shuffleInPlace([0, 1, 2, 3, 4], r);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      firsts.add(p[0]);
    }
    expect(firsts.size).toBe(5);
  });
});
