/**
 * Offline counterpart of the live player + solver: turns a whole lips-v1 track into one rig pose per
 * frame (per-control key values), with the same gain, smoothing and solver as
 * `PerceptualLipSyncBehavior` applies while streaming, so a baked animation moves like the live one.
 *
 * Live, each render samples the playout at the heard time plus the smoothing time constant (for played
 * sources the lips are ahead of the sound by the delay compensation, and looking ahead by the time
 * constant cancels the spring's lag), applies the intensity gain, steps the spring, then runs one solver
 * step warm-started from the previous frame. Here the "renders" are the track's own frame times.
 *
 * Pure and Node-testable: no Babylon, no DOM.
 */
import { LipsPostProcessor } from './lipsPostProcess.ts';
import { DEFAULT_SMOOTHING_MS } from './smoothing.ts';
import type { IRigDescription } from '../rig/rigDescription.ts';
import { createRigPose } from '../rig/rigPose.ts';
import { createLandmarkSolver, type ILandmarkSolverOptions } from '../rig/solveLandmarksToRig.ts';

/** Options of `solveLipsTrackToRig`. */
export interface ISolveLipsTrackOptions {
  /** Gain on the lip motion around neutral, as `PerceptualLipSyncBehavior.intensity`. @default 1 */
  readonly intensity: number;
  /** Smoothing time constant, milliseconds (0 = off), as the behavior's `smoothingMs`. @default 20 */
  readonly smoothingMs: number;
  /** Solver tuning. @default DEFAULT_LANDMARK_SOLVER_OPTIONS (what the behavior uses) */
  readonly solver: Partial<ILandmarkSolverOptions>;
}

/** Per-control key values, one per track frame (key k at time k / fps seconds). */
export interface IRigKeyTrack {
  /** Keys per second (the track's frame rate). */
  readonly fps: number;
  /** Number of keys. */
  readonly keys: number;
  /** Influence per key of each morph control, in `IRigDescription.morphs` order. */
  readonly morphInfluences: readonly Float32Array[];
  /** Angle per key (radians, relative to rest) of each jaw axis, in `IRigDescription.jaw.axes` order. */
  readonly jawRotationRad: readonly Float32Array[];
  /**
   * The lips-v1 displacements from neutral the solver was asked for at each key (after gain and
   * smoothing), `keys × 63`.
   */
  readonly targets: Float32Array;
  /** Weighted RMS landmark error of each key's pose, lips-v1 metres. */
  readonly solverErrorM: Float32Array;
}

/**
 * Solves every frame of a lips-v1 track onto a rig.
 * @param displacements defines the track, `frames × 63` lips-v1 displacements from neutral (metres, head
 * frame; the silence gate already applied)
 * @param fps defines the track's frame rate (frame f at f / fps seconds)
 * @param rig defines the rig (from `describeRig`); a fresh solver is built, so live state is untouched
 * @param options defines gain, smoothing and solver tuning
 * @returns the key values
 * @throws RangeError when `displacements` is not a whole number of frames, `fps` is not positive or an option is
 * out of range
 */
export function solveLipsTrackToRig(
  displacements: Float32Array,
  fps: number,
  rig: IRigDescription,
  options: Partial<ISolveLipsTrackOptions> = {},
): IRigKeyTrack {
  const intensity = options.intensity ?? 1;
  const smoothingMs = options.smoothingMs ?? DEFAULT_SMOOTHING_MS;
  if (displacements.length % 63 !== 0) {
    throw new RangeError(
      `displacements must hold whole lips-v1 frames (63 values each), got ${displacements.length}`,
    );
  }
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`fps must be > 0, got ${fps}`);
  if (!Number.isFinite(intensity)) throw new RangeError(`intensity must be finite, got ${intensity}`);
  const frames = displacements.length / 63;
  const solver = createLandmarkSolver(rig, options.solver);
  // The live player's chain (gain, smoothing), stepped once per track frame.
  const chain = new LipsPostProcessor(63, {
    intensity,
    smoothingMs,
    updateIntervalSec: 1 / fps,
  });
  const pose = createRigPose(rig);
  const morphInfluences = rig.morphs.map(() => new Float32Array(frames));
  const jawRotationRad = (rig.jaw?.axes ?? []).map(() => new Float32Array(frames));
  const targets = new Float32Array(frames * 63);
  const solverErrorM = new Float32Array(frames);
  const leadFrames = chain.leadSec * fps;
  for (let k = 0; k < frames; k++) {
    const target = targets.subarray(k * 63, k * 63 + 63);
    // The frame shown at time k / fps: the track interpolated the smoothing lag ahead (held at the end).
    const x = Math.min(k + leadFrames, frames - 1);
    const i = Math.floor(x);
    const a = x - i;
    const j = Math.min(i + 1, frames - 1);
    const d = displacements;
    for (let v = 0; v < 63; v++) target[v] = d[i * 63 + v] * (1 - a) + d[j * 63 + v] * a;
    chain.process(target, (k + leadFrames) / fps, target);
    solverErrorM[k] = solver.solve(target, pose);
    for (let c = 0; c < morphInfluences.length; c++) morphInfluences[c][k] = pose.morphInfluences[c];
    for (let c = 0; c < jawRotationRad.length; c++) jawRotationRad[c][k] = pose.jawRotationRad[c];
  }
  return { fps, keys: frames, morphInfluences, jawRotationRad, targets, solverErrorM };
}
