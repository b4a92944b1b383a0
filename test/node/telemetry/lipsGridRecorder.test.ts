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

test('gaps longer than maxHoldSec are left missing; nothing before setGrid', () => {
  const r = new LipsGridRecorder({ valuesPerFrame: 1, maxGapSec: 0.1, maxHoldSec: 0.3 });
  r.record(0, [0]);
  assert.equal(r.latestIndex, -1);
  r.setGrid(0, 0.02);
  r.record(0.0, [0]);
  r.record(0.05, [5]);
  r.record(0.5, [50]); // a stalled render (hidden tab): not filled
  r.record(0.53, [53]);
  assert.ok(r.has(2) && !r.has(10) && !r.has(25) && r.has(26));
  assert.equal(r.frame(10), null);
});

test('a slow renderer (4 fps): each rendered frame is held on the grid until the next one', () => {
  const r = new LipsGridRecorder({ valuesPerFrame: 1 }); // defaults: interpolate ≤ 0.1 s, hold ≤ 1 s
  r.setGrid(0, 0.02);
  r.record(0.01, [1]);
  r.record(0.26, [2]);
  r.record(0.51, [3]);
  const at = (j: number) => r.frame(j)?.[0];
  assert.deepEqual([at(1), at(12), at(13), at(25)], [1, 1, 2, 2]);
  assert.equal(r.latestIndex, 25); // 0.52 s is after the newest render

  r.record(0.6, [4]); // back to a normal frame rate: interpolated again
  assert.ok(Math.abs(at(28)! - (3 + (0.56 - 0.51) / 0.09)) < 1e-6);
});
