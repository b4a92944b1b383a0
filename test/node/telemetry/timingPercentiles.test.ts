import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timingPercentiles } from '../../../src/telemetry/timingPercentiles.ts';

test('p50/p95 by linear interpolation (numpy default), NaN ignored, null when empty', () => {
  const v = Array.from({ length: 101 }, (_, i) => 100 - i);
  assert.deepEqual(timingPercentiles(v), { p50Ms: 50, p95Ms: 95, runs: 101 });
  const t = timingPercentiles([1, 2, NaN, 3, 4])!;
  assert.equal(t.p50Ms, 2.5);
  assert.ok(Math.abs(t.p95Ms - 3.85) < 1e-12);
  assert.equal(t.runs, 4);
  assert.equal(timingPercentiles([]), null);
  assert.equal(timingPercentiles([NaN]), null);
});
