/**
 * Automatic A/V offset correction: turns the live telemetry's offset estimates into a correction of the
 * lips delay, gated by confidence, robust to single bad estimates, smoothed and bounded. Pure: samples
 * in, correction (ms) out; the behavior adds it to the lips delay of played sources.
 *
 * Control rule, one step at a time: wait until `estimatesPerStep` live estimates have arrived whose
 * window lies wholly after the previous step (each live sample measures the last ~2 s of speech, so
 * earlier ones still see the old delay); move the correction by `gain` × their median, unless that
 * median is inside the dead band; clamp to the bounds. With the defaults an 80 ms offset is left at
 * 16 ms after one step and 3 ms after two, about 3 s of speech apart.
 *
 * **Example:**
 * ```ts
 * const corrector = new AvOffsetCorrector();
 * lipSync.onTelemetryObservable.add((t) => {
 *   if (corrector.update(t)) console.log(`lips delay corrected by ${corrector.correctionMs} ms`);
 * });
 * ```
 */

/** The fields of a telemetry sample the corrector reads (`ITelemetrySample` has them). */
export interface IAvOffsetEstimateSample {
  /** `'live'` samples are used; utterance summaries repeat them and are ignored. */
  readonly kind: 'live' | 'utterance';
  /** Audio-clock time of the end of the measured window, seconds. */
  readonly timeSec: number;
  /** Estimated offset, ms; positive = lips late. */
  readonly avOffsetMs: number | null;
  /** Confidence of the estimate in [0, 1]. */
  readonly avOffsetConfidence: number;
  /** Speech windows behind the estimate. */
  readonly scoredWindows: number;
}

/** Options of `AvOffsetCorrector`. */
export interface IAvOffsetCorrectionOptions {
  /**
   * Estimates below this confidence are ignored. 0.5 is where telemetry starts warning about an offset
   * (`avOffsetWarning`). @default 0.5
   */
  readonly minConfidence: number;
  /** Fewest scored speech windows (200 ms each) behind an estimate. @default 5 */
  readonly minScoredWindows: number;
  /** Fraction of the measured offset corrected per step, in (0, 1]; lower is smoother and slower. @default 0.8 */
  readonly gain: number;
  /** Offsets whose magnitude is below this are left alone (the estimate's own scatter), ms. @default 10 */
  readonly deadbandMs: number;
  /**
   * Estimates per step; their median is used, so one wild estimate (a stalled render loop once read
   * −236 ms among 78–108 ms) does not move the lips. @default 3
   */
  readonly estimatesPerStep: number;
  /**
   * Audio time after a step during which estimates are ignored, seconds: a live sample measures the last
   * 2 s of speech, so until then it still sees the delay before the step. @default 2.25
   */
  readonly settleSec: number;
  /** Smallest correction (lips earlier), ms. @default -250 */
  readonly minCorrectionMs: number;
  /** Largest correction (lips later), ms. @default 250 */
  readonly maxCorrectionMs: number;
}

/** Defaults of `IAvOffsetCorrectionOptions`. */
export const DEFAULT_AV_OFFSET_CORRECTION_OPTIONS: Readonly<IAvOffsetCorrectionOptions> = Object.freeze({
  minConfidence: 0.5,
  minScoredWindows: 5,
  gain: 0.8,
  deadbandMs: 10,
  estimatesPerStep: 3,
  settleSec: 2.25,
  minCorrectionMs: -250,
  maxCorrectionMs: 250,
});

/** Closed-loop correction of the lips delay from telemetry; see the file comment. */
export class AvOffsetCorrector {
  /** Options in force. */
  readonly options: Readonly<IAvOffsetCorrectionOptions>;
  /** The correction to add to the lips delay, ms (positive = lips later). */
  correctionMs = 0;
  /** Steps taken (corrections changed). */
  steps = 0;

  private _pending: number[] = [];
  private _acceptAfterSec = -Infinity;

  /**
   * @param options defines gating, smoothing and bounds
   * @throws RangeError for values outside their documented ranges
   */
  constructor(options: Partial<IAvOffsetCorrectionOptions> = {}) {
    const o = { ...DEFAULT_AV_OFFSET_CORRECTION_OPTIONS, ...options };
    if (!(o.gain > 0 && o.gain <= 1)) throw new RangeError(`gain must be in (0, 1], got ${o.gain}`);
    if (!(o.minConfidence >= 0 && o.minConfidence <= 1))
      throw new RangeError(`minConfidence must be in [0, 1], got ${o.minConfidence}`);
    if (!(Number.isInteger(o.estimatesPerStep) && o.estimatesPerStep >= 1))
      throw new RangeError(`estimatesPerStep must be an integer >= 1, got ${o.estimatesPerStep}`);
    if (!(o.minCorrectionMs <= 0 && o.maxCorrectionMs >= 0))
      throw new RangeError(
        `expected minCorrectionMs <= 0 <= maxCorrectionMs, got ${o.minCorrectionMs} and ${o.maxCorrectionMs}`,
      );
    if (!(o.deadbandMs >= 0) || !(o.settleSec >= 0) || !(o.minScoredWindows >= 0))
      throw new RangeError('deadbandMs, settleSec and minScoredWindows must be >= 0');
    this.options = Object.freeze(o);
  }

  /**
   * Takes one telemetry sample.
   * @param sample defines the sample (only confident live estimates count)
   * @returns true when the correction changed
   */
  update(sample: IAvOffsetEstimateSample): boolean {
    const o = this.options;
    const offset = sample.avOffsetMs;
    if (sample.kind !== 'live' || offset === null || !Number.isFinite(offset)) return false;
    if (sample.avOffsetConfidence < o.minConfidence || sample.scoredWindows < o.minScoredWindows)
      return false;
    if (!(sample.timeSec >= this._acceptAfterSec)) return false;
    this._pending.push(offset);
    if (this._pending.length < o.estimatesPerStep) return false;
    const sorted = this._pending.sort((a, b) => a - b);
    const n = sorted.length;
    const median = n % 2 ? sorted[(n - 1) / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    this._pending = [];
    if (Math.abs(median) < o.deadbandMs) return false;
    // Lips late (positive offset) → less lips delay.
    const next = Math.min(
      o.maxCorrectionMs,
      Math.max(o.minCorrectionMs, this.correctionMs - o.gain * median),
    );
    this._acceptAfterSec = sample.timeSec + o.settleSec;
    if (next === this.correctionMs) return false;
    this.correctionMs = next;
    this.steps++;
    return true;
  }

  /** Back to no correction (a new session, or the user recalibrated `lipsDelayMs`). */
  reset(): void {
    this.correctionMs = 0;
    this.steps = 0;
    this._pending = [];
    this._acceptAfterSec = -Infinity;
  }
}
