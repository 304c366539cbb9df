// Math's functions bound once: a global lookup per pixel is slow where code runs in a vm context (Jest).
const { PI, cos, floor, imul, log, sin, sqrt } = Math;

/** A deterministic random source: uniform floats in [0, 1) and helpers built on them. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number;
  /** Standard normal (Box-Muller). */
  normal(mean?: number, sd?: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/** FNV-1a hash of a string to 32 bits, to turn seeds like `"demo/covid/3"` into PRNG states. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A seeded pseudo-random generator (mulberry32: 32-bit state, period 2^32, fast, good enough for
 * synthetic images; not for cryptography). The same seed always gives the same sequence, on every platform.
 *
 * @example
 * const rng = seededRandom('demo:42');
 * rng.uniform(0.2, 0.4);
 */
export function seededRandom(seed: string | number): SeededRandom {
  let state = hash32(String(seed));
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + floor((max - min + 1) * next()),
    normal: (mean = 0, sd = 1) => {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return mean + sd * z;
      }
      const u = 1 - next();
      const v = next();
      const r = sqrt(-2 * log(u));
      spare = r * sin(2 * PI * v);
      return mean + sd * r * cos(2 * PI * v);
    },
    pick: (items) => items[floor(next() * items.length)],
  };
}
