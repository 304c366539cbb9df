/**
 * Formats a number with `digits` decimals exactly as Python's `'{:.Nf}'.format(x)`: exact ties are rounded half
 * to even (`0.125` gives `0.12`, where `Number.prototype.toFixed` gives `0.13`), and NaN and infinities print as
 * `nan`, `inf`, `-inf`.
 *
 * @example formatFixed(0.125, 2); // '0.12'
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  const rounded = a.toFixed(digits);
  if (a < 1e21) {
    // toFixed(100) spells out the exact binary value for every double that can be an exact tie at `digits`.
    const exact = a.toFixed(100);
    const dot = exact.indexOf('.');
    const next = exact.charAt(dot + 1 + digits);
    const rest = exact.slice(dot + 2 + digits);
    if (next === '5' && /^0*$/.test(rest)) {
      const truncated = exact.slice(0, digits === 0 ? dot : dot + 1 + digits);
      const last = Number(truncated.charAt(truncated.length - 1));
      // toFixed rounds ties up; keep the truncated value when its last digit is already even.
      if (last % 2 === 0) return sign + truncated;
    }
  }
  return sign + rounded;
}
