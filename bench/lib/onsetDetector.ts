/**
 * Sharp-onset detector shared by the capture tap worklet (streaming) and the page (offline, over a
 * decoded buffer), so both sides define "onset" the same way: the first sample whose magnitude exceeds
 * `threshold` after at least `minGapSec` of samples below it.
 */

/** Options of `OnsetDetector`. */
export interface IOnsetDetectorOptions {
  /** Magnitude threshold, linear full scale. @default 0.02 (−34 dBFS) */
  threshold?: number;
  /** Silence (below threshold) needed before a new onset, seconds. @default 0.25 */
  minGapSec?: number;
}

/** Streaming onset detector; `push` returns onsets as sample indices since the first push. */
export class OnsetDetector {
  private readonly _threshold: number;
  private readonly _minGap: number;
  private _n = 0;
  private _lastLoud = -Infinity;

  constructor(sampleRateHz: number, options: IOnsetDetectorOptions = {}) {
    this._threshold = options.threshold ?? 0.02;
    this._minGap = Math.round((options.minGapSec ?? 0.25) * sampleRateHz);
  }

  /**
   * @param x defines the next samples
   * @param onOnset receives the global index of each onset sample
   */
  push(x: ArrayLike<number>, onOnset: (sampleIndex: number) => void): void {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v > this._threshold || v < -this._threshold) {
        const idx = this._n + i;
        if (idx - this._lastLoud > this._minGap) onOnset(idx);
        this._lastLoud = idx;
      }
    }
    this._n += x.length;
  }
}

/** Onsets of a whole signal, seconds from its start. */
export function detectOnsets(
  x: ArrayLike<number>,
  sampleRateHz: number,
  options?: IOnsetDetectorOptions,
): number[] {
  const out: number[] = [];
  new OnsetDetector(sampleRateHz, options).push(x, (i) => out.push(i / sampleRateHz));
  return out;
}
