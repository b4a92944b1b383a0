import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryAggregator } from '../../../src/telemetry/telemetryAggregator.ts';
import type { ITelemetrySystem } from '../../../src/telemetry/telemetrySystem.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';

const DT = 0.02;
const SHIFTS = Array.from({ length: 51 }, (_, i) => (i - 25) * 10);
const SYSTEM: ITelemetrySystem = {
  inference: { generator: { p50Ms: 1, p95Ms: 2, runs: 10 } },
  backend: 'wasm',
  backends: { generator: { backend: 'wasm', reason: 'software-adapter', detail: 'SwiftShader' } },
  wasmThreads: 1,
  droppedChunks: 0,
  queueDepth: 0,
  workerRestarts: 1,
  workerGapMs: 420,
};

/**
 * A session: `utterances` of speech ([start s, end s, rms, mouth amplitude m]) in silence; frames
 * arrive in 100 ms blocks, the avatar renders at 60 Hz, telemetry ticks every 250 ms, and the
 * "worker" scores every window with a curve peaking at `offsetMs`.
 */
function run(
  utterances: [number, number, number, number][],
  durationSec: number,
  offsetMs = 100,
  leadSec = 0.3,
) {
  const agg = new TelemetryAggregator();
  agg.setSystem(SYSTEM);
  const samples: { at: number; s: ITelemetrySample }[] = [];
  const speechAt = (t: number) => utterances.find(([a, b]) => t >= a && t < b);
  const t0 = 5; // audio-clock time of frame 0
  let nextBlock = 0;
  let nextTick = 0.25;
  const lips = new Float32Array(63);
  for (let t = 0; t < durationSec; t += 1 / 60) {
    while (nextBlock * DT < t + leadSec) {
      const rms = Array.from({ length: 5 }, (_, f) => speechAt((nextBlock + f) * DT)?.[2] ?? 0);
      agg.onFrames(t0 + nextBlock * DT, DT, rms);
      nextBlock += 5;
    }
    const u = speechAt(t);
    lips.fill(0);
    const open = u ? u[3] * (0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t)) : 0;
    for (const p of [8, 9, 10, 11, 12]) lips[p * 3 + 1] = -open;
    agg.recordFrame(t0 + t, lips, 0.2);
    if (t >= nextTick) {
      nextTick += 0.25;
      const req = agg.scoreRequest();
      if (req) {
        const windows = [];
        for (let a = Math.ceil(req.firstFrame / 10) * 10; a + 10 <= req.firstFrame + req.frames; a += 10) {
          const sims = Float32Array.from(
            SHIFTS,
            (s) => 0.1 + 0.4 * Math.exp(-0.5 * ((s - offsetMs) / 50) ** 2),
          );
          windows.push({ startFrame: a, similarities: sims });
        }
        agg.addScores({ shiftsMs: SHIFTS, windows });
      }
      for (const s of agg.takeSamples()) samples.push({ at: t, s });
    }
  }
  for (const s of agg.flush()) samples.push({ at: durationSec, s });
  return samples;
}

function assertNoNaN(s: ITelemetrySample): void {
  for (const [k, v] of Object.entries(s)) {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${k} = ${v}`);
  }
}

test('nothing from silence', () => {
  assert.deepEqual(run([], 3), []);
});

test('live samples a few times per second during speech, an utterance summary after it ends', () => {
  const samples = run([[1, 2.5, 0.1, 0.004]], 5);
  const live = samples.filter((x) => x.s.kind === 'live');
  const utt = samples.filter((x) => x.s.kind === 'utterance');
  assert.ok(live.length >= 5 && live.length <= 9, `live samples: ${live.length}`);
  for (const { at } of live)
    assert.ok(at >= 1 && at < 2.5 + 0.3 + 0.3, `live sample at ${at} s (outside speech)`);
  assert.equal(utt.length, 1);
  const u = utt[0].s;
  assertNoNaN(u);
  samples.forEach((x) => assertNoNaN(x.s));
  assert.ok(Math.abs(u.avOffsetMs! - 100) < 5, `offset ${u.avOffsetMs}`);
  assert.ok(u.avOffsetConfidence > 0.5 && u.avOffsetWarning);
  assert.ok(Math.abs(u.plrs! - (0.1 + 0.4 * Math.exp(-2))) < 1e-3);
  assert.ok(Math.abs(u.speechIntensityDb! - -20) < 0.5, `SI ${u.speechIntensityDb} dBFS`);
  // 5 of 21 points move 2 mm · sin(2π·4 t): RMS speed 2·2π·4·√½ · 5/21 ≈ 8.4 mm/s.
  assert.ok(Math.abs(u.lipIntensityMmPerSec! - 8.4) < 0.6, `LI ${u.lipIntensityMmPerSec}`);
  assert.equal(u.slcc, null, 'one utterance: no SLCC yet');
  assert.ok(Math.abs(u.latencyMs! - 200) < 1e-3);
  assert.equal(u.backend, 'wasm');
  assert.equal(u.backendReason, 'software-adapter');
  assert.equal(u.workerRestarts, 1, 'restart counters pass through');
  assert.equal(u.workerGapMs, 420);
  assert.ok(u.timeSec > 5 + 2.4 && u.timeSec < 5 + 2.6, `summary time ${u.timeSec}`);
  assert.ok(u.scoredWindows >= 5);
  // The first live samples come before enough windows are scored: null, not NaN.
  assert.equal(live[0].s.avOffsetMs, null);
  assert.equal(live[0].s.avOffsetConfidence, 0);
});

test('rolling SLCC appears with the third utterance and follows louder → wider', () => {
  const samples = run(
    [
      [0.5, 1.5, 0.02, 0.001],
      [2.5, 3.5, 0.05, 0.003],
      [4.5, 5.5, 0.1, 0.006],
      [6.5, 7.5, 0.2, 0.008],
    ],
    9,
  );
  const utt = samples.filter((x) => x.s.kind === 'utterance').map((x) => x.s);
  assert.equal(utt.length, 4);
  assert.deepEqual(
    utt.map((u) => u.slcc === null),
    [true, true, false, false],
  );
  assert.ok(utt[3].slcc! > 0.9, `SLCC ${utt[3].slcc}`);
});

test('flush closes an utterance cut off by stop', () => {
  const samples = run([[1, 10, 0.1, 0.004]], 2);
  assert.equal(samples.at(-1)!.s.kind, 'utterance');
});

test('frames whose speech RMS arrives late (a slow generator) are gated when it arrives, not as silence', () => {
  const samples = run([[1, 2.5, 0.1, 0.004]], 5, 100, -0.4);
  const utt = samples.filter((x) => x.s.kind === 'utterance');
  assert.equal(utt.length, 1);
  assert.ok(Math.abs(utt[0].s.speechIntensityDb! - -20) < 0.5);
  assert.ok(samples.filter((x) => x.s.kind === 'live').length >= 5);
});
