import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LipsPlayout } from '../../../src/playout/lipsPlayout.ts';
import { createAudioClock } from '../../../src/playout/audioClock.ts';
import { applyIntensity } from '../../../src/playout/applyIntensity.ts';

const frame = (timeSec: number, value: number) => ({
  timeSec,
  displacements: new Float32Array(3).fill(value),
});

describe('LipsPlayout', () => {
  test('rest before any frame, then plays the frame for the clock time', () => {
    const p = new LipsPlayout(3, { smoothingTimeConstantMs: 0 });
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
    const p = new LipsPlayout(3, { smoothingTimeConstantMs: 0, holdMs: 100, easeMs: 200 });
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
    const p = new LipsPlayout(3, { smoothingTimeConstantMs: 0 });
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
    const p = new LipsPlayout(3, { smoothingTimeConstantMs: 0, intensity: 0.5 });
    p.push(frame(0, 3));
    const out = new Float32Array(3);
    p.sample(0, out);
    assert.equal(out[0], 1.5, 'the rest pose is zero: the gain is a plain multiply');
    assert.deepEqual(Array.from(applyIntensity([3, -1], 2, new Float32Array(2))), [6, -2]);

    const s = new LipsPlayout(3, { smoothingTimeConstantMs: 20 });
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
  test('interrupt(): queued frames are dropped and the mouth eases to rest within 100 ms, smoothing on', () => {
    // The behavior's settings: 20 ms smoothing, 60 Hz renders, an 80 ms ease after an interrupt.
    const p = new LipsPlayout(3, { smoothingTimeConstantMs: 20 });
    const out = new Float32Array(3);
    for (let k = 0; k <= 50; k++) p.push(frame(1 + k * 0.02, 10)); // 1 s of open mouth queued
    let t = 1;
    for (; t < 1.3; t += 1 / 60) p.sample(t, out);
    assert.ok(Math.abs(out[0] - 10) < 0.01, 'open before the cut');
    const cut = t;
    p.interrupt(cut, 80);
    const trace: [number, number, string][] = [];
    let previous = out[0];
    let largestStep = 0;
    for (; t < cut + 0.2; t += 1 / 60) {
      const state = p.sample(t, out);
      trace.push([t - cut, out[0], state]);
      largestStep = Math.max(largestStep, Math.abs(out[0] - previous));
      previous = out[0];
    }
    const at100 = trace.filter(([dt]) => dt >= 0.1);
    assert.ok(
      at100.every(([, v]) => Math.abs(v) < 1e-6),
      `at rest from 100 ms after the cut: ${JSON.stringify(trace.map(([dt, v]) => [+dt.toFixed(3), +v.toFixed(3)]))}`,
    );
    assert.equal(trace[trace.length - 1][2], 'rest');
    assert.ok(
      largestStep < 4,
      `an ease, not a jump (largest step per render ${largestStep.toFixed(2)} of 10)`,
    );
    // No stale frame: the queued open-mouth frames (up to 2 s) never come back.
    assert.ok(trace.every(([dt, v]) => dt < 0.05 || v < 5));
    // The next utterance plays as soon as its frames cover the clock.
    p.push(frame(t + 0.1, -6));
    p.push(frame(t + 0.12, -6));
    for (let u = t; u < t + 0.25; u += 1 / 60) p.sample(u, out);
    assert.ok(Math.abs(out[0] + 6) < 0.05, `next utterance shown: ${out[0]}`);
  });

  test('interrupt() before any frame keeps the rest pose', () => {
    const p = new LipsPlayout(3, { smoothingTimeConstantMs: 20 });
    const out = new Float32Array(3);
    p.interrupt(1, 80);
    assert.equal(p.sample(1.01, out), 'rest');
    assert.deepEqual(Array.from(out), [0, 0, 0]);
  });
});
