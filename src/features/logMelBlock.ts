/**
 * The features → models contract: a block of consecutive log-mel frames with its position in time.
 */

/** Consecutive log-mel frames of the 16 kHz stream, `frames × mels` row-major. */
export interface LogMelBlock {
  /** Natural-log mel energies, `frames × mels`, row-major (frame-major). */
  data: Float32Array;
  /** Number of frames in the block. */
  frames: number;
  /** Number of mel bands per frame. */
  mels: number;
  /** Absolute index of the first frame since the stream started (or was reset). */
  firstFrame: number;
  /** Start time of the first frame in seconds since the stream started: firstFrame·hop/sampleRate. */
  startTimeSec: number;
}
