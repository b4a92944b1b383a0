/**
 * The per-frame log-mel step shared by the offline and streaming extractors, so both produce
 * bit-identical values.
 */
import type { IFeatureSpec } from './featureSpec.ts';
import { melFilterBank, type IMelFilterBank } from './melFilterBank.ts';
import { Rfft } from './rfft.ts';
import { windowFunction } from './windowFunction.ts';

/**
 * Computes one log-mel frame at a time with preallocated scratch.
 * @internal
 */
export class LogMelFrameComputer {
  /** Number of mel bands per frame. */
  public readonly mels: number;
  private readonly _spec: IFeatureSpec;
  private readonly _window: Float64Array;
  private readonly _bank: IMelFilterBank;
  private readonly _fft: Rfft;
  private readonly _frame: Float64Array;
  private readonly _power: Float64Array;

  constructor(spec: IFeatureSpec) {
    if (spec.frameLengthSamples > spec.fftSize) {
      throw new RangeError(
        `LogMelFrameComputer: expected frameLengthSamples ≤ fftSize, got ${spec.frameLengthSamples} > ${spec.fftSize}. Fix the feature spec.`,
      );
    }
    this._spec = spec;
    this.mels = spec.melBands;
    this._window = windowFunction(spec.window, spec.frameLengthSamples);
    this._bank = melFilterBank(spec);
    this._fft = new Rfft(spec.fftSize);
    this._frame = new Float64Array(spec.frameLengthSamples);
    this._power = new Float64Array(this._fft.bins);
  }

  /**
   * Writes the log-mel values of the frame starting at `source[offset]` into `out[outOffset …]`.
   *
   * Order (Kaldi convention): per-frame DC removal, then preemphasis in which the first sample uses
   * itself as its predecessor (x[0] ← x[0] − p·x[0]), then the window, zero padding to fftSize, the
   * power spectrum, the mel filters and ln(max(E, logFloor)).
   */
  public compute(source: ArrayLike<number>, offset: number, out: Float32Array, outOffset: number): void {
    const spec = this._spec;
    const n = spec.frameLengthSamples;
    const frame = this._frame;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      frame[i] = source[offset + i];
      mean += frame[i];
    }
    if (spec.removeDcPerFrame) {
      mean /= n;
      for (let i = 0; i < n; i++) frame[i] -= mean;
    }
    const p = spec.preemphasis;
    if (p !== 0) {
      for (let i = n - 1; i > 0; i--) frame[i] -= p * frame[i - 1];
      frame[0] -= p * frame[0];
    }
    for (let i = 0; i < n; i++) frame[i] *= this._window[i];
    this._fft.powerSpectrum(frame, n, this._power);
    const power = this._power;
    if (spec.power !== 2) {
      // Magnitude^power from |X|^2: keeps the FFT output squared, which is what features-v1 uses.
      for (let k = 0; k < power.length; k++) power[k] = Math.pow(power[k], spec.power / 2);
    }
    const bank = this._bank;
    for (let m = 0; m < bank.mels; m++) {
      let e = 0;
      const row = m * bank.bins;
      for (let k = bank.firstBin[m]; k < bank.endBin[m]; k++) e += bank.weights[row + k] * power[k];
      out[outOffset + m] = Math.log(Math.max(e, spec.logFloor));
    }
  }
}
