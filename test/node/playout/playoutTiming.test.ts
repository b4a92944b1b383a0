import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  algorithmicDelaySec,
  lipsDelaySec,
  MIC_LAG_RELEASE,
  MicLagEstimator,
  playbackDelaySec,
  playoutModeOf,
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

  test('mic lag: attacks at once, releases by MIC_LAG_RELEASE per block', () => {
    const lag = new MicLagEstimator();
    assert.equal(lag.lagSec, 0.1);
    assert.ok(Math.abs(lag.update(10, 9.7) - 0.3) < 1e-12, 'a later block raises the lag at once');
    const released = lag.update(10, 9.95);
    assert.ok(Math.abs(released - (0.3 * MIC_LAG_RELEASE + 0.05 * (1 - MIC_LAG_RELEASE))) < 1e-12);
    for (let i = 0; i < 200; i++) lag.update(10, 9.95);
    assert.ok(Math.abs(lag.lagSec - 0.05) < 1e-3, `after a few seconds of blocks: ${lag.lagSec}`);
    assert.ok(Math.abs(lag.playoutTimeSec(20) - (20 - lag.lagSec - 0.01)) < 1e-12);
  });

  test('the lips delay: the user delay (non-finite is 0) plus the correction', () => {
    assert.equal(lipsDelaySec(40, null), 0.04);
    assert.equal(lipsDelaySec(NaN, null), 0);
    assert.ok(Math.abs(lipsDelaySec(40, -15) - 0.025) < 1e-12);
    assert.equal(lipsDelaySec(Infinity, 0), 0);
  });
});
