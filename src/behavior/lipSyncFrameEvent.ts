/** The payload of `PerceptualLipSyncBehavior.onFrameObservable`. */
import { lipsDisplacementsToPoints } from '../models/lipsDisplacementsToPoints.ts';
import type { LipsPlayoutState } from '../playout/lipsPlayout.ts';
import type { ISampledLips } from '../playout/sessionPlayout.ts';

/** One applied frame (`onFrameObservable`). */
export interface ILipSyncFrameEvent {
  /** Audio-clock time shown, seconds. */
  readonly timeSec: number;
  /**
   * Audio-clock time of the speech the lips shown belong to, seconds: `timeSec − lipsDelayMs`, and earlier
   * while frames arrive late (the newest one is held). -Infinity before the first frame.
   */
  readonly lipsTimeSec: number;
  /**
   * The lips-v1 points shown (after gain and smoothing), 21 × 3, metres: absolute head-frame positions,
   * `LIPS_V1.neutral` plus the displacements sent to the solver. Reused: copy to keep.
   */
  readonly points: Float32Array;
  /** What playout produced. */
  readonly playout: LipsPlayoutState;
  /** Weighted RMS landmark error of the solved pose, metres. */
  readonly solverErrorM: number;
}

/**
 * The event of one render: what playout sampled, with the lips shown turned from displacements into
 * positions (the only place the live path adds the neutral pose).
 * @param at defines what the render sampled
 * @param displacements defines the lips sent to the solver (lips-v1 displacements from neutral)
 * @param points defines where the positions are written (reused)
 * @returns the event
 */
export function lipSyncFrameEvent(
  at: ISampledLips,
  displacements: Float32Array,
  points: Float32Array,
): ILipSyncFrameEvent {
  return {
    timeSec: at.nowSec,
    lipsTimeSec: at.shownLipsTimeSec,
    points: lipsDisplacementsToPoints(displacements, 1, points),
    playout: at.state,
    solverErrorM: at.solverErrorM,
  };
}
