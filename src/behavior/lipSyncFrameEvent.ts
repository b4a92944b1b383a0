/** The payload of `PerceptualLipSyncBehavior.onFrameObservable`. */
import type { LipsPlayoutState } from '../playout/lipsPlayout.ts';

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
