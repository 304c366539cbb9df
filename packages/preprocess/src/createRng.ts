/** A seeded pseudo-random number generator. */
export interface Rng {
  /** Next float, uniform in [0, 1). */
  next(): number;
  /** Next float, uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Next integer, uniform in [0, n). */
  int(n: number): number;
}

/** Mixes a string or number into a 32-bit seed (FNV-1a over the decimal/text form). */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x2c; // separator, so ('1', '23') and ('12', '3') differ
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A small, fast, seeded generator (mulberry32). The same seed always gives the same sequence,
 * on every platform, which makes splits and augmentation reproducible.
 *
 * @example
 * const rng = createRng(42);
 * rng.next(); // 0.6011037519201636, always
 */
export function createRng(seed: number | string): Rng {
  let a = typeof seed === 'number' && Number.isInteger(seed) ? seed >>> 0 : hashSeed(seed);
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (n) => Math.floor(next() * n),
  };
}

/** Fisher-Yates shuffle in place with a seeded generator; returns the array. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}
