import { readFileSync } from 'node:fs';

/** Reads a JSON fixture written by training/reference/make_metric_fixtures.py. */
export function readMetricFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/metrics/${name}`, import.meta.url), 'utf8')) as T;
}

/** Largest absolute difference between two equally long series. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
