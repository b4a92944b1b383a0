/**
 * Percentile by linear interpolation between order statistics (numpy's default method). Pure.
 * @param sorted defines ascending finite values (non-empty)
 * @param p defines the percentile in [0, 100]
 * @returns the interpolated value
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const pos = (Math.max(0, Math.min(100, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
