import { createRng, hashSeed, shuffleInPlace } from './createRng';

/** mulberry32 as its author published it (bryc, github.com/bryc/code, jshash/PRNGs.md): the reference. */
function mulberry32(a: number): () => number {
  return () => {
    let t = (a += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193), byte by byte, as the FNV reference defines it. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'latin1')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

describe('createRng', () => {
  it('is mulberry32: the same floats as the published reference for integer seeds', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const rng = createRng(seed);
      const ref = mulberry32(seed);
      for (let i = 0; i < 50; i++) expect(rng.next()).toBe(ref());
    }
    expect(createRng(42).next()).toBe(0.6011037519201636); // the value the JSDoc example promises
  });

  it('derives uniform and int from next, in range', () => {
    const a = createRng(7);
    const ref = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const u = a.uniform(-2, 3);
      expect(u).toBe(-2 + 5 * ref());
      const k = a.int(6);
      expect(k).toBe(Math.floor(ref() * 6));
      expect(u >= -2 && u < 3 && k >= 0 && k < 6).toBe(true);
    }
  });

  it('seeds from a string (or a non-integer) through hashSeed', () => {
    const ref = mulberry32(hashSeed('fold-1'));
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
