/**
 * The landmark solver's forward model of a rig: where the 21 lips-v1 landmarks land for given control
 * values. Morph targets add linearly (their landmark deltas are the Jacobian's columns); the jaw then turns
 * each landmark about its pivot by its skin weight (linear blend skinning, Rodrigues per axis), whose
 * Jacobian at rest is `w·(k × (p − c))`. Used by `createLandmarkSolver`; pure and allocation-free per call.
 */
import { LIPS_V1_POINTS, LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import type { IRigDescription } from './rigDescription.ts';

/** A rig's forward model, built once (float64). */
export interface ILandmarkForwardModel {
  /** Morph controls (the first controls). */
  readonly morphCount: number;
  /** Jaw axes (the controls after the morphs). */
  readonly axisCount: number;
  /** Landmarks at rest, 21 × 3, mesh units. */
  readonly rest: Float64Array;
  /** Jacobian at rest, column-major: control c's column at `J[c·63 .. c·63 + 62]`. */
  readonly J: Float64Array;
  /** Lower bound of each control. */
  readonly lo: Float64Array;
  /** Upper bound of each control. */
  readonly hi: Float64Array;
  /**
   * Evaluates the landmarks for control values `xs` into `out` (21 × 3): exact, jaw rotation included.
   * @param xs defines the control values (morphs, then jaw angles in radians)
   * @param out defines where the 63 values are written
   */
  evaluate(xs: ArrayLike<number>, out: Float32Array | Float64Array): void;
}

const M = LIPS_V1_VALUES;

/**
 * Builds the forward model of a rig.
 * @param rig defines the rig description
 * @returns the model
 * @throws RangeError when a morph's deltas or bounds, the jaw's weights or an axis are invalid
 */
export function createLandmarkForwardModel(rig: IRigDescription): ILandmarkForwardModel {
  const nm = rig.morphs.length;
  const axes = rig.jaw?.axes ?? [];
  const na = axes.length;
  const n = nm + na;
  // Float64, so the solver's normal equations stay well conditioned.
  const rest = Float64Array.from(rig.restLandmarks);
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const J = new Float64Array(n * M); // column-major: column c at J[c*M .. c*M+62]
  rig.morphs.forEach((m, c) => {
    if (m.landmarkDeltas.length !== M)
      throw new RangeError(`morph ${m.name}: landmarkDeltas must have ${M} values`);
    if (!(m.min <= m.max)) throw new RangeError(`morph ${m.name}: min ${m.min} > max ${m.max}`);
    J.set(m.landmarkDeltas, c * M);
    lo[c] = m.min;
    hi[c] = m.max;
  });
  const jawW = new Float64Array(LIPS_V1_POINTS);
  const pivot = new Float64Array(3);
  const axis = new Float64Array(na * 3);
  if (rig.jaw) {
    if (rig.jaw.landmarkWeights.length !== LIPS_V1_POINTS)
      throw new RangeError(`jaw.landmarkWeights must have ${LIPS_V1_POINTS} values`);
    jawW.set(rig.jaw.landmarkWeights);
    pivot.set(rig.jaw.pivot);
    axes.forEach((a, k) => {
      const len = Math.hypot(a.axis[0], a.axis[1], a.axis[2]);
      if (!(len > 0)) throw new RangeError(`jaw axis ${a.name} has zero length`);
      axis[k * 3] = a.axis[0] / len;
      axis[k * 3 + 1] = a.axis[1] / len;
      axis[k * 3 + 2] = a.axis[2] / len;
      lo[nm + k] = a.minRad;
      hi[nm + k] = a.maxRad;
      // d/dθ of w·(R(θ)(p − c) + c) at θ = 0 is w·(k × (p − c)).
      const col = (nm + k) * M;
      for (let l = 0; l < LIPS_V1_POINTS; l++) {
        const vx = rest[l * 3] - pivot[0];
        const vy = rest[l * 3 + 1] - pivot[1];
        const vz = rest[l * 3 + 2] - pivot[2];
        const [kx, ky, kz] = [axis[k * 3], axis[k * 3 + 1], axis[k * 3 + 2]];
        J[col + l * 3] = jawW[l] * (ky * vz - kz * vy);
        J[col + l * 3 + 1] = jawW[l] * (kz * vx - kx * vz);
        J[col + l * 3 + 2] = jawW[l] * (kx * vy - ky * vx);
      }
    });
  }

  const cosA = new Float64Array(na);
  const sinA = new Float64Array(na);

  /** f(x): morphs add linearly, then the jaw rotates each landmark by its skin weight (LBS). */
  const evaluate = (xs: ArrayLike<number>, out: Float32Array | Float64Array): void => {
    for (let j = 0; j < M; j++) out[j] = rest[j];
    for (let c = 0; c < nm; c++) {
      const xc = xs[c];
      if (xc === 0) continue;
      const off = c * M;
      for (let j = 0; j < M; j++) out[j] += xc * J[off + j];
    }
    if (na === 0) return;
    for (let k = 0; k < na; k++) {
      cosA[k] = Math.cos(xs[nm + k]);
      sinA[k] = Math.sin(xs[nm + k]);
    }
    for (let l = 0; l < LIPS_V1_POINTS; l++) {
      const w = jawW[l];
      if (w === 0) continue;
      const px = out[l * 3];
      const py = out[l * 3 + 1];
      const pz = out[l * 3 + 2];
      let vx = px - pivot[0];
      let vy = py - pivot[1];
      let vz = pz - pivot[2];
      for (let k = 0; k < na; k++) {
        // Rodrigues: v·cos + (k × v)·sin + k(k·v)(1 − cos)
        const kx = axis[k * 3];
        const ky = axis[k * 3 + 1];
        const kz = axis[k * 3 + 2];
        const c = cosA[k];
        const s = sinA[k];
        const kd = (kx * vx + ky * vy + kz * vz) * (1 - c);
        const nx = vx * c + (ky * vz - kz * vy) * s + kx * kd;
        const ny = vy * c + (kz * vx - kx * vz) * s + ky * kd;
        const nz = vz * c + (kx * vy - ky * vx) * s + kz * kd;
        vx = nx;
        vy = ny;
        vz = nz;
      }
      out[l * 3] = px + w * (vx + pivot[0] - px);
      out[l * 3 + 1] = py + w * (vy + pivot[1] - py);
      out[l * 3 + 2] = pz + w * (vz + pivot[2] - pz);
    }
  };

  return { morphCount: nm, axisCount: na, rest, J, lo, hi, evaluate };
}
