import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateWindowScores } from '../../../src/telemetry/aggregateWindowScores.ts';

test('PLRS is the mean zero-shift similarity over windows; the curve is the mean per shift', () => {
  const r = aggregateWindowScores(
    [
      { startFrame: 0, similarities: [0.1, 0.5, 0.2] },
      { startFrame: 10, similarities: [0.3, 0.7, 0.0] },
    ],
    1,
  );
  assert.equal(r.windows, 2);
  assert.ok(Math.abs(r.plrs! - 0.6) < 1e-12);
  assert.deepEqual(
    Array.from(r.curve!).map((v) => +v.toFixed(12)),
    [0.2, 0.6, 0.1],
  );
});

test('no windows gives nulls; windows with NaN or a different length are skipped', () => {
  assert.deepEqual(aggregateWindowScores([], 0), { plrs: null, curve: null, windows: 0 });
  const r = aggregateWindowScores(
    [
      { startFrame: 0, similarities: [NaN, 0.5, 0.2] },
      { startFrame: 10, similarities: [0.3, 0.4, 0.1] },
      { startFrame: 20, similarities: [0.3, 0.4] },
    ],
    1,
  );
  assert.equal(r.windows, 1);
  assert.ok(Math.abs(r.plrs! - 0.4) < 1e-12);
});
