/**
 * The q-quantile of sorted values with linear interpolation between order statistics (Hyndman-Fan type 7,
 * the default of numpy.percentile and R's quantile).
 * @internal
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) return NaN;
  const h = (m - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, m - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
