/**
 * Tuning of the landmark → rig solver (`createLandmarkSolver`) and its defaults: landmark and closure
 * weights, regularisation, iterations, and how incoming lips-v1 frames map to mesh space.
 */
import { LIPS_V1_POINTS } from '../metrics/lipsV1Layout.ts';
import { LIPS_V1 } from './lipsV1.ts';

/** Tuning of the landmark solver. Weights are dimensionless. */
export interface ILandmarkSolverOptions {
  /**
   * Weight of each of the 21 landmarks in the fit. Inner lips weigh most because they decide the aperture
   * people read speech from; the chin least because the jaw bone already ties it to the lips.
   * @default chin 0.5, outer lips 1, inner lips 2
   */
  readonly landmarkWeights: ArrayLike<number>;
  /**
   * Extra weight on the vertical gap of the three facing inner-lip pairs, so closures (p, b, m) close even
   * when other points cannot be matched exactly.
   * @default 4
   */
  readonly closureWeight: number;
  /**
   * Tikhonov weight pulling every control towards rest, relative to the mean diagonal of `JᵀWJ`.
   * @default 1e-3
   */
  readonly restWeight: number;
  /**
   * Weight pulling every control towards the previous frame's solution, relative to the mean diagonal of
   * `JᵀWJ`. Damps flicker between near-equivalent control combinations.
   * @default 1e-2
   */
  readonly temporalWeight: number;
  /**
   * Gauss–Newton iterations per frame (each re-evaluates the exact forward model). One is enough for
   * streams: each frame starts from the previous solution, so the iterations continue across frames (and
   * without a turned jaw the model is linear and one step is exact). Raise it for one-off solves.
   * @default 1
   */
  readonly iterations: number;
  /**
   * Maximum projected coordinate-descent sweeps per iteration when bounds are active. The previous frame's
   * solution is the starting point, so convergence continues across frames of a steady target.
   * @default 8
   */
  readonly boundSweeps: number;
  /**
   * Factor from lips-v1 metres to mesh units for displacements from neutral, or `'auto'`: the rig's rest
   * mouth width over the reference neutral's (absorbs both unit scale and mouth size).
   * @default 'auto'
   */
  readonly displacementScale: number | 'auto';
  /**
   * The neutral the lips-v1 displacements are measured from (21 × 3, metres): its mouth width sets the
   * `'auto'` scale, and `solvePositions` takes it away from absolute points. A displacement is mapped to
   * mesh space as `restLandmarks + scale · displacement`.
   * @default LIPS_V1.neutral
   */
  readonly referenceNeutral: ArrayLike<number>;
}

const defaultWeights = new Float32Array(LIPS_V1_POINTS).fill(1);
defaultWeights[LIPS_V1.groups.chin] = 0.5;
for (const i of LIPS_V1.groups.inner) defaultWeights[i] = 2;

/** Defaults of `ILandmarkSolverOptions`. */
export const DEFAULT_LANDMARK_SOLVER_OPTIONS: Readonly<ILandmarkSolverOptions> = Object.freeze({
  landmarkWeights: defaultWeights,
  closureWeight: 4,
  restWeight: 1e-3,
  temporalWeight: 1e-2,
  iterations: 1,
  boundSweeps: 8,
  displacementScale: 'auto',
  referenceNeutral: LIPS_V1.neutral,
});
