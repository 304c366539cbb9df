import { createRng } from '@cxr/metrics';

// Math's functions bound once: a global lookup per pixel is slow where code runs in a vm context (Jest).
const { PI, cos, floor, log, sin, sqrt } = Math;

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

/**
 * A seeded pseudo-random generator for synthetic images, on `@cxr/metrics`' `createRng` (pure-rand's xoroshiro128+;
 * the seed's text is hashed, so `7` and `'7'` agree). The same seed always gives the same sequence, on every platform.
 *
 * @example
 * const rng = seededRandom('demo:42');
 * rng.uniform(0.2, 0.4);
 */
export function seededRandom(seed: string | number): SeededRandom {
  const rng = createRng(String(seed));
  const next = (): number => rng.next();
  let spare: number | null = null;
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
