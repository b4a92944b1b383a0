/**
 * Power spectrum of a real frame by an in-place radix-2 FFT, with preallocated scratch so a streaming
 * extractor does not allocate per frame.
 */

/**
 * Real-input FFT of a fixed power-of-two size that returns the one-sided power spectrum.
 *
 * Computed in float64: the log-mel goldens from training/features.py (numpy, float64) are matched to
 * 1e-4, and float32 butterflies would lose that on low-energy bins.
 */
export class Rfft {
  /** FFT size in samples. */
  public readonly size: number;
  /** Number of one-sided bins, `size / 2 + 1`. */
  public readonly bins: number;
  private readonly _re: Float64Array;
  private readonly _im: Float64Array;
  private readonly _cos: Float64Array;
  private readonly _sin: Float64Array;
  private readonly _bitReverse: Uint32Array;

  /**
   * Creates an FFT plan.
   * @param size defines the FFT size; must be a power of two ≥ 2
   * @throws RangeError when `size` is not a power of two
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new RangeError(`Rfft: expected a power-of-two size ≥ 2, got ${size}. Use e.g. 512.`);
    }
    this.size = size;
    this.bins = size / 2 + 1;
    this._re = new Float64Array(size);
    this._im = new Float64Array(size);
    this._cos = new Float64Array(size / 2);
    this._sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this._cos[k] = Math.cos((2 * Math.PI * k) / size);
      this._sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this._bitReverse = new Uint32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this._bitReverse[i] = r;
    }
  }

  /**
   * Computes |X[k]|² for k = 0 … size/2 of a real frame, zero-padded to `size`.
   * @param frame defines the input samples; at most `size` values are read
   * @param frameLength defines how many samples of `frame` to use (the rest is zero padding)
   * @param out defines the destination, at least `bins` long
   */
  public powerSpectrum(frame: ArrayLike<number>, frameLength: number, out: Float64Array): void {
    const n = this.size;
    const re = this._re;
    const im = this._im;
    const rev = this._bitReverse;
    for (let i = 0; i < n; i++) {
      const src = rev[i];
      re[i] = src < frameLength ? frame[src] : 0;
      im[i] = 0;
    }
    for (let half = 1; half < n; half *= 2) {
      const step = n / (2 * half);
      for (let start = 0; start < n; start += 2 * half) {
        for (let k = 0; k < half; k++) {
          const c = this._cos[k * step];
          const s = this._sin[k * step];
          const a = start + k;
          const b = a + half;
          const tr = re[b] * c - im[b] * s;
          const ti = re[b] * s + im[b] * c;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
    for (let k = 0; k < this.bins; k++) out[k] = re[k] * re[k] + im[k] * im[k];
  }
}
