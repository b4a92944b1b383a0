/**
 * Resamples per-render-frame lips (read back from the avatar at the audio time being heard) onto the
 * stream's 50 fps output-frame grid, so they line up frame for frame with the speech features. Pure.
 */

/** Options of `LipsGridRecorder`. */
export interface ILipsGridRecorderOptions {
  /** Grid frames kept. @default 256 (5.12 s at 50 fps) */
  readonly capacityFrames: number;
  /** Values per frame. @default 63 (lips-v1) */
  readonly valuesPerFrame: number;
  /** Render gaps up to this long are interpolated across, s. @default 0.1 */
  readonly maxGapSec: number;
  /**
   * Longer render gaps, up to this long, are filled with the earlier sample: a slow renderer (a weak
   * GPU, SwiftShader at ~4 fps) keeps each frame on screen until the next, and that is what the viewer
   * saw. Longer gaps (a hidden tab, a stall) stay missing. s. @default 1
   */
  readonly maxHoldSec: number;
}

/** Ring of grid frames filled by linear interpolation between consecutive render-time samples. */
export class LipsGridRecorder {
  private readonly _o: ILipsGridRecorderOptions;
  private readonly _values: Float32Array;
  private readonly _index: Float64Array; // grid index held by each slot (NaN = none)
  private readonly _prev: Float32Array;
  private _prevTime = NaN;
  private _origin = NaN;
  private _dur = NaN;
  private _latest = -1;

  /** @param options defines capacity, frame size and gap handling */
  constructor(options: Partial<ILipsGridRecorderOptions> = {}) {
    this._o = { capacityFrames: 256, valuesPerFrame: 63, maxGapSec: 0.1, maxHoldSec: 1, ...options };
    if (!(Number.isInteger(this._o.capacityFrames) && this._o.capacityFrames >= 2))
      throw new RangeError(
        `LipsGridRecorder: capacityFrames must be an integer ≥ 2, got ${this._o.capacityFrames}`,
      );
    this._values = new Float32Array(this._o.capacityFrames * this._o.valuesPerFrame);
    this._index = new Float64Array(this._o.capacityFrames).fill(NaN);
    this._prev = new Float32Array(this._o.valuesPerFrame);
  }

  /** True once `setGrid` was called. */
  get hasGrid(): boolean {
    return Number.isFinite(this._origin);
  }
  /** Seconds between grid frames (NaN before `setGrid`). */
  get frameDurationSec(): number {
    return this._dur;
  }
  /** Newest grid index filled, or −1. */
  get latestIndex(): number {
    return this._latest;
  }

  /**
   * Fixes the grid: frame j is at `originSec + j · frameDurationSec`. Later calls are ignored.
   * @param originSec defines the time of grid frame 0 (audio clock, s)
   * @param frameDurationSec defines the frame spacing, s
   */
  setGrid(originSec: number, frameDurationSec: number): void {
    if (this.hasGrid || !Number.isFinite(originSec) || !(frameDurationSec > 0)) return;
    this._origin = originSec;
    this._dur = frameDurationSec;
  }

  /** Grid index nearest to a time (needs the grid). */
  indexOf(timeSec: number): number {
    return Math.round((timeSec - this._origin) / this._dur);
  }
  /** Time of a grid index, s. */
  timeOf(index: number): number {
    return this._origin + index * this._dur;
  }

  /**
   * Records the values shown at `timeSec`; fills every grid frame between the previous sample and this
   * one (interpolated over short gaps, held over slow renders). A sample going back in time restarts the
   * interpolation. Allocation-free.
   * @param timeSec defines the audio-clock time the values belong to
   * @param values defines `valuesPerFrame` values (copied)
   */
  record(timeSec: number, values: ArrayLike<number>): void {
    if (!this.hasGrid || !Number.isFinite(timeSec)) return;
    const V = this._o.valuesPerFrame;
    const t0 = this._prevTime;
    const gap = timeSec - t0;
    if (Number.isFinite(t0) && gap > 0 && gap <= Math.max(this._o.maxGapSec, this._o.maxHoldSec)) {
      const hold = gap > this._o.maxGapSec;
      const first = Math.max(0, Math.floor((t0 - this._origin) / this._dur) + 1);
      const last = Math.floor((timeSec - this._origin) / this._dur);
      for (let j = Math.max(first, this._latest + 1); j <= last; j++) {
        // Held: the screen showed the earlier sample until this render.
        const a = hold ? (this.timeOf(j) >= timeSec - 1e-9 ? 1 : 0) : (this.timeOf(j) - t0) / gap;
        const slot = j % this._o.capacityFrames;
        for (let i = 0; i < V; i++)
          this._values[slot * V + i] = this._prev[i] + a * (values[i] - this._prev[i]);
        this._index[slot] = j;
        this._latest = j;
      }
    }
    for (let i = 0; i < V; i++) this._prev[i] = values[i];
    this._prevTime = timeSec;
  }

  /** True when grid frame `index` is held. */
  has(index: number): boolean {
    return index >= 0 && this._index[index % this._o.capacityFrames] === index;
  }

  /**
   * The values of a grid frame (a view: copy to keep), or null when it is not held.
   * @param index defines the grid index
   */
  frame(index: number): Float32Array | null {
    if (!this.has(index)) return null;
    const V = this._o.valuesPerFrame;
    const slot = index % this._o.capacityFrames;
    return this._values.subarray(slot * V, slot * V + V);
  }
}
