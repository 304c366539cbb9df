import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/**
 * A seeded pseudo-random number generator: deterministic, so splits, augmentation and bootstrap intervals are
 * reproducible. The one generator of the workspace (`@cxr/dataset` splits, `@cxr/preprocess` augmentation and
 * batches, `@cxr/model` training use it).
 */
export interface Rng {
  /** The next float, uniform in [0, 1). */
  next(): number;
  /** The next float, uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** The next integer, uniform in [0, n). */
  int(n: number): number;
  /** The generator's whole state (four 32-bit integers): `createRng(0, rng.state)` continues the same sequence. */
  readonly state: number[];
}

/** Mixes strings or numbers into a 32-bit seed (FNV-1a over the text form, each part followed by a `,`). */
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
 * Creates a seeded generator: pure-rand's xoroshiro128+ (128-bit state, period 2^128 - 1; seeded, then jumped once),
 * floats with 53 random bits from pure-rand's `uniformFloat64`. Enough for resampling, shuffling and augmentation; not for cryptography. The same
 * seed always gives the same sequence, on every platform.
 *
 * @param seed - an integer (reduced to 32 bits), or a string or non-integer mixed in by {@link hashSeed}.
 * @param state - a state saved from `rng.state` (it overrides `seed`): the sequence continues exactly where it was.
 * @example
 * const rng = createRng(42);
 * rng.next(); // 0.32010955279849107, always
 * rng.int(10); // an integer in 0..9
 */
export function createRng(seed: number | string, state?: readonly number[]): Rng {
  let generator: JumpableRandomGenerator;
  if (state !== undefined) generator = xoroshiro128plusFromState(state);
  else {
    generator = xoroshiro128plus(typeof seed === 'number' && Number.isInteger(seed) ? seed | 0 : hashSeed(seed) | 0);
    // A freshly seeded xoroshiro128+ state is mostly constant bits (its first float is ~1 for every small seed):
    // one jump (2^64 steps ahead, pure-rand's own way to start a separate stream) mixes the seed into all 128 bits.
    generator.jump();
  }
  const next = (): number => uniformFloat64(generator);
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    // floor(next() * n) rather than pure-rand's uniformInt: one draw per integer, and with 53 random bits the bias
    // for any n used here (< 2^31) is below 2^-22.
    int: (n) => Math.floor(next() * n),
    get state() {
      return [...generator.getState()];
    },
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
