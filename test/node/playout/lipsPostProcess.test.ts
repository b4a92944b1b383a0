import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  gatedFrame,
  gateSilentFrames,
  LipsPostProcessor,
  StreamedSilenceGate,
} from '../../../src/playout/lipsPostProcess.ts';
import { DEFAULT_SMOOTHING_MS, smoothingLagSec } from '../../../src/playout/smoothing.ts';

const rest = new Float32Array(3);

describe('LipsPostProcessor', () => {
  test('gain scales the displacement from neutral; without smoothing the gained frame comes out', () => {
    const p = new LipsPostProcessor(3, { intensity: 2, smoothingMs: 0 });
    const out = p.process(new Float32Array([2, -1, 0]), 0, new Float32Array(3));
    assert.deepEqual(Array.from(out), [4, -2, 0]);
    assert.equal(p.leadSec, 0);
  });

  test('smoothing follows a step with the spring and the lead is its lag at the update interval', () => {
    const p = new LipsPostProcessor(3, { updateIntervalSec: 1 / 60 });
    assert.equal(p.leadSec, smoothingLagSec(DEFAULT_SMOOTHING_MS, 1 / 60));
    assert.ok(p.leadSec > 0.03 && p.leadSec < 0.035);
    p.process(new Float32Array([1, 2, 3]), 0);
    const v = p.process(new Float32Array([2, 2, 3]), 0.02);
    assert.ok(v[0] > 1 && v[0] < 2, `part way: ${v[0]}`);
    p.restart(new Float32Array([5, 5, 5]), 0.04);
    assert.deepEqual(Array.from(p.process(new Float32Array([5, 5, 5]), 0.05)), [5, 5, 5]);
  });

  test('rejects a non-finite gain', () => {
    assert.throws(() => new LipsPostProcessor(3, { intensity: NaN }), RangeError);
  });
});

describe('silence gate', () => {
  test('silent frames (below −80 dBFS, or non-finite) show the rest pose: zero displacement', () => {
    const points = Float32Array.from({ length: 12 }, (_, i) => 10 + i);
    assert.equal(gatedFrame(points, 1, 0.5, rest)[0], 13);
    assert.equal(gatedFrame(points, 1, 1e-5, rest), rest);
    gateSilentFrames(points, [0.5, 0, NaN, 1e-4], 3);
    assert.deepEqual(Array.from(points), [10, 11, 12, 0, 0, 0, 0, 0, 0, 19, 20, 21]);
  });

  test('streamed: frame energies over the whole-file framing, whatever the step sizes', () => {
    const gate = new StreamedSilenceGate(4, 3);
    // frames: loud, silent, loud (split across steps), silent
    gate.addSamples([1, -1, 1]);
    gate.addSamples([-1, 0, 0, 0, 0, 0.5]);
    gate.addSamples([0.5, 0, 0, 0, 0, 0]);
    const a = gate.gateNext(
      Float32Array.from({ length: 6 }, () => 9),
      2,
    );
    assert.deepEqual(Array.from(a), [9, 9, 9, 0, 0, 0]);
    gate.addSamples([0, 0]);
    const b = gate.gateNext(
      Float32Array.from({ length: 6 }, () => 9),
      2,
    );
    assert.deepEqual(Array.from(b), [9, 9, 9, 0, 0, 0]);
    assert.throws(() => new StreamedSilenceGate(0, 3), RangeError);
  });
});
