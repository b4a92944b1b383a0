import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SHIFT_STEP_MS,
  TelemetryScorer,
  type ITelemetryEncoderRunners,
} from '../../../src/telemetry/telemetryScorer.ts';
import { aggregateWindowScores } from '../../../src/telemetry/aggregateWindowScores.ts';
import { estimateAvOffset } from '../../../src/telemetry/estimateAvOffset.ts';

const MELS = 4;
const S = 20;
const W = 10;

/** Seeded white noise: the "speech" carried in mel band 0. */
function noise(n: number, seed = 5): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 16807) % 2147483647;
    out[i] = seed / 2147483647 - 0.5;
  }
  return out;
}

/**
 * Fake encoders whose embeddings match exactly when the lips show the speech they were made from:
 * speech window p -> band 0 at mel frames p, p+2, …; mesh window -> value 0 of each lips frame.
 */
function fakeEncoders(calls: { speech: number; mesh: number }): ITelemetryEncoderRunners {
  return {
    async speech(batch, n) {
      calls.speech += n;
      const out = new Float32Array(n * W);
      for (let i = 0; i < n; i++) for (let f = 0; f < W; f++) out[i * W + f] = batch[(i * S + 2 * f) * MELS];
      return out;
    },
    async mesh(batch, n) {
      calls.mesh += n;
      const out = new Float32Array(n * W);
      for (let i = 0; i < n; i++) for (let f = 0; f < W; f++) out[i * W + f] = batch[(i * W + f) * 63];
      return out;
    },
  };
}

function setup(delayMelFrames: number, melFrames = 400, shiftStepMs = 10) {
  const speech = noise(melFrames + 100);
  const scorer = new TelemetryScorer({
    melBands: MELS,
    melFramesPerLipsFrame: 2,
    speechWindowFrames: S,
    meshWindowFrames: W,
    melHopMs: 10,
    shiftStepMs,
  });
  const mel = new Float32Array(melFrames * MELS);
  for (let i = 0; i < melFrames; i++) mel[i * MELS] = speech[i];
  // Lips frame j shows the speech of mel frame 2j − delay: lips late by delay·10 ms.
  const lipsFrames = melFrames / 2;
  const lips = new Float32Array(lipsFrames * 63);
  for (let j = 0; j < lipsFrames; j++) lips[j * 63] = speech[Math.max(0, 2 * j - delayMelFrames)];
  return { scorer, mel, lips, lipsFrames };
}

test('recovers a known lips delay (100 ms) through scores → curve → offset', async () => {
  const { scorer, mel, lips, lipsFrames } = setup(10);
  scorer.appendMel(0, mel, 400);
  const calls = { speech: 0, mesh: 0 };
  // 370 speech windows are needed; one call encodes at most 256 (newest first), the next the rest.
  const firstCall = await scorer.scoreAsync(0, lipsFrames, lips, fakeEncoders(calls));
  assert.equal(calls.speech, 256);
  assert.ok(firstCall.length < 16 && firstCall.at(-1)!.startFrame === 170);
  const windows = await scorer.scoreAsync(0, lipsFrames, lips, fakeEncoders(calls));
  assert.equal(windows.length, 16, 'a = 20 … 170: their speech ±250 ms lies inside the 4 s');
  assert.deepEqual(scorer.shiftsMs.slice(0, 2), [-250, -240]);
  assert.equal(scorer.shiftsMs[scorer.zeroShiftIndex], 0);
  const agg = aggregateWindowScores(windows.slice(2), scorer.zeroShiftIndex);
  const r = estimateAvOffset(agg.curve!, scorer.shiftsMs)!;
  assert.ok(Math.abs(r.offsetMs - 100) < 5, `offset ${r.offsetMs}`);
  assert.ok(r.confidence > 0.5, `confidence ${r.confidence}`);
  assert.ok(agg.plrs! < 0.5, 'the zero-shift similarity of delayed lips is low');
});

test('windows wait for the speech ±250 ms around them; embeddings are cached', async () => {
  const { scorer, mel, lips } = setup(0);
  scorer.appendMel(0, mel.subarray(0, 100 * MELS), 100); // speech up to 1 s
  const calls = { speech: 0, mesh: 0 };
  const enc = fakeEncoders(calls);
  const first = await scorer.scoreAsync(0, 50, lips.subarray(0, 50 * 63), enc);
  // Window a needs mel frames [2a − 25, 2a + 45): a = 30 needs up to 105 > 100, and a = 0 needs −25.
  assert.deepEqual(
    first.map((w) => w.startFrame),
    [20],
  );
  const speechCalls = calls.speech;
  const again = await scorer.scoreAsync(0, 50, lips.subarray(0, 50 * 63), enc);
  assert.equal(calls.speech, speechCalls, 'no speech window is encoded twice');
  assert.equal(again.length, 1);
  scorer.appendMel(100, mel.subarray(100 * MELS, 200 * MELS), 100);
  const later = await scorer.scoreAsync(0, 50, lips.subarray(0, 50 * 63), enc);
  assert.deepEqual(
    later.map((w) => w.startFrame),
    [20, 30, 40],
  );
  assert.equal(calls.mesh, 3);
  assert.ok(later.every((w) => w.similarities.every(Number.isFinite)));
});

test('old speech leaves the history: windows older than 4 s are not scored; NaN lips are skipped', async () => {
  const { scorer, mel, lips } = setup(0);
  scorer.appendMel(0, mel, 400);
  scorer.appendMel(400, mel, 400); // history now holds mel frames [400, 800)
  const calls = { speech: 0, mesh: 0 };
  assert.equal((await scorer.scoreAsync(0, 100, lips.subarray(0, 100 * 63), fakeEncoders(calls))).length, 0);
  const bad = new Float32Array(50 * 63).fill(NaN);
  assert.equal((await scorer.scoreAsync(250, 50, bad, fakeEncoders(calls))).length, 0);
  assert.equal(calls.speech + calls.mesh, 0);
});

test('a 50 ms shift step encodes a fifth of the speech windows and still finds a delay on its grid', async () => {
  const fine = setup(10, 400, 10);
  const coarse = setup(10, 400, 50);
  assert.deepEqual(coarse.scorer.shiftsMs, [-250, -200, -150, -100, -50, 0, 50, 100, 150, 200, 250]);
  assert.equal(coarse.scorer.shiftsMs[coarse.scorer.zeroShiftIndex], 0);
  const counts = [];
  for (const { scorer, mel, lips, lipsFrames } of [fine, coarse]) {
    scorer.appendMel(0, mel, 400);
    const calls = { speech: 0, mesh: 0 };
    let windows = await scorer.scoreAsync(0, lipsFrames, lips, fakeEncoders(calls), 1000);
    assert.equal(windows.length, 16);
    windows = windows.slice(2);
    const r = estimateAvOffset(
      aggregateWindowScores(windows, scorer.zeroShiftIndex).curve!,
      scorer.shiftsMs,
    )!;
    assert.ok(Math.abs(r.offsetMs - 100) < 5, `offset ${r.offsetMs}`);
    counts.push(calls.speech);
  }
  // Speech windows start at 2a − s for the 16 windows a = 20 … 170 (stride 20 mel frames) and every shift s.
  assert.equal(counts[0], 20 * 15 + 51);
  assert.equal(counts[1], 4 * 15 + 11);
});

test('the shift step must be a whole number of mel hops', () => {
  const o = {
    melBands: 4,
    melFramesPerLipsFrame: 2,
    speechWindowFrames: 20,
    meshWindowFrames: 10,
    melHopMs: 10,
  };
  assert.throws(() => new TelemetryScorer({ ...o, shiftStepMs: 15 }), RangeError);
  assert.throws(() => new TelemetryScorer({ ...o, shiftStepMs: 0 }), RangeError);
  assert.equal(
    new TelemetryScorer(o).shiftsMs[1] - new TelemetryScorer(o).shiftsMs[0],
    DEFAULT_SHIFT_STEP_MS,
  );
});
