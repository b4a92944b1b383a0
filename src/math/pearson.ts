/**
 * Pearson correlation coefficient.
 */

/**
 * Pearson r between two equally long series (two-pass, mean-centred, float64).
 * @param x defines the first series
 * @param y defines the second series, same length as `x`
 * @returns r in [−1, 1], or null when there are fewer than 2 values or either series is constant
 * @throws RangeError when the lengths differ
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  if (x.length !== y.length) {
    throw new RangeError(`pearson: expected two series of equal length, got ${x.length} and ${y.length}.`);
  }
  const n = x.length;
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  // Rounding can push |r| a hair past 1 for perfectly (anti)correlated data.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}
