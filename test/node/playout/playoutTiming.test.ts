import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  algorithmicDelaySec,
  lipsDelaySec,
  ARRIVAL_WINDOW_BLOCKS,
  livePlayoutMargin,
  MicLagEstimator,
  MIN_PLAYOUT_MARGIN_SEC,
  playbackDelaySec,
  playoutModeOf,
  resolveLatencyHead,
  START_BLOCKS,
  START_PLAYOUT_MARGIN_SEC,
  WINDOW_AND_CHUNK_SEC,
} from '../../../src/playout/playoutTiming.ts';

const INFO = { lookaheadMs: 100, outputsPerRun: 3, frameRateHz: 50 };

describe('playoutTiming', () => {
  test('the algorithmic delay: look-ahead + a 25 ms window + a 10 ms chunk + the batch wait', () => {
    assert.ok(Math.abs(WINDOW_AND_CHUNK_SEC - 0.035) < 1e-12);
    // 0.1 + 0.035 + 2 frames of 20 ms
    assert.ok(Math.abs(algorithmicDelaySec(INFO) - 0.175) < 1e-12);
    assert.ok(Math.abs(algorithmicDelaySec({ ...INFO, outputsPerRun: 1 }) - 0.135) < 1e-12);
  });

  test('the playback delay adds the smoothing lead and the margin, or is 0 without compensation', () => {
    const on = { audioDelayCompensation: true, processingMarginMs: 80 };
    assert.ok(Math.abs(playbackDelaySec(INFO, 0.03, on) - (0.175 + 0.03 + 0.08)) < 1e-12);
    assert.equal(playbackDelaySec(INFO, 0.03, { ...on, audioDelayCompensation: false }), 0);
  });

  test('a played source gets playback mode, anything else live', () => {
    assert.equal(playoutModeOf({ playback: true }), 'playback');
    assert.equal(playoutModeOf({ playback: false }), 'live');
  });

  test('the latency head: explicit modes pass through; auto follows whether the sound waits for the lips', () => {
    for (const head of ['live', 'balanced', 'playback'] as const) {
      assert.equal(resolveLatencyHead(head, 'live'), head);
      assert.equal(resolveLatencyHead(head, 'playback', false), head);
    }
    assert.equal(resolveLatencyHead('auto', 'live'), 'live');
    assert.equal(resolveLatencyHead('auto', 'playback'), 'playback');
    assert.equal(resolveLatencyHead('auto', 'playback', false), 'live', 'a played source heard undelayed');
  });

  test('the live margin: the arrival jitter, at least the floor; larger while the window is young', () => {
    assert.deepEqual(livePlayoutMargin(0.001, START_BLOCKS - 1), {
      marginSec: START_PLAYOUT_MARGIN_SEC,
      reason: 'start',
    });
    assert.deepEqual(livePlayoutMargin(0.05, 1), { marginSec: 0.05, reason: 'start' });
    assert.deepEqual(livePlayoutMargin(0.001, START_BLOCKS), {
      marginSec: MIN_PLAYOUT_MARGIN_SEC,
      reason: 'floor',
    });
    assert.deepEqual(livePlayoutMargin(0.03, START_BLOCKS), { marginSec: 0.03, reason: 'arrival-jitter' });
  });

  test('mic lag: a quiet machine plays at the fastest arrival plus the floor, with no fixed start lag', () => {
    const lag = new MicLagEstimator();
    assert.equal(lag.playoutTimeSec(5), 5, 'nothing to show before the first block');
    // One block per 20 ms output, each arriving 80 ms (± 1 ms) after its newest frame.
    let t = 10;
    for (let i = 0; i < 50; i++, t += 0.02) lag.update(t, t - 0.08 - (i % 2) * 0.001);
    assert.equal(lag.reason, 'floor');
    assert.ok(Math.abs(lag.lagSec - (0.08 + MIN_PLAYOUT_MARGIN_SEC)) < 1e-9, `lag ${lag.lagSec}`);
    assert.ok(Math.abs(lag.playoutTimeSec(20) - (20 - lag.lagSec)) < 1e-12);
    assert.deepEqual(lag.margin(), {
      marginMs: MIN_PLAYOUT_MARGIN_SEC * 1000,
      arrivalJitterMs: lag.arrivalJitterSec * 1000,
      reason: 'floor',
    });
  });

  test('mic lag: late blocks raise the margin to their jitter; it shrinks back once they leave the window', () => {
    const lag = new MicLagEstimator();
    let t = 10;
    // Every 10th block arrives 40 ms late (10 % of blocks: above the 95th percentile's 5 %).
    for (let i = 0; i < ARRIVAL_WINDOW_BLOCKS; i++, t += 0.02)
      lag.update(t, t - 0.08 - (i % 10 === 0 ? 0.04 : 0));
    assert.equal(lag.reason, 'arrival-jitter');
    assert.ok(Math.abs(lag.marginSec - 0.04) < 1e-9, `margin ${lag.marginSec}`);
    assert.ok(Math.abs(lag.lagSec - 0.12) < 1e-9);
    // The load is gone: after one window of punctual blocks the margin is the floor again.
    for (let i = 0; i < ARRIVAL_WINDOW_BLOCKS; i++, t += 0.02) lag.update(t, t - 0.08);
    assert.equal(lag.reason, 'floor');
    assert.ok(Math.abs(lag.lagSec - 0.085) < 1e-9);
  });

  test('mic lag: the first blocks keep the start margin; non-finite times are ignored', () => {
    const lag = new MicLagEstimator();
    lag.update(2, 1.9);
    assert.equal(lag.reason, 'start');
    assert.ok(Math.abs(lag.lagSec - (0.1 + START_PLAYOUT_MARGIN_SEC)) < 1e-9);
    lag.update(NaN, 1.9);
    assert.equal(lag.blocks, 1);
  });

  test('the lips delay: the user delay (non-finite is 0) plus the correction', () => {
    assert.equal(lipsDelaySec(40, null), 0.04);
    assert.equal(lipsDelaySec(NaN, null), 0);
    assert.ok(Math.abs(lipsDelaySec(40, -15) - 0.025) < 1e-12);
    assert.equal(lipsDelaySec(Infinity, 0), 0);
  });
});
