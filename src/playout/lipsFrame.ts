/**
 * One frame of lip landmarks on the audio clock: the contract from the worker (producer) through playout to
 * the rig solver. Defined here, where it is consumed on the main thread, so the worker, playout and rig agree
 * on one shape.
 */

/** A `lips-v1` frame stamped with the audio-clock time it belongs to. */
export interface LipsFrame {
  /** Audio-clock time (AudioContext seconds) the frame belongs to. */
  readonly timeSec: number;
  /**
   * `lips-v1` displacements from `LIPS_V1.neutral`, 21 × 3, metres, head frame (x = subject's left, y up,
   * z forward): zero is the rest pose.
   */
  readonly displacements: Float32Array;
}
