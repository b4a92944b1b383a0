// One post-processing chain (issue #17): live playout, the browser bake and the CLI bake turn the same
// generator output into the same frames. The generator is a seeded stand-in (no ONNX): its displacements
// and the audio's silence are what the three paths share.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURES_V1 } from '../../../src/features/featureSpec.ts';
import { generateLipsTrackAsync } from '../../../src/models/generateLipsTrack.ts';
import { lipsTrackToJson } from '../../../src/models/lipsTrackJson.ts';
import { LipsPlayout } from '../../../src/playout/lipsPlayout.ts';
import { gateSilentFrames, StreamedSilenceGate } from '../../../src/playout/lipsPostProcess.ts';
import { LIPS_V1 } from '../../../src/rig/lipsV1.ts';
import { solveLipsTrackToRig } from '../../../src/playout/solveLipsTrackToRig.ts';
import { generatorManifest } from '../models/generatorManifest.ts';
import { seededRandom, syntheticRig } from '../rig/syntheticRig.ts';

const SR = FEATURES_V1.sampleRateHz;
const GEN = generatorManifest({ melFramesPerOutputFrame: 2, frameRateHz: 50 });
const FPS = GEN.frameRateHz;
const SPAN = GEN.melFramesPerOutputFrame * FEATURES_V1.hopLengthSamples;
const SETTINGS = { intensity: 1.5, smoothingMs: 20 };

/** 2 s of noisy "speech" with a stretch of digital silence (zeros) and one far below −80 dBFS. */
function audio(): Float32Array {
  const rnd = seededRandom(7);
  const x = new Float32Array(2 * SR);
  for (let i = 0; i < x.length; i++) {
    const t = i / SR;
    const gain = t >= 0.5 && t < 0.8 ? 0 : t >= 1.2 && t < 1.4 ? 1e-6 : 0.2 * (1.2 + Math.sin(7 * t));
    x[i] = gain * (rnd() - 0.5);
  }
  return x;
}

/** The stand-in generator's displacements for output frame f (smooth, seeded, mm scale). */
function displacement(f: number, out: Float32Array, offset: number): void {
  for (let v = 0; v < 63; v++) out[offset + v] = 0.004 * Math.sin(0.3 * f + v);
}

async function browserBake(samples: Float32Array) {
  // The worker's generateOfflineAsync, then bakeLipSync.ts: silence gate → track; track → rig keys.
  const track = await generateLipsTrackAsync(samples, GEN, async (_mel, melFrames) => {
    const frames = Math.floor(melFrames / GEN.melFramesPerOutputFrame);
    const out = new Float32Array(frames * 63);
    for (let f = 0; f < frames; f++) displacement(f, out, f * 63);
    return out;
  });
  const speechRms = Float32Array.from(track.speechRms);
  gateSilentFrames(track.displacements, track.speechRms, 63);
  const keys = solveLipsTrackToRig(track.displacements, FPS, syntheticRig(6, 3), SETTINGS);
  return { json: lipsTrackToJson(track), targets: keys.targets, speechRms, frames: track.frames };
}

function cliBake(samples: Float32Array, frames: number) {
  // bakeAudioFile.ts: samples are fed a step at a time and generator blocks are written as they come.
  const gate = new StreamedSilenceGate(SPAN, 63);
  const displacements = new Float32Array(frames * 63);
  let fed = 0;
  for (let first = 0; first < frames; first += 7) {
    const n = Math.min(7, frames - first);
    // A block is generated once its frames' audio (and look-ahead) has been fed: uneven steps.
    const need = Math.min(samples.length, (first + n + 3) * SPAN);
    while (fed < need) {
      const step = Math.min(need - fed, 1000 + ((fed * 7919) % 3000));
      gate.addSamples(samples.subarray(fed, fed + step));
      fed += step;
    }
    const disp = new Float32Array(n * 63);
    for (let j = 0; j < n; j++) displacement(first + j, disp, j * 63);
    displacements.set(gate.gateNext(disp, n), first * 63);
  }
  return lipsTrackToJson({ frames, fps: FPS, displacements });
}

function livePlayout(frames: number, speechRms: Float32Array): Float32Array {
  // The worker's blocks (displacements + speech RMS) through LipsPlayout, sampled once per frame time
  // plus the smoothing lead, as the behavior samples a played source.
  const playout = new LipsPlayout(63, {
    intensity: SETTINGS.intensity,
    smoothingTimeConstantMs: SETTINGS.smoothingMs,
    updateIntervalSec: 1 / FPS,
  });
  const out = new Float32Array(frames * 63);
  let pushed = 0;
  for (let k = 0; k < frames; k++) {
    while (pushed < frames && pushed <= k + 10) {
      const n = Math.min(5, frames - pushed);
      const disp = new Float32Array(n * 63);
      for (let j = 0; j < n; j++) displacement(pushed + j, disp, j * 63);
      playout.pushBlock({
        frames: n,
        firstTimeSec: pushed / FPS,
        frameDurationSec: 1 / FPS,
        displacements: disp,
        speechRms: speechRms.subarray(pushed, pushed + n),
      });
      pushed += n;
    }
    playout.sample(k / FPS + playout.leadSec, out.subarray(k * 63, k * 63 + 63));
  }
  return out;
}

describe('one post-processing chain', () => {
  test('the CLI bake writes the browser bake track, silent frames at rest', async () => {
    const samples = audio();
    const browser = await browserBake(samples);
    const cli = cliBake(samples, browser.frames);
    assert.equal(browser.frames, 100);
    assert.deepEqual(cli, browser.json);
    // The gate did something: the digitally silent frames are the rest pose (the neutral positions in the
    // file), the others are not.
    const neutral = Array.from({ length: 21 }, (_, p) =>
      [0, 1, 2].map((c) => Math.round(LIPS_V1.neutral[p * 3 + c] * 1e7) / 1e7),
    );
    const atRest = browser.json.frames.map((f) => JSON.stringify(f) === JSON.stringify(neutral));
    assert.deepEqual(
      atRest.map((r, k) => (r ? k : -1)).filter((k) => k >= 0),
      [...Array.from({ length: 15 }, (_, i) => 25 + i), ...Array.from({ length: 10 }, (_, i) => 60 + i)],
    );
  });

  test('live playout shows the frames the browser bake solves (gain, smoothing, lead, gate)', async () => {
    const samples = audio();
    const browser = await browserBake(samples);
    const live = livePlayout(browser.frames, browser.speechRms);
    let worst = 0;
    for (let i = 0; i < live.length; i++) worst = Math.max(worst, Math.abs(live[i] - browser.targets[i]));
    assert.ok(worst < 1e-6, `live vs bake: ${worst} m`);
    // Not trivially equal: the chain moved the lips (gain 1.5 on the displacements, smoothing).
    let moved = 0;
    for (let i = 0; i < live.length; i++) moved = Math.max(moved, Math.abs(live[i]));
    assert.ok(moved > 0.004, `lips moved ${moved} m`);
  });
});
