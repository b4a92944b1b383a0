/**
 * Percentiles of inference run times for telemetry. Pure.
 */
import type { IInferenceTiming } from './telemetrySample.ts';

/**
 * Percentile by linear interpolation between order statistics (numpy's default method).
 * @param sorted defines ascending finite values (non-empty)
 * @param p defines the percentile in [0, 100]
 * @returns the interpolated value
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  const pos = (Math.max(0, Math.min(100, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * p50/p95 of run times; non-finite values are ignored.
 * @param runMs defines run times, ms
 * @returns the timing, or null when there is no finite run time
 */
export function timingPercentiles(runMs: readonly number[]): IInferenceTiming | null {
  const v = runMs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return { p50Ms: percentileOfSorted(v, 50), p95Ms: percentileOfSorted(v, 95), runs: v.length };
}
