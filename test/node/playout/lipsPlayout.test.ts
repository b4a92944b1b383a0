import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LipsPlayout } from '../../../src/playout/lipsPlayout.ts';
import { createAudioClock } from '../../../src/playout/audioClock.ts';
import { applyIntensity } from '../../../src/playout/applyIntensity.ts';

const neutral = new Float32Array([0, 0, 0]);
const frame = (timeSec: number, value: number) => ({ timeSec, points: new Float32Array(3).fill(value) });

describe('LipsPlayout', () => {
  test('rest before any frame, then plays the frame for the clock time', () => {
    const p = new LipsPlayout(neutral, { smoothingTimeConstantMs: 0 });
    const out = new Float32Array(3);
    assert.equal(p.sample(0.5, out), 'rest');
    assert.deepEqual(Array.from(out), [0, 0, 0]);
    p.push(frame(1.0, 2));
    p.push(frame(1.02, 4));
    assert.equal(p.sample(0.99, out), 'rest', 'frames only from the future: still rest');
    assert.equal(p.sample(1.01, out), 'playing');
    assert.ok(Math.abs(out[0] - 3) < 1e-5);
  });

  test('eases to neutral when no frame covers the clock for longer than holdMs', () => {
    const p = new LipsPlayout(neutral, { smoothingTimeConstantMs: 0, holdMs: 100, easeMs: 200 });
    const out = new Float32Array(3);
    p.push(frame(1.0, 2));
    assert.equal(p.sample(1.0, out), 'playing');
    assert.equal(p.sample(1.09, out), 'playing');
    assert.equal(out[0], 2);
    assert.equal(p.sample(1.2, out), 'easing');
    assert.ok(out[0] < 2 && out[0] > 0);
    assert.equal(p.sample(1.31, out), 'rest');
    assert.equal(out[0], 0);
    // Speech resumes: frames cover the clock again.
    p.push(frame(1.4, 5));
    assert.equal(p.sample(1.4, out), 'playing');
    assert.equal(out[0], 5);
  });

  test('coveredSec: the clock time shown, or the newest frame while later frames are late', () => {
    const p = new LipsPlayout(neutral, { smoothingTimeConstantMs: 0 });
    const out = new Float32Array(3);
    assert.equal(p.coveredSec, -Infinity);
    p.push(frame(1.0, 2));
    p.push(frame(1.02, 4));
    p.sample(1.01, out);
    assert.equal(p.coveredSec, 1.01);
    p.sample(1.07, out); // nothing after 1.02 yet: 1.02 is held, 50 ms behind the clock
    assert.equal(p.coveredSec, 1.02);
    assert.equal(out[0], 4);
  });

  test('intensity scales the displacement from neutral; smoothing follows timestamps', () => {
    const p = new LipsPlayout(new Float32Array([1, 1, 1]), { smoothingTimeConstantMs: 0, intensity: 0.5 });
    p.push(frame(0, 3));
    const out = new Float32Array(3);
    p.sample(0, out);
    assert.equal(out[0], 2);
    assert.deepEqual(Array.from(applyIntensity([3, 1], [1, 1], 2, new Float32Array(2))), [5, 1]);

    const s = new LipsPlayout(neutral, { smoothingTimeConstantMs: 20 });
    s.push(frame(0, 0));
    s.push(frame(0.1, 0));
    s.push(frame(0.12, 1));
    s.sample(0, out);
    s.sample(0.12, out);
    assert.ok(out[0] > 0 && out[0] < 1, `smoothed: ${out[0]}`);
  });

  test('audio clock subtracts output latency (or base latency) unless told not to', () => {
    const ctx = { currentTime: 10, outputLatency: 0.04, baseLatency: 0.01 };
    assert.ok(Math.abs(createAudioClock(ctx).now() - 9.96) < 1e-12);
    assert.ok(Math.abs(createAudioClock({ currentTime: 10, baseLatency: 0.01 }).now() - 9.99) < 1e-12);
    assert.equal(createAudioClock(ctx, { compensateOutputLatency: false, offsetSec: 0.5 }).now(), 10.5);
    ctx.currentTime = 11;
    assert.ok(Math.abs(createAudioClock(ctx).now() - 10.96) < 1e-12, 'reads the context on every call');
  });
});
