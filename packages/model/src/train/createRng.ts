/**
 * A small seeded random generator (mulberry32) whose whole state is one 32-bit integer, so that it can be
 * saved in a training checkpoint and resumed exactly.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** The current state; `createRng(0, state)` continues the same sequence. */
  readonly state: number;
  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[];
}

/**
 * Creates a seeded generator. The same seed gives the same sequence on every platform.
 *
 * @param seed any integer
 * @param state a state saved from `rng.state` (overrides the seed)
 */
export function createRng(seed: number, state?: number): Rng {
  let s = state !== undefined ? state >>> 0 : (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    get state() {
      return s;
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
  };
}
