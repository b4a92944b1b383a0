import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LipsGridRecorder } from '../../../src/telemetry/lipsGridRecorder.ts';

test('60 Hz render samples of a linear ramp land exactly on the 50 fps grid', () => {
  const r = new LipsGridRecorder({ valuesPerFrame: 1 });
  r.setGrid(10, 0.02);
  for (let t = 10; t <= 11; t += 1 / 60) r.record(t, [t]);
  assert.ok(r.latestIndex >= 49);
  for (let j = 1; j <= r.latestIndex; j++)
    assert.ok(Math.abs(r.frame(j)![0] - r.timeOf(j)) < 1e-4, `frame ${j}`);
  assert.equal(r.indexOf(10.5), 25);
});

test('gaps longer than maxGapSec are left missing; nothing before setGrid', () => {
  const r = new LipsGridRecorder({ valuesPerFrame: 1, maxGapSec: 0.1 });
  r.record(0, [0]);
  assert.equal(r.latestIndex, -1);
  r.setGrid(0, 0.02);
  r.record(0.0, [0]);
  r.record(0.05, [5]);
  r.record(0.5, [50]); // a stalled render: not interpolated
  r.record(0.53, [53]);
  assert.ok(r.has(2) && !r.has(10) && !r.has(25) && r.has(26));
  assert.equal(r.frame(10), null);
});
