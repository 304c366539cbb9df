/** A seeded pseudo-random number generator: deterministic, so bootstrap intervals are reproducible. */
export interface Rng {
  /** The next float, uniform in [0, 1). */
  next(): number;
  /** The next integer, uniform in [0, n). */
  int(n: number): number;
}

/**
 * Creates a small deterministic PRNG (mulberry32: 32-bit state, period 2^32), enough for resampling and
 * shuffling; not for cryptography. The same seed always gives the same sequence, on every platform.
 *
 * @param seed - any number; it is reduced to a 32-bit integer.
 * @example
 * const rng = createRng(42);
 * rng.next(); // a float in [0, 1)
 * rng.int(10); // an integer in 0..9
 */
export function createRng(seed: number): Rng {
  let state = Number.isFinite(seed) ? Math.trunc(seed) | 0 : 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}
