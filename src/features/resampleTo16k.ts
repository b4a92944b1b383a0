/**
 * Windowed-sinc sample-rate conversion to 16 kHz (any integer rate 8–96 kHz), streaming and offline.
 *
 * **Example:**
 * ```ts
 * const r = new StreamingResampler(48000);
 * const out = new Float32Array(r.maxOutputLength(128)); // sized once, outside process()
 * const written = r.push(block128, out);                 // no allocation
 * ```
 */

/** Zero crossings of the sinc on each side: 24 keeps the Kaiser transition band ≈ 0.8 kHz at 16 kHz out. */
const ZERO_CROSSINGS = 24;
/**
 * Cutoff as a fraction of the lower Nyquist. 0.92 puts the stop band (≈ 8.16 kHz for 16 kHz out) where
 * anything that still aliases folds back above features-v1's fMax of 7.6 kHz.
 */
const ROLLOFF = 0.92;
/** Kaiser β: about 85 dB stop-band attenuation. */
const KAISER_BETA = 8.6;
/** Above this many table entries (8 MiB of float64) weights are computed per output instead. */
const MAX_TABLE_ENTRIES = 1 << 20;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Streaming polyphase resampler with exact integer phase bookkeeping.
 *
 * The ratio out/in is reduced by its gcd to L/M; output n is the band-limited input evaluated at input
 * time (n − latencySamples)·M/L, tracked as an integer base index plus a phase in [0, L). So the output
 * is bit-identical however the input is chunked (128-sample worklet quanta or whole seconds). The
 * history before the first sample is zeros.
 *
 * `push` allocates nothing and never throws, so it can run inside `AudioWorkletProcessor.process()`.
 */
export class StreamingResampler {
  /** Input rate in Hz. */
  public readonly inputRateHz: number;
  /** Output rate in Hz. @default 16000 */
  public readonly outputRateHz: number;
  /**
   * Delay of the output in output-rate samples: output n corresponds to input time
   * (n − latencySamples)/outputRateHz seconds.
   */
  public readonly latencySamples: number;
  /** Output samples dropped because the caller's output buffer was too short (see maxOutputLength). */
  public droppedSamples = 0;

  private readonly _up: number;
  private readonly _down: number;
  private readonly _halfTaps: number;
  private readonly _taps: number;
  private readonly _cutoff: number;
  private readonly _halfWidth: number;
  private readonly _kaiserNorm: number;
  private readonly _table: Float64Array | null;
  private readonly _scratch: Float64Array;
  private readonly _history: Float64Array;
  private _base = 0;
  private _phase = 0;
  /** Total input samples received. */
  private _received = 0;

  /**
   * Creates a resampler.
   * @param inputRateHz defines the input sample rate, an integer in [8000, 96000] Hz
   * @param outputRateHz defines the output sample rate, an integer in [8000, 96000] Hz; default 16000
   * @throws RangeError when a rate is not an integer in [8000, 96000]
   */
  constructor(inputRateHz: number, outputRateHz = 16000) {
    for (const [name, rate] of [
      ['inputRateHz', inputRateHz],
      ['outputRateHz', outputRateHz],
    ] as const) {
      if (!Number.isInteger(rate) || rate < 8000 || rate > 96000) {
        throw new RangeError(
          `StreamingResampler: expected ${name} to be an integer between 8000 and 96000 Hz, got ${rate}. ` +
            'Pass the AudioContext sampleRate (e.g. 44100 or 48000).',
        );
      }
    }
    this.inputRateHz = inputRateHz;
    this.outputRateHz = outputRateHz;
    const g = gcd(inputRateHz, outputRateHz);
    this._up = outputRateHz / g;
    this._down = inputRateHz / g;
    if (this._up === this._down) {
      // Same rate: a unit impulse, so 16 kHz input passes through untouched.
      this._cutoff = 1;
      this._halfWidth = 0;
      this._halfTaps = 0;
    } else {
      this._cutoff = ROLLOFF * Math.min(1, this._up / this._down);
      this._halfWidth = ZERO_CROSSINGS / this._cutoff;
      this._halfTaps = Math.ceil(this._halfWidth);
    }
    this._kaiserNorm = 1 / besselI0(KAISER_BETA);
    this._taps = 2 * this._halfTaps + 1;
    this._scratch = new Float64Array(this._taps);
    this._table = this._up * this._taps <= MAX_TABLE_ENTRIES ? new Float64Array(this._up * this._taps) : null;
    if (this._table) {
      for (let p = 0; p < this._up; p++) this._weights(p, this._table, p * this._taps);
    }
    // Later pushes reach back at most 2·half samples; the very first output (at input time
    // −latency·M/L) can reach back up to M/L + 1 more, into the implicit zeros before the stream.
    this._history = new Float64Array(2 * this._halfTaps + Math.ceil(this._down / this._up) + 2);
    this.latencySamples = Math.ceil((this._halfTaps * this._up) / this._down);
    this.reset();
  }

  /**
   * The most samples one `push` of `inputLength` samples can write; size the output buffer with it.
   * @param inputLength defines the input block length in samples
   * @returns an upper bound on the output count
   */
  public maxOutputLength(inputLength: number): number {
    return Math.floor((inputLength * this._up + this._down - 1) / this._down) + 1;
  }

  /**
   * Consumes input samples and writes every output sample they complete. Allocates nothing, never
   * throws: if `output` is too short the surplus is dropped and counted in `droppedSamples`.
   * @param input defines the next input samples
   * @param output defines the destination; at least `maxOutputLength(input.length)` long
   * @returns the number of samples written to `output`
   */
  public push(input: Float32Array, output: Float32Array): number {
    const inputStart = this._received;
    const newReceived = inputStart + input.length;
    const history = this._history;
    const historyStart = inputStart - history.length;
    const taps = this._taps;
    const half = this._halfTaps;
    const up = this._up;
    const down = this._down;
    let written = 0;
    while (this._base + half <= newReceived - 1) {
      let weights: Float64Array;
      let w0: number;
      if (this._table) {
        weights = this._table;
        w0 = this._phase * taps;
      } else {
        weights = this._scratch;
        w0 = 0;
        this._weights(this._phase, weights, 0);
      }
      let acc = 0;
      let i = this._base - half;
      for (let t = 0; t < taps; t++, i++) {
        const x = i >= inputStart ? input[i - inputStart] : history[i - historyStart];
        acc += weights[w0 + t] * x;
      }
      if (written < output.length) output[written++] = acc;
      else this.droppedSamples++;
      this._phase += down;
      if (this._phase >= up) {
        this._base += Math.floor(this._phase / up);
        this._phase %= up;
      }
    }
    // Keep the newest history.length input samples (older ones are never needed again).
    const h = history.length;
    if (input.length >= h) {
      for (let k = 0; k < h; k++) history[k] = input[input.length - h + k];
    } else if (input.length > 0) {
      history.copyWithin(0, input.length);
      for (let k = 0; k < input.length; k++) history[h - input.length + k] = input[k];
    }
    this._received = newReceived;
    return written;
  }

  /** Clears the history (back to silence) and the phase, as if newly constructed. */
  public reset(): void {
    this._history.fill(0);
    this._received = 0;
    this.droppedSamples = 0;
    // Output 0 sits at input time −latency·M/L: numerator −latency·M over denominator L.
    const numerator = -this.latencySamples * this._down;
    this._base = Math.floor(numerator / this._up);
    this._phase = numerator - this._base * this._up;
  }

  /** Per-phase kernel: Kaiser-windowed sinc at offsets (j − phase/L), normalised to unit DC gain. */
  private _weights(phase: number, out: Float64Array, offset: number): void {
    const taps = this._taps;
    if (this._halfWidth === 0) {
      out[offset] = 1;
      return;
    }
    const frac = phase / this._up;
    const a = this._cutoff;
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      // Distance between the output time (base + frac) and input base − half + t.
      const d = frac + this._halfTaps - t;
      let w = 0;
      if (Math.abs(d) < this._halfWidth) {
        const x = Math.PI * a * d;
        const sinc = d === 0 ? 1 : Math.sin(x) / x;
        const r = d / this._halfWidth;
        w = a * sinc * besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) * this._kaiserNorm;
      }
      out[offset + t] = w;
      sum += w;
    }
    for (let t = 0; t < taps; t++) out[offset + t] /= sum;
  }
}

/**
 * Resamples a whole buffer to 16 kHz with the same kernel as `StreamingResampler`, latency removed
 * (output sample 0 is input time 0) and ⌈n·16000/inputRate⌉ samples long.
 * @param input defines mono samples at `inputRateHz`
 * @param inputRateHz defines the input rate, an integer in [8000, 96000] Hz
 * @returns the 16 kHz samples
 * @throws RangeError when the rate is out of range
 */
export function resampleTo16k(input: Float32Array, inputRateHz: number): Float32Array {
  const r = new StreamingResampler(inputRateHz, 16000);
  const up = 16000 / gcd(inputRateHz, 16000);
  const down = inputRateHz / gcd(inputRateHz, 16000);
  const outLength = Math.ceil((input.length * up) / down);
  const wanted = r.latencySamples + outLength;
  const out = new Float32Array(wanted + r.maxOutputLength(input.length) + 1);
  let produced = r.push(input, out);
  const zeros = new Float32Array(1024);
  const tmp = new Float32Array(r.maxOutputLength(zeros.length));
  while (produced < wanted) {
    const n = r.push(zeros, tmp);
    out.set(tmp.subarray(0, Math.min(n, out.length - produced)), produced);
    produced += n;
  }
  return out.slice(r.latencySamples, wanted);
}
