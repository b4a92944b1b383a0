/**
 * Timestamped smoothing of landmark coordinates: a critically damped spring per value, stepped with the
 * exact solution so the result does not depend on the render rate and never overshoots a held target.
 */

/**
 * Default smoothing time constant, milliseconds: 20 ms removes 50 Hz frame steps while keeping closures
 * (≈ 60 ms) visible. The one source of the default (the behavior's `smoothingMs`, playout, both bakes).
 */
export const DEFAULT_SMOOTHING_MS = 20;

/** Options of `Smoothing`. */
export interface ISmoothingOptions {
  /**
   * Spring time constant 1/ω, milliseconds; 0 disables smoothing. 20 ms removes 50 Hz frame steps while
   * keeping closures (≈ 60 ms) visible.
   * @default 20
   */
  readonly timeConstantMs: number;
  /**
   * A gap between updates longer than this (seconds), or time going backwards, snaps to the target.
   * @default 0.5
   */
  readonly resetAfterSec: number;
}

/**
 * How late the smoothed output follows slow motion, seconds. The critically damped response
 * ω² / (s + ω)² delays a ramp by 2 / ω = 2 × the time constant; `Smoothing.update` holds each new target
 * over the step that ends at it, which takes half an update interval back. Played sources sample their
 * lips this far ahead to cancel it.
 * @param timeConstantMs defines the spring time constant (`ISmoothingOptions.timeConstantMs`)
 * @param updateIntervalSec defines the time between updates (1/60 s for a 60 Hz render loop)
 */
export function smoothingLagSec(timeConstantMs: number, updateIntervalSec: number): number {
  if (!(timeConstantMs > 0)) return 0;
  return Math.max(0, (2 * timeConstantMs) / 1000 - updateIntervalSec / 2);
}

/** Critically damped spring smoothing over a fixed number of values. Allocates nothing per update. */
export class Smoothing {
  private readonly _x: Float64Array;
  private readonly _v: Float64Array;
  private _omega: number;
  private readonly _resetAfterSec: number;
  private _lastT = NaN;

  /**
   * @param size defines the number of values (63 for lips-v1)
   * @param options defines the time constant and reset gap
   * @throws RangeError for a negative time constant or non-positive reset gap
   */
  constructor(size: number, options: Partial<ISmoothingOptions> = {}) {
    const tc = options.timeConstantMs ?? DEFAULT_SMOOTHING_MS;
    this._resetAfterSec = options.resetAfterSec ?? 0.5;
    if (!(tc >= 0)) throw new RangeError(`timeConstantMs must be ≥ 0, got ${tc}`);
    if (!(this._resetAfterSec > 0)) throw new RangeError('resetAfterSec must be > 0');
    this._omega = tc === 0 ? Infinity : 1000 / tc;
    this._x = new Float64Array(size);
    this._v = new Float64Array(size);
  }

  /**
   * Moves the state towards `target` over the time since the previous update and writes it to `out`.
   * @param target defines the target values
   * @param tSec defines the time of this update, seconds (any monotonic clock)
   * @param out defines where the smoothed values are written (may be `target`)
   * @returns `out`
   */
  update<T extends Float32Array | Float64Array>(target: ArrayLike<number>, tSec: number, out: T): T {
    const dt = tSec - this._lastT;
    const n = this._x.length;
    this._lastT = tSec;
    if (!(dt > 0) || dt > this._resetAfterSec || this._omega === Infinity) {
      for (let i = 0; i < n; i++) {
        this._x[i] = target[i];
        this._v[i] = 0;
        out[i] = target[i];
      }
      return out;
    }
    const w = this._omega;
    const e = Math.exp(-w * dt);
    for (let i = 0; i < n; i++) {
      // y(t) = (y0 + (v0 + ω·y0)·t)·e^(−ωt), with y the offset from the (held) target.
      const y = this._x[i] - target[i];
      const c = this._v[i] + w * y;
      this._x[i] = target[i] + (y + c * dt) * e;
      this._v[i] = (this._v[i] - w * c * dt) * e;
      out[i] = this._x[i];
    }
    return out;
  }

  /** Forgets the state: the next update snaps to its target. */
  reset(): void {
    this._lastT = NaN;
  }
}
