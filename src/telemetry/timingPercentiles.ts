/**
 * Percentiles of inference run times for telemetry. Pure.
 */
import { percentileOfSorted } from '../math/percentileOfSorted.ts';
import type { IInferenceTiming } from './telemetrySample.ts';

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
