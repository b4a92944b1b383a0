import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricInputError, speechLipFrameCorrelation, toVertexSequence } from '../../../src/metrics/index.ts';

/** One moving point whose per-frame speed is `speeds[t]` (frame 0 at rest). */
function pointWithSpeeds(speeds: number[]) {
  let y = 0;
  const frames = [[[0, 0, 0]]];
  for (const s of speeds) {
    y += s;
    frames.push([[0, y, 0]]);
  }
  return toVertexSequence(frames);
}

test('speech RMS that follows mouth speed correlates at r = 1; sampling uses (t − ½)/fps', () => {
  const speeds = [1, 3, 2, 5, 4, 1, 2];
  const seq = pointWithSpeeds(speeds);
  // Envelope at 2× the frame rate, centred at 0: motion t sits at (t − ½)/fps → envelope index 2t − 1.
  const rms = new Array(2 * speeds.length + 2).fill(0);
  speeds.forEach((s, i) => (rms[2 * (i + 1) - 1] = 10 * s + 1));
  const r = speechLipFrameCorrelation({ rms, frameRateHz: 50 }, seq, 25, { indices: [0] });
  assert.ok(Math.abs((r as number) - 1) < 1e-12);
});

test('frames outside the speech envelope are skipped; constant motion gives null; NaN throws', () => {
  const seq = pointWithSpeeds([1, 1, 1]);
  assert.equal(
    speechLipFrameCorrelation({ rms: [1, 2, 3, 4, 5, 6, 7], frameRateHz: 50 }, seq, 25, { indices: [0] }),
    null,
  );
  assert.equal(speechLipFrameCorrelation({ rms: [], frameRateHz: 50 }, seq, 25, { indices: [0] }), null);
  assert.throws(
    () => speechLipFrameCorrelation({ rms: [NaN], frameRateHz: 50 }, seq, 25, { indices: [0] }),
    MetricInputError,
  );
});
