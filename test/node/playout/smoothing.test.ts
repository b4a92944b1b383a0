import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Smoothing, smoothingLagSec } from '../../../src/playout/smoothing.ts';

describe('Smoothing', () => {
  test('first update snaps; a step then converges monotonically without overshoot', () => {
    const s = new Smoothing(2, { timeConstantMs: 20 });
    const out = new Float64Array(2);
    s.update([0, 5], 0, out);
    assert.deepEqual(Array.from(out), [0, 5]);
    let prev = 0;
    for (let k = 1; k <= 30; k++) {
      s.update([1, 5], k / 60, out);
      assert.ok(out[0] >= prev - 1e-12, 'monotone');
      assert.ok(out[0] <= 1, `no overshoot at step ${k}: ${out[0]}`);
      assert.equal(out[1], 5);
      prev = out[0];
    }
    assert.ok(out[0] > 0.999, `converged: ${out[0]}`);
    // After 1 time constant a critically damped step reaches 1 − 2/e ≈ 0.264.
    const t = new Smoothing(1, { timeConstantMs: 20 });
    const o = new Float64Array(1);
    t.update([0], 0, o);
    t.update([1], 0.02, o);
    assert.ok(Math.abs(o[0] - (1 - 2 / Math.E)) < 1e-9);
  });

  test('result does not depend on the update rate', () => {
    const a = new Smoothing(1);
    const b = new Smoothing(1);
    const oa = new Float64Array(1);
    const ob = new Float64Array(1);
    a.update([0], 0, oa);
    b.update([0], 0, ob);
    for (let k = 1; k <= 12; k++) a.update([1], k * 0.005, oa);
    for (let k = 1; k <= 3; k++) b.update([1], k * 0.02, ob);
    assert.ok(Math.abs(oa[0] - ob[0]) < 1e-9);
  });

  test('time constant 0, long gaps and time going backwards snap to the target', () => {
    const off = new Smoothing(1, { timeConstantMs: 0 });
    const o = new Float64Array(1);
    off.update([0], 0, o);
    off.update([3], 0.01, o);
    assert.equal(o[0], 3);
    const s = new Smoothing(1, { resetAfterSec: 0.5 });
    s.update([0], 0, o);
    s.update([2], 1, o);
    assert.equal(o[0], 2);
    s.update([4], 0.9, o);
    assert.equal(o[0], 4);
  });
});

test('smoothingLagSec is how far the smoothed output trails a ramp (what played sources sample ahead)', () => {
  const s = new Smoothing(1, { timeConstantMs: 20 });
  const out = new Float64Array(1);
  for (let k = 0; k <= 120; k++) s.update([k / 60], k / 60, out); // 1 unit per second, 2 s at 60 Hz
  const lagSec = 120 / 60 - out[0];
  assert.ok(
    Math.abs(lagSec - smoothingLagSec(20, 1 / 60)) < 1e-4,
    `ramp lag ${lagSec} s vs ${smoothingLagSec(20, 1 / 60)} s`,
  );
  assert.equal(smoothingLagSec(0, 1 / 60), 0);
});
