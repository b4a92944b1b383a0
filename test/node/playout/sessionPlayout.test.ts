import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { playbackDelaySec, START_PLAYOUT_MARGIN_SEC } from '../../../src/playout/playoutTiming.ts';
import { SessionPlayout } from '../../../src/playout/sessionPlayout.ts';

const INFO = { lookaheadMs: 100, outputsPerRun: 1, frameRateHz: 50 };
const OPTIONS = { intensity: 1, smoothingMs: 0, audioDelayCompensation: true, processingMarginMs: 80 };
const block = (first: number, values: number[], rms = 0.1) => ({
  frames: values.length,
  firstTimeSec: first,
  frameDurationSec: 0.02,
  displacements: Float32Array.from(values.flatMap((v) => [v, v, v])),
  speechRms: values.map(() => rms),
});

describe('SessionPlayout', () => {
  test('a played source is heard delaySec late and its lips follow the heard time', () => {
    const ctx = { currentTime: 0 };
    const p = new SessionPlayout(ctx, 'playback', INFO, 3, OPTIONS);
    assert.equal(p.delaySec, playbackDelaySec(INFO, 0, OPTIONS));
    assert.deepEqual(p.margin(), { marginMs: 80, arrivalJitterMs: null, reason: 'processing-margin' });
    p.onBlock(block(1, [1, 2, 3, 4]));
    ctx.currentTime = 1.02 + p.delaySec;
    const out = new Float32Array(3);
    // A user delay of 20 ms shows the frame before the one heard.
    p.sample(1, 20, null, out);
    assert.ok(Math.abs(out[0] - 1) < 1e-5);
    const at = p.sample(1, 0, null, out);
    assert.ok(Math.abs(at.nowSec - 1.02) < 1e-9);
    assert.equal(at.state, 'playing');
    assert.ok(Math.abs(out[0] - 2) < 1e-5);
  });

  test('a live source is not delayed and plays as far behind as frames arrive', () => {
    const ctx = { currentTime: 2 };
    const p = new SessionPlayout(ctx, 'live', INFO, 3, OPTIONS);
    assert.equal(p.delaySec, 0);
    p.onBlock(block(1.7, [1, 2, 3, 4, 5]));
    // The first block: its arrival lag (newest frame 1.78 s at 2 s) plus the start margin.
    assert.ok(Math.abs(p.micLag.lagSec - (0.22 + START_PLAYOUT_MARGIN_SEC)) < 1e-9);
    const at = p.sample(1, 0, null, new Float32Array(3));
    assert.ok(Math.abs(at.nowSec - (2 - 0.22 - START_PLAYOUT_MARGIN_SEC)) < 1e-9);
    assert.deepEqual(p.margin(), {
      marginMs: START_PLAYOUT_MARGIN_SEC * 1000,
      arrivalJitterMs: 0,
      reason: 'start',
    });
  });

  test('interrupt and suspend make earlier speech stale; silent frames rest', () => {
    const ctx = { currentTime: 0 };
    const p = new SessionPlayout(ctx, 'playback', INFO, 3, OPTIONS);
    p.interrupt(5);
    p.onBlock(block(4.9, [7, 7, 7, 7, 7, 7, 7, 7]));
    assert.equal(p.playout.buffer.size, 3, 'frames from 5.0 s on');
    p.suspend();
    assert.equal(p.playout.buffer.size, 0);
    ctx.currentTime = 6;
    p.suspend();
    assert.equal(p.staleBeforeSec, 6);
    p.onBlock(block(6, [3, 3], 0));
    const out = new Float32Array(3).fill(9);
    ctx.currentTime = 6.01 + p.delaySec;
    p.sample(1, 0, null, out);
    assert.deepEqual(Array.from(out), [0, 0, 0], 'digital silence shows neutral');
  });
});
