import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLandmarkSolver } from '../../../src/rig/solveLandmarksToRig.ts';
import { LIPS_V1 } from '../../../src/rig/lipsV1.ts';
import { createRigPose } from '../../../src/rig/rigPose.ts';
import type { IRigDescription } from '../../../src/rig/rigDescription.ts';
import { seededRandom, syntheticRig } from './syntheticRig.ts';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Landmarks of the rig for known controls, via the solver's own forward model (tested separately below). */
function landmarksFor(rig: IRigDescription, influences: number[], jaw: number[] = []): Float64Array {
  const solver = createLandmarkSolver(rig, { displacementScale: 1 });
  const pose = createRigPose(rig);
  pose.morphInfluences.set(influences);
  pose.jawRotationRad.set(jaw);
  return solver.forward(pose, new Float64Array(63)) as Float64Array;
}

describe('solveLandmarksToRig', () => {
  test('forward model: morphs add linearly and the jaw rotates skinned landmarks about the pivot', () => {
    const rig = syntheticRig(3, 1, { jaw: true });
    const y = landmarksFor(rig, [0.5, 0, 0], [0]);
    for (let j = 0; j < 63; j++) {
      assert.ok(Math.abs(y[j] - (rig.restLandmarks[j] + 0.5 * rig.morphs[0].landmarkDeltas[j])) < 1e-7);
    }
    const opened = landmarksFor(rig, [0, 0, 0], [0.3]);
    // The chin (weight 1) keeps its distance to the pivot and moves down: positive pitch opens the mouth.
    const p = rig.jaw!.pivot;
    const d0 = Math.hypot(
      rig.restLandmarks[0] - p[0],
      rig.restLandmarks[1] - p[1],
      rig.restLandmarks[2] - p[2],
    );
    const d1 = Math.hypot(opened[0] - p[0], opened[1] - p[1], opened[2] - p[2]);
    assert.ok(Math.abs(d0 - d1) < 1e-6);
    assert.ok(opened[1] < rig.restLandmarks[1] - 0.01, 'chin moves down by more than 1 cm at 0.3 rad');
  });

  test('recovers known influences (and jaw angle) within 1e-3 when unregularised and inside the bounds', () => {
    for (const seed of [2, 3, 4]) {
      const rig = syntheticRig(20, seed, { jaw: true });
      const rnd = seededRandom(seed + 100);
      const x = Array.from({ length: 20 }, () => 0.1 + 0.8 * rnd());
      const jaw = [0.25 * rnd()];
      const target = landmarksFor(rig, x, jaw);
      const solver = createLandmarkSolver(rig, { restWeight: 0, temporalWeight: 0, iterations: 8 });
      const pose = createRigPose(rig);
      const err = solver.solvePositions(target, pose);
      assert.ok(
        maxAbsDiff(pose.morphInfluences, x) < 1e-3,
        `seed ${seed}: ${maxAbsDiff(pose.morphInfluences, x)}`,
      );
      assert.ok(Math.abs(pose.jawRotationRad[0] - jaw[0]) < 1e-3);
      assert.ok(err < 1e-5, `residual ${err} m`);
    }
  });

  test('with default options a few frames of the same target converge to it', () => {
    const rig = syntheticRig(20, 5, { jaw: true });
    const rnd = seededRandom(7);
    const x = Array.from({ length: 20 }, () => 0.1 + 0.8 * rnd());
    const target = landmarksFor(rig, x, [0.1]);
    const solver = createLandmarkSolver(rig);
    const pose = createRigPose(rig);
    let err = Infinity;
    for (let k = 0; k < 5; k++) err = solver.solvePositions(target, pose);
    assert.ok(err < 2e-4, `residual ${err} m`);
  });

  test('bounds: results are feasible and match a brute-force projected-gradient optimum', () => {
    const rig = syntheticRig(12, 8);
    const rnd = seededRandom(9);
    // Half the true influences lie outside [0, 1], so the optimum sits on the bounds.
    const x = Array.from({ length: 12 }, (_, i) => (i % 2 ? 1.6 : -0.6) * rnd() + (i % 2 ? 0 : 0.5));
    const target = landmarksFor(rig, x);
    const ones = new Float32Array(21).fill(1);
    const solver = createLandmarkSolver(rig, {
      landmarkWeights: ones,
      closureWeight: 0,
      restWeight: 0,
      temporalWeight: 0,
      iterations: 3,
      boundSweeps: 500,
    });
    const pose = createRigPose(rig);
    solver.solvePositions(target, pose);
    for (const v of pose.morphInfluences) assert.ok(v >= 0 && v <= 1, `infeasible ${v}`);
    // Reference: projected gradient on ½‖J z − (target − rest)‖², z ∈ [0, 1]^n, many small steps.
    const n = 12;
    const J = rig.morphs.map((m) => m.landmarkDeltas);
    const z = new Float64Array(n).fill(0.5);
    let step = 0;
    for (const col of J) for (const v of col) step += v * v;
    step = 1 / step; // ≤ 1/λmax(JᵀJ)
    const r = new Float64Array(63);
    for (let it = 0; it < 200000; it++) {
      for (let j = 0; j < 63; j++) {
        let s = rig.restLandmarks[j] - target[j];
        for (let c = 0; c < n; c++) s += J[c][j] * z[c];
        r[j] = s;
      }
      for (let c = 0; c < n; c++) {
        let g = 0;
        for (let j = 0; j < 63; j++) g += J[c][j] * r[j];
        z[c] = Math.min(1, Math.max(0, z[c] - step * g));
      }
    }
    assert.ok(
      pose.morphInfluences.some((v) => v === 0 || v === 1),
      'some bound is active',
    );
    assert.ok(
      maxAbsDiff(pose.morphInfluences, z) < 1e-3,
      `vs reference: ${maxAbsDiff(pose.morphInfluences, z)}`,
    );
  });

  test('default bounded solve is feasible even for wild targets', () => {
    const rig = syntheticRig(30, 10, { jaw: true });
    const rnd = seededRandom(11);
    const target = Float64Array.from(rig.restLandmarks, (v) => v + (rnd() - 0.5) * 0.05);
    const solver = createLandmarkSolver(rig);
    const pose = createRigPose(rig);
    solver.solvePositions(target, pose);
    for (const v of pose.morphInfluences) assert.ok(v >= 0 && v <= 1);
    assert.ok(pose.jawRotationRad[0] >= -0.05 && pose.jawRotationRad[0] <= 0.45);
  });

  test('Tikhonov weight shrinks the solution towards rest; temporal weight damps frame-to-frame change', () => {
    const rig = syntheticRig(20, 12, { min: -5, max: 5 });
    const rnd = seededRandom(13);
    const x = Array.from({ length: 20 }, () => 0.2 + 0.6 * rnd());
    const target = landmarksFor(rig, x);
    const norm = (a: ArrayLike<number>): number => Math.hypot(...Array.from(a));
    const solveWith = (restWeight: number): Float32Array => {
      const pose = createRigPose(rig);
      createLandmarkSolver(rig, { restWeight, temporalWeight: 0 }).solvePositions(target, pose);
      return pose.morphInfluences;
    };
    const n0 = norm(solveWith(0));
    const n1 = norm(solveWith(0.05));
    const n2 = norm(solveWith(1));
    assert.ok(n0 > n1 && n1 > n2, `${n0} > ${n1} > ${n2}`);

    const change = (temporalWeight: number): number => {
      const solver = createLandmarkSolver(rig, { restWeight: 0, temporalWeight });
      const pose = createRigPose(rig);
      solver.solvePositions(target, pose);
      const before = Float32Array.from(pose.morphInfluences);
      solver.solvePositions(rig.restLandmarks, pose); // jump back to neutral
      return maxAbsDiff(before, pose.morphInfluences);
    };
    assert.ok(change(1) < 0.75 * change(0), `${change(1)} vs ${change(0)}`);
  });

  test('reset() forgets the previous frame', () => {
    const rig = syntheticRig(10, 14, { min: -5, max: 5 });
    const target = landmarksFor(
      rig,
      Array.from({ length: 10 }, () => 0.5),
    );
    const solver = createLandmarkSolver(rig, { temporalWeight: 10 });
    const fresh = createLandmarkSolver(rig, { temporalWeight: 10 });
    const a = createRigPose(rig);
    const b = createRigPose(rig);
    solver.solvePositions(target, a);
    solver.solvePositions(rig.restLandmarks, a);
    solver.reset();
    solver.solvePositions(target, a);
    fresh.solvePositions(target, b);
    assert.ok(maxAbsDiff(a.morphInfluences, b.morphInfluences) < 1e-6);
  });

  test('auto displacement scale maps lips-v1 displacements onto a rig of another size', () => {
    const rig = syntheticRig(20, 15, { min: -5, max: 5 });
    // The same rig in centimetres: rest and deltas ×100.
    const cm: IRigDescription = {
      ...rig,
      restLandmarks: rig.restLandmarks.map((v) => v * 100),
      morphs: rig.morphs.map((m) => ({ ...m, landmarkDeltas: m.landmarkDeltas.map((v) => v * 100) })),
    };
    const x = Array.from({ length: 20 }, (_, i) => 0.3 + 0.02 * i);
    const target = landmarksFor(rig, x);
    const solver = createLandmarkSolver(cm, { restWeight: 0, temporalWeight: 0 });
    assert.ok(Math.abs(solver.displacementScale - 100) < 1e-3);
    const pose = createRigPose(cm);
    solver.solvePositions(target, pose);
    assert.ok(maxAbsDiff(pose.morphInfluences, x) < 1e-3);
  });

  test('solve takes displacements (rest + scale · displacement); displacementOf inverts the mapping', () => {
    const rig = syntheticRig(20, 18, { min: -5, max: 5, jaw: true });
    // The same rig in centimetres, so the scale is not 1 and rest is not the lips-v1 neutral.
    const cm: IRigDescription = {
      ...rig,
      restLandmarks: rig.restLandmarks.map((v) => v * 100),
      morphs: rig.morphs.map((m) => ({ ...m, landmarkDeltas: m.landmarkDeltas.map((v) => v * 100) })),
      jaw: rig.jaw && {
        ...rig.jaw,
        pivot: [rig.jaw.pivot[0] * 100, rig.jaw.pivot[1] * 100, rig.jaw.pivot[2] * 100],
      },
    };
    const solver = createLandmarkSolver(cm, { restWeight: 0, temporalWeight: 0, iterations: 8 });
    const x = Array.from({ length: 20 }, (_, i) => 0.2 + 0.03 * i);
    const shown = createRigPose(cm);
    shown.morphInfluences.set(x);
    shown.jawRotationRad.set([0.1]);
    const mesh = solver.forward(shown, new Float64Array(63));
    const displacement = solver.displacementOf(mesh, new Float32Array(63));
    for (let j = 0; j < 63; j++) {
      const expected = (mesh[j] - cm.restLandmarks[j]) / solver.displacementScale;
      assert.ok(Math.abs(displacement[j] - expected) < 1e-9);
    }
    assert.ok(Math.max(...displacement.map(Math.abs)) > 1e-3, 'the pose moves the landmarks');
    const pose = createRigPose(cm);
    assert.ok(solver.solve(displacement, pose) < 1e-5);
    assert.ok(maxAbsDiff(pose.morphInfluences, x) < 1e-3, `${maxAbsDiff(pose.morphInfluences, x)}`);
    assert.ok(Math.abs(pose.jawRotationRad[0] - 0.1) < 1e-3);
    // Absolute points are the same frame: neutral + displacement.
    const fromPoints = createRigPose(cm);
    const points = displacement.map((d, j) => LIPS_V1.neutral[j] + d);
    createLandmarkSolver(cm, { restWeight: 0, temporalWeight: 0, iterations: 8 }).solvePositions(
      points,
      fromPoints,
    );
    assert.ok(maxAbsDiff(fromPoints.morphInfluences, pose.morphInfluences) < 1e-4);
    // Zero displacement is the rest pose.
    const rest = createRigPose(cm);
    createLandmarkSolver(cm).solve(new Float32Array(63), rest);
    assert.ok(maxAbsDiff(rest.morphInfluences, new Float32Array(20)) < 1e-9);
  });

  test('a non-finite target leaves the pose and the solver state untouched', () => {
    const rig = syntheticRig(10, 17, { jaw: true });
    const target = landmarksFor(
      rig,
      Array.from({ length: 10 }, () => 0.4),
      [0.1],
    );
    const solver = createLandmarkSolver(rig);
    const pose = createRigPose(rig);
    solver.solvePositions(target, pose);
    const before = Float32Array.from(pose.morphInfluences);
    const bad = Float64Array.from(target);
    bad[5] = NaN;
    assert.ok(Number.isNaN(solver.solvePositions(bad, pose)));
    assert.deepEqual(pose.morphInfluences, before);
    assert.ok(Number.isFinite(solver.solvePositions(target, pose)));
    assert.ok(pose.morphInfluences.every(Number.isFinite));
  });

  test('rejects a rig without controls and bad sizes', () => {
    const rig = syntheticRig(0, 16);
    assert.throws(() => createLandmarkSolver(rig), RangeError);
    assert.throws(
      () => createLandmarkSolver(syntheticRig(2, 1), { landmarkWeights: new Float32Array(3) }),
      RangeError,
    );
  });
});
