/**
 * Chunk-by-chunk log-mel extraction for the worker: same frames, same values as the offline
 * `logMelSpectrogram`, whatever the chunk sizes.
 */
import { FEATURES_V1, type IFeatureSpec } from './featureSpec.ts';
import type { LogMelBlock } from './logMelBlock.ts';
import { LogMelFrameComputer } from './logMelFrameComputer.ts';
import { frameCount } from './logMelSpectrogram.ts';

export type { LogMelBlock } from './logMelBlock.ts';

/**
 * Streaming log-mel extractor over a 16 kHz stream.
 *
 * Keeps the samples that the next frame still needs (less than frameLength + hop) and emits every frame
 * completed by each push, stamped with its absolute index and start time.
 */
export class StreamingLogMel {
  /** The feature parameters in use. */
  public readonly spec: IFeatureSpec;
  private readonly _computer: LogMelFrameComputer;
  private _pending: Float64Array;
  private _pendingLength = 0;
  /** Absolute sample index of `_pending[0]`. */
  private _pendingStart = 0;
  private _nextFrame = 0;

  /**
   * Creates an extractor.
   * @param spec defines the feature parameters; defaults to features-v1
   */
  constructor(spec: IFeatureSpec = FEATURES_V1) {
    this.spec = spec;
    this._computer = new LogMelFrameComputer(spec);
    this._pending = new Float64Array(spec.frameLengthSamples + spec.hopLengthSamples);
  }

  /**
   * Appends samples and returns the frames they complete.
   * @param samples defines the next mono 16 kHz samples of the stream
   * @returns the completed frames, or null when this push completes none
   * @throws RangeError when a sample is not finite
   */
  public push(samples: ArrayLike<number>): LogMelBlock | null {
    const spec = this.spec;
    const needed = this._pendingLength + samples.length;
    if (needed > this._pending.length) {
      const grown = new Float64Array(Math.max(needed, 2 * this._pending.length));
      grown.set(this._pending.subarray(0, this._pendingLength));
      this._pending = grown;
    }
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i];
      if (!Number.isFinite(v)) {
        throw new RangeError(`StreamingLogMel.push: expected finite samples, got ${v} at index ${i}.`);
      }
      this._pending[this._pendingLength + i] = v;
    }
    this._pendingLength = needed;

    const hop = spec.hopLengthSamples;
    // Frames whose end lies within the samples received so far.
    const total = frameCount(this._pendingStart + this._pendingLength, spec.frameLengthSamples, hop);
    const count = total - this._nextFrame;
    if (count <= 0) return null;
    const mels = spec.melBands;
    const data = new Float32Array(count * mels);
    for (let f = 0; f < count; f++) {
      const start = (this._nextFrame + f) * hop - this._pendingStart;
      this._computer.compute(this._pending, start, data, f * mels);
    }
    const block: LogMelBlock = {
      data,
      frames: count,
      mels,
      firstFrame: this._nextFrame,
      startTimeSec: (this._nextFrame * hop) / spec.sampleRateHz,
    };
    this._nextFrame = total;
    // Drop samples no later frame needs: the next frame starts at _nextFrame·hop.
    const keepFrom = Math.min(this._nextFrame * hop - this._pendingStart, this._pendingLength);
    this._pending.copyWithin(0, keepFrom, this._pendingLength);
    this._pendingLength -= keepFrom;
    this._pendingStart += keepFrom;
    return block;
  }

  /** Forgets all buffered samples and restarts frame numbering at 0. */
  public reset(): void {
    this._pendingLength = 0;
    this._pendingStart = 0;
    this._nextFrame = 0;
  }
}
