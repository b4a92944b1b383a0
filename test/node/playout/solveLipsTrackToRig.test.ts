import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LipsPlayout } from '../../../src/playout/lipsPlayout.ts';
import { smoothingLagSec } from '../../../src/playout/smoothing.ts';
import { createRigPose } from '../../../src/rig/rigPose.ts';
import { createLandmarkSolver } from '../../../src/rig/solveLandmarksToRig.ts';
import { solveLipsTrackToRig } from '../../../src/playout/solveLipsTrackToRig.ts';
import { seededRandom, syntheticRig } from '../rig/syntheticRig.ts';

const FPS = 50;

/** A seeded lips-v1 track of displacements from neutral: smooth random mm-scale motion, `frames × 63`. */
function randomTrack(frames: number, seed: number): Float32Array {
  const rnd = seededRandom(seed);
  const phase = Float32Array.from({ length: 63 }, () => rnd() * 6.28);
  const rate = Float32Array.from({ length: 63 }, () => 1 + rnd() * 6);
  const out = new Float32Array(frames * 63);
  for (let f = 0; f < frames; f++) {
    for (let v = 0; v < 63; v++) {
      out[f * 63 + v] = 0.004 * Math.sin(phase[v] + (rate[v] * f) / FPS);
    }
  }
  return out;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('solveLipsTrackToRig', () => {
  test('without gain or smoothing, key k is the solver run over frames 0..k in order', () => {
    const rig = syntheticRig(6, 3, { jaw: true });
    const points = randomTrack(40, 1);
    const keys = solveLipsTrackToRig(points, FPS, rig, { intensity: 1, smoothingMs: 0 });
    assert.equal(keys.keys, 40);
    assert.equal(keys.fps, FPS);
    assert.equal(keys.morphInfluences.length, 6);
    assert.equal(keys.jawRotationRad.length, 1);
    assert.equal(maxAbsDiff(keys.targets, points), 0);
    const solver = createLandmarkSolver(rig);
    const pose = createRigPose(rig);
    for (let k = 0; k < 40; k++) {
      const err = solver.solve(points.subarray(k * 63, k * 63 + 63), pose);
      assert.ok(Math.abs(keys.solverErrorM[k] - err) < 1e-9);
      pose.morphInfluences.forEach((v, c) => assert.equal(keys.morphInfluences[c][k], v));
      assert.equal(keys.jawRotationRad[0][k], pose.jawRotationRad[0]);
    }
  });

  test('gain and smoothing give the targets the live player shows (LipsPlayout sampled the smoothing lag ahead)', () => {
    const rig = syntheticRig(4, 5);
    const frames = 60;
    const points = randomTrack(frames, 2);
    for (const [intensity, smoothingMs] of [
      [0.5, 20],
      [1.5, 45],
      [1, 0],
    ]) {
      const keys = solveLipsTrackToRig(points, FPS, rig, { intensity, smoothingMs });
      const playout = new LipsPlayout(63, { intensity, smoothingTimeConstantMs: smoothingMs });
      for (let f = 0; f < frames; f++) {
        playout.push({ timeSec: f / FPS, displacements: points.subarray(f * 63, f * 63 + 63) });
      }
      const live = new Float32Array(63);
      for (let k = 0; k < frames; k++) {
        playout.sample(k / FPS + smoothingLagSec(smoothingMs, 1 / FPS), live);
        const d = maxAbsDiff(keys.targets.subarray(k * 63, k * 63 + 63), live);
        assert.ok(d < 1e-6, `intensity ${intensity}, smoothing ${smoothingMs} ms, key ${k}: |Δ| ${d} m`);
      }
    }
  });

  test('intensity 0 holds the rig at rest', () => {
    const rig = syntheticRig(5, 7, { jaw: true });
    const keys = solveLipsTrackToRig(randomTrack(20, 3), FPS, rig, { intensity: 0 });
    for (const c of [...keys.morphInfluences, ...keys.jawRotationRad]) {
      for (const v of c) assert.ok(Math.abs(v) < 1e-6, `control ${v} at rest`);
    }
  });

  test('rejects partial frames and a bad frame rate', () => {
    const rig = syntheticRig(2, 1);
    assert.throws(() => solveLipsTrackToRig(new Float32Array(62), FPS, rig), RangeError);
    assert.throws(() => solveLipsTrackToRig(new Float32Array(63), 0, rig), RangeError);
  });
});
