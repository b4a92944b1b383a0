/**
 * The landmark → rig solver: regularised, bounded least squares over a rig's controls (morph influences and
 * jaw angles), so that the avatar's 21 lips-v1 landmarks land where the generator put them.
 *
 * Pure and allocation-free per frame. At attach time `createLandmarkSolver` builds the Jacobian `J`
 * (63 × n) of the landmarks at the rest pose, the landmark weights `W`, and factorises
 * `H = JᵀWJ + (λ_rest + λ_temporal)·I` once (Cholesky). Each frame then costs:
 * - Gauss–Newton steps with the fixed `H` against the exact forward model (morphs are linear; the jaw
 *   rotation is not, so re-evaluating the residual with the true rotation removes the linearisation error
 *   of wide jaw openings without re-factorising; by default one step per frame, warm-started from the
 *   previous frame, so the iteration runs across frames);
 * - when a step leaves the bounds, projected coordinate descent on the same quadratic (exact for box
 *   constraints, converges monotonically, O(n²) per sweep) starting from the clamped Newton point.
 *
 * Generators that output FLAME vertices or FLAME parameters go through the same solver: take the lips-v1
 * subset of the FLAME vertices with `flameVerticesToLipsV1` (for parameters: evaluate the FLAME model for
 * the landmark vertices only, then the same) and solve as for any lips-v1 frame.
 */
import { choleskyFactor } from '../math/choleskyFactor.ts';
import { choleskySolve } from '../math/choleskySolve.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import { createLandmarkForwardModel } from './landmarkForwardModel.ts';
import { DEFAULT_LANDMARK_SOLVER_OPTIONS, type ILandmarkSolverOptions } from './landmarkSolverOptions.ts';
import { LIPS_V1, mouthWidth } from './lipsV1.ts';
import type { IRigDescription } from './rigDescription.ts';
import type { RigPose } from './rigPose.ts';

export { DEFAULT_LANDMARK_SOLVER_OPTIONS, type ILandmarkSolverOptions };

/** A solver bound to one rig, reused every frame. */
export interface LandmarkSolver {
  /** Number of controls (morphs + jaw axes). */
  readonly controlCount: number;
  /** Mesh units per lips-v1 metre used to map displacements. */
  readonly displacementScale: number;
  /**
   * Solves the controls for one lips-v1 frame and writes them into `pose`. Allocates nothing, never throws.
   * The displacement is mapped to mesh space as `restLandmarks + displacementScale · displacement`.
   * @param displacement defines the lips-v1 displacements from neutral (21 × 3, metres, head frame): what
   * the generator and playout produce, zero at rest
   * @param pose defines the pose to write (from `createRigPose`)
   * @returns the weighted RMS landmark error of the result, in lips-v1 metres; NaN (pose and solver state
   * untouched) when the target holds non-finite values
   */
  solve(displacement: ArrayLike<number>, pose: RigPose): number;
  /**
   * `solve` for absolute lips-v1 positions (a track read from JSON, a hand-made target): solves
   * `points − referenceNeutral`. Allocates nothing, never throws.
   * @param points defines the lips-v1 points (21 × 3, metres, head frame)
   * @param pose defines the pose to write (from `createRigPose`)
   * @returns as `solve`
   */
  solvePositions(points: ArrayLike<number>, pose: RigPose): number;
  /**
   * Evaluates where the landmarks land for a pose (the solver's forward model), in mesh space.
   * @param pose defines the control values
   * @param out defines where the 21 × 3 positions are written
   * @returns `out`
   */
  forward(pose: RigPose, out: Float32Array | Float64Array): Float32Array | Float64Array;
  /**
   * The inverse of `solve`'s mapping: landmarks in mesh space (the forward model's, or read back from the
   * deformed mesh) as lips-v1 displacements, `(landmarks − restLandmarks) / displacementScale`.
   * @param landmarks defines the 21 × 3 mesh-space positions
   * @param out defines where the 21 × 3 displacements (lips-v1 metres) are written
   * @returns `out`
   */
  displacementOf(landmarks: ArrayLike<number>, out: Float32Array): Float32Array;
  /** Forgets the previous frame (temporal term restarts from rest), e.g. after a discontinuity. */
  reset(): void;
}

const M = LIPS_V1_VALUES;

/**
 * Builds a solver for a rig: Jacobian, weights and the Cholesky factor of the normal matrix.
 * @param rig defines the rig description (from `describeRig`, or synthetic)
 * @param options defines the tuning; missing fields take `DEFAULT_LANDMARK_SOLVER_OPTIONS`
 * @returns the solver
 * @throws RangeError when the rig has no controls, arrays have the wrong sizes or options are out of range
 */
export function createLandmarkSolver(
  rig: IRigDescription,
  options: Partial<ILandmarkSolverOptions> = {},
): LandmarkSolver {
  const o: ILandmarkSolverOptions = { ...DEFAULT_LANDMARK_SOLVER_OPTIONS, ...options };
  const nm = rig.morphs.length;
  const axes = rig.jaw?.axes ?? [];
  const na = axes.length;
  const n = nm + na;
  if (n === 0) throw new RangeError('createLandmarkSolver: the rig has no controls (no morphs, no jaw axes)');
  if (rig.restLandmarks.length !== M) throw new RangeError(`restLandmarks must have ${M} values`);
  if (o.landmarkWeights.length !== 21) throw new RangeError('landmarkWeights must have 21 values');
  if (o.referenceNeutral.length !== M) throw new RangeError(`referenceNeutral must have ${M} values`);
  for (const k of ['closureWeight', 'restWeight', 'temporalWeight'] as const) {
    if (!(o[k] >= 0)) throw new RangeError(`${k} must be ≥ 0, got ${o[k]}`);
  }
  const iterations = Math.max(1, Math.floor(o.iterations));
  const sweeps = Math.max(0, Math.floor(o.boundSweeps));

  let scale: number;
  if (o.displacementScale === 'auto') {
    const ref = mouthWidth(o.referenceNeutral);
    const own = mouthWidth(rig.restLandmarks);
    scale = ref > 0 && own > 0 ? own / ref : 1;
  } else scale = o.displacementScale;
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`displacementScale must be > 0, got ${scale}`);

  // The forward model (rest landmarks, Jacobian at rest, bounds, exact evaluation with the jaw's rotation).
  const { rest, J, lo, hi, evaluate } = createLandmarkForwardModel(rig);
  const refNeutral = Float64Array.from(o.referenceNeutral);

  // W = diag(landmark weights) + closure·Σ (e_upper,y − e_lower,y)(…)ᵀ over the facing inner pairs.
  const wDiag = new Float64Array(M);
  for (let l = 0; l < 21; l++) wDiag[l * 3] = wDiag[l * 3 + 1] = wDiag[l * 3 + 2] = o.landmarkWeights[l];
  // y-coordinate offsets of the facing inner pairs, flat: [upper0, lower0, upper1, lower1, …]
  const pairs = Int32Array.from(LIPS_V1.innerPairs.flatMap(([u, d]) => [u * 3 + 1, d * 3 + 1]));
  const closure = o.closureWeight;
  const applyW = (v: Float64Array, out: Float64Array): void => {
    for (let j = 0; j < M; j++) out[j] = wDiag[j] * v[j];
    for (let p = 0; p < pairs.length; p += 2) {
      const g = closure * (v[pairs[p]] - v[pairs[p + 1]]);
      out[pairs[p]] += g;
      out[pairs[p + 1]] -= g;
    }
  };

  // H = JᵀWJ + λI, kept twice: as is (coordinate descent) and factorised (Newton steps).
  const WJ = new Float64Array(n * M);
  const colIn = new Float64Array(M);
  const colOut = new Float64Array(M);
  for (let c = 0; c < n; c++) {
    colIn.set(J.subarray(c * M, c * M + M));
    applyW(colIn, colOut);
    WJ.set(colOut, c * M);
  }
  const H = new Float64Array(n * n);
  let trace = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let j = 0; j < M; j++) s += J[a * M + j] * WJ[b * M + j];
      H[a * n + b] = H[b * n + a] = s;
    }
    trace += H[a * n + a];
  }
  const meanDiag = trace > 0 ? trace / n : 1;
  const lambdaRest = o.restWeight * meanDiag;
  const lambdaTemporal = o.temporalWeight * meanDiag;
  // A tiny floor keeps controls that move no landmark (or duplicates) from making H singular.
  const floor = 1e-9 * meanDiag;
  for (let a = 0; a < n; a++) H[a * n + a] += lambdaRest + lambdaTemporal + floor;
  const L = Float64Array.from(H);
  if (!choleskyFactor(L, n))
    throw new RangeError('createLandmarkSolver: normal matrix is not positive definite');

  // Per-frame scratch, allocated once.
  const x = new Float64Array(n);
  const prev = new Float64Array(n);
  const tgt = new Float64Array(M);
  const f = new Float64Array(M);
  const r = new Float64Array(M);
  const wr = new Float64Array(M);
  const b = new Float64Array(n);
  const z = new Float64Array(n);
  const grad = new Float64Array(n);

  const lw = Float64Array.from(o.landmarkWeights);
  const moveTolerance = 1e-6;
  const clamp = (v: number, c: number): number => (v < lo[c] ? lo[c] : v > hi[c] ? hi[c] : v);

  /** Minimises ½zᵀHz − cᵀz over the box, where c = H·x + b, from z = clamp(x + H⁻¹b). */
  const boundedStep = (): void => {
    // grad = H(z − x) − b
    for (let i = 0; i < n; i++) z[i] -= x[i];
    for (let i = 0; i < n; i++) {
      let s = -b[i];
      const row = i * n;
      for (let k = 0; k < n; k++) s += H[row + k] * z[k];
      grad[i] = s;
    }
    for (let i = 0; i < n; i++) z[i] += x[i];
    for (let i = 0; i < n; i++) {
      const zi = clamp(z[i], i);
      const d = zi - z[i];
      if (d !== 0) {
        z[i] = zi;
        const row = i * n;
        for (let k = 0; k < n; k++) grad[k] += d * H[row + k];
      }
    }
    for (let sweep = 0; sweep < sweeps; sweep++) {
      let maxMove = 0;
      for (let i = 0; i < n; i++) {
        const row = i * n;
        const zi = clamp(z[i] - grad[i] / H[row + i], i);
        const d = zi - z[i];
        // Moves below the tolerance are invisible (1e-6 of an influence, a µrad of jaw) but would cost O(n)
        // each: skipping them cut the dense bounded case several-fold (bench/rigSolver.bench.ts).
        if (d < moveTolerance && d > -moveTolerance) continue;
        z[i] = zi;
        for (let k = 0; k < n; k++) grad[k] += d * H[row + k];
        const m = d < 0 ? -d : d;
        if (m > maxMove) maxMove = m;
      }
      if (maxMove < moveTolerance) break;
    }
  };

  const solve = (displacement: ArrayLike<number>, pose: RigPose): number => {
    for (let j = 0; j < M; j++) tgt[j] = rest[j] + scale * displacement[j];
    for (let i = 0; i < n; i++) x[i] = clamp(prev[i], i);
    for (let it = 0; it < iterations; it++) {
      evaluate(x, f);
      for (let j = 0; j < M; j++) r[j] = tgt[j] - f[j];
      applyW(r, wr);
      // b = JᵀW r − λ_rest·x − λ_temporal·(x − prev): the gradient of the regularised model at x.
      for (let c = 0; c < n; c++) {
        let s = 0;
        const off = c * M;
        for (let j = 0; j < M; j++) s += J[off + j] * wr[j];
        b[c] = s - lambdaRest * x[c] - lambdaTemporal * (x[c] - prev[c]);
      }
      choleskySolve(L, n, b, z);
      let inside = true;
      for (let i = 0; i < n; i++) {
        z[i] += x[i];
        if (z[i] < lo[i] || z[i] > hi[i]) inside = false;
      }
      if (!inside) boundedStep();
      for (let i = 0; i < n; i++) x[i] = z[i];
      // Morphs are linear, so one step is exact; only a turned jaw leaves a linearisation error to correct
      // (below 0.02 rad it is under 0.02 mm at the lips).
      let maxAngle = 0;
      for (let k = 0; k < na; k++) maxAngle = Math.max(maxAngle, Math.abs(x[nm + k]));
      if (maxAngle < 0.02) break;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i];
    if (!Number.isFinite(sum)) return NaN; // a non-finite target: keep the previous pose and state
    for (let i = 0; i < n; i++) prev[i] = x[i];
    for (let c = 0; c < nm; c++) pose.morphInfluences[c] = x[c];
    for (let k = 0; k < na; k++) pose.jawRotationRad[k] = x[nm + k];
    evaluate(x, f);
    let e = 0;
    let wsum = 0;
    for (let l = 0; l < 21; l++) {
      const w = lw[l];
      const dx = tgt[l * 3] - f[l * 3];
      const dy = tgt[l * 3 + 1] - f[l * 3 + 1];
      const dz = tgt[l * 3 + 2] - f[l * 3 + 2];
      e += w * (dx * dx + dy * dy + dz * dz);
      wsum += w;
    }
    return Math.sqrt(e / (wsum > 0 ? wsum : 1)) / scale;
  };

  const poseVector = new Float64Array(n);
  const fromPositions = new Float64Array(M);
  return {
    controlCount: n,
    displacementScale: scale,
    solve,
    solvePositions(points, pose) {
      for (let j = 0; j < M; j++) fromPositions[j] = points[j] - refNeutral[j];
      return solve(fromPositions, pose);
    },
    forward(pose, out) {
      poseVector.set(pose.morphInfluences);
      poseVector.set(pose.jawRotationRad, nm);
      evaluate(poseVector, out);
      return out;
    },
    displacementOf(landmarks, out) {
      for (let j = 0; j < M; j++) out[j] = (landmarks[j] - rest[j]) / scale;
      return out;
    },
    reset() {
      prev.fill(0);
    },
  };
}
