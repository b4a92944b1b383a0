/** Summary statistics for benchmark samples. */

/** p-th percentile (0–100) by linear interpolation; null for no samples. */
export function percentile(values: readonly number[], p: number): number | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const r = (p / 100) * (v.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return v[lo] + (v[hi] - v[lo]) * (r - lo);
}

/**
 * Count, min, mean, p50, p95, max of samples (null fields when empty), rounded to 3 decimals. On a
 * loaded machine `min` is the closest wall-clock estimate of the uncontended cost.
 */
export function summarize(values: readonly number[]): {
  n: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
} {
  const v = values.filter((x) => Number.isFinite(x));
  const r = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  return {
    n: v.length,
    min: r(v.length ? Math.min(...v) : null),
    mean: r(v.length ? v.reduce((a, b) => a + b, 0) / v.length : null),
    p50: r(percentile(v, 50)),
    p95: r(percentile(v, 95)),
    max: r(v.length ? Math.max(...v) : null),
  };
}
