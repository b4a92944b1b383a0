/**
 * Types that cross the main-thread ↔ worker boundary. Only plain data and transferable buffers
 * cross: no classes (their lifetimes would become invisible).
 */

/** 16 kHz mono audio leaving the capture worklet. */
export interface AudioChunk {
  /** Samples at 16 kHz, mono, [-1, 1]. */
  readonly samples: Float32Array;
  /** Index of `samples[0]` in the stream's 16 kHz sample count since capture started. */
  readonly firstSample: number;
  /** AudioContext time (s) of `samples[0]`, already corrected for the resampler's delay. */
  readonly contextTimeSec: number;
}

/** A block of generated lips-v1 frames, in time order. */
export interface LipsFrameBlock {
  /** Frame count. */
  readonly frames: number;
  /** AudioContext time (s) of the first frame. */
  readonly firstTimeSec: number;
  /** Seconds between frames (1 / model frame rate). */
  readonly frameDurationSec: number;
  /**
   * Lips-v1 displacements from `LIPS_V1.neutral`, `frames × 21 × 3` metres, head frame: the generator's
   * output as is (zero is the rest pose). Playout, the silence gate and the solver work on these; the
   * neutral pose is added only where positions are needed (`ILipSyncFrameEvent.points`, the track JSON).
   */
  readonly displacements: Float32Array;
  /** RMS of the 16 kHz speech over each frame's span (same length as `frames`), linear full scale. */
  readonly speechRms: Float32Array;
}

/** Counters the worker keeps for telemetry. */
export interface WorkerStats {
  readonly backend: 'webgpu' | 'wasm' | null;
  readonly wasmThreads: number;
  readonly generatorRuns: number;
  /** Recent generator run times, ms (last ≤ 64). */
  readonly generatorRunMs: readonly number[];
  readonly droppedChunks: number;
  readonly queueDepth: number;
  readonly samplesReceived: number;
}
