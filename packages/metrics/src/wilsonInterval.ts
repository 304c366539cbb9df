import { InvalidOptionError } from './errors';
import type { Interval } from './interval';
import { normalQuantile } from './normalQuantile';

/**
 * The proportion `successes / n` with its Wilson score interval (without continuity correction; Wilson 1927,
 * method 3 of Newcombe 1998). Unlike the Wald interval it stays inside [0, 1] and behaves at 0 and n successes.
 * With `n = 0` the proportion is undefined: value, lower and upper are `NaN` (`null` in JSON).
 *
 * @param successes - an integer in [0, n].
 * @param n - the number of trials (a non-negative integer).
 * @param level - the confidence level in (0, 1), 0.95 by default.
 * @example wilsonInterval(81, 263); // { value: 0.3080, lower: 0.2553, upper: 0.3662 } (Newcombe 1998)
 */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  if (!Number.isInteger(n) || n < 0) throw new InvalidOptionError('n', n, 'a non-negative integer');
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new InvalidOptionError('successes', successes, `an integer between 0 and n = ${n}`);
  }
  if (!(level > 0 && level < 1)) throw new InvalidOptionError('level', level, 'a confidence level strictly between 0 and 1');
  if (n === 0) return { value: NaN, lower: NaN, upper: NaN };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp the rounding noise at the ends (0 and n successes give exactly 0 and 1).
  return {
    value: p,
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === n ? 1 : Math.min(1, centre + half),
  };
}
