import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPeaks } from '../../../src/math/findPeaks.ts';
import { gaussianFilter1d } from '../../../src/math/gaussianFilter1d.ts';
import { pearson } from '../../../src/math/pearson.ts';
import { readMetricFixture } from '../metrics/fixtures.ts';

test('findPeaks equals scipy.signal.find_peaks on plateaus and edges', () => {
  const { cases } = readMetricFixture<{ cases: Array<{ x: number[]; peaks: number[] }> }>('find_peaks.json');
  assert.ok(cases.length > 0);
  for (const c of cases) assert.deepEqual(findPeaks(c.x), c.peaks, JSON.stringify(c.x));
});

test('gaussianFilter1d keeps constants, preserves the sum away from edges and uses 17 taps at σ = 2', () => {
  assert.ok(gaussianFilter1d(new Array(10).fill(3), 2).every((v) => Math.abs(v - 3) < 1e-15));
  const impulse = new Array(41).fill(0);
  impulse[20] = 1;
  const out = gaussianFilter1d(impulse, 2);
  const nonZero = out.filter((v) => v > 0).length;
  assert.equal(nonZero, 17);
  assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-15);
  assert.throws(() => gaussianFilter1d([1], 0), RangeError);
});

test('pearson: perfect, anti, undefined and mismatched', () => {
  assert.equal(pearson([1, 2, 3], [2, 4, 6]), 1);
  assert.equal(pearson([1, 2, 3], [3, 2, 1]), -1);
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), null);
  assert.equal(pearson([1], [1]), null);
  assert.ok(Math.abs((pearson([1, 2, 3, 4], [1, 3, 2, 4]) as number) - 0.8) < 1e-12);
  assert.throws(() => pearson([1, 2], [1]), RangeError);
});
