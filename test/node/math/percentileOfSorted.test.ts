import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentileOfSorted } from '../../../src/math/percentileOfSorted.ts';

test('percentileOfSorted: linear between order statistics, clamped to [0, 100]', () => {
  assert.equal(percentileOfSorted([1, 2, 3], 50), 2);
  assert.ok(Math.abs(percentileOfSorted([0, 10], 95) - 9.5) < 1e-12);
  assert.ok(Math.abs(percentileOfSorted(Float64Array.from([0, 10]), 95) - 9.5) < 1e-12);
  assert.equal(percentileOfSorted([4], 95), 4);
  assert.equal(percentileOfSorted([1, 5], 150), 5);
  assert.equal(percentileOfSorted([1, 5], -3), 1);
});
