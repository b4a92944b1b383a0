/**
 * A bounded, time-ordered ring of lips-v1 frames that answers "which lips belong to audio-clock time t?".
 * Storage is allocated once; `push` copies, `frameAt` interpolates into the caller's array.
 */
import type { LipsFrame } from './lipsFrame.ts';

/** Options of `PlayoutBuffer`. */
export interface IPlayoutBufferOptions {
  /**
   * Frames kept; when full the oldest is dropped (and counted). 64 frames is 1.28 s at 50 Hz: more than the
   * worker's look-ahead, so only a stalled renderer overflows.
   * @default 64
   */
  readonly capacity: number;
  /**
   * Frames further apart than this (seconds) are not interpolated across: the earlier one is held.
   * @default 0.25
   */
  readonly maxGapSec: number;
  /** Values per frame. @default 63 (lips-v1) */
  readonly valuesPerFrame: number;
}

/** Time-ordered ring of frames with interpolation at a given audio-clock time. */
export class PlayoutBuffer {
  /** Frames dropped because the buffer was full or they arrived late (not after the newest). */
  dropped = 0;
  /** Times the buffer was cleared because frame times went backwards (a new stream or clock). */
  discontinuities = 0;

  private readonly _capacity: number;
  private readonly _stride: number;
  private readonly _maxGapSec: number;
  private readonly _points: Float32Array;
  private readonly _times: Float64Array;
  private _head = 0; // index of the oldest frame
  private _size = 0;

  /**
   * @param options defines capacity, gap and frame size
   * @throws RangeError for a capacity < 2, non-positive gap or frame size
   */
  constructor(options: Partial<IPlayoutBufferOptions> = {}) {
    this._capacity = options.capacity ?? 64;
    this._stride = options.valuesPerFrame ?? 63;
    this._maxGapSec = options.maxGapSec ?? 0.25;
    if (!Number.isInteger(this._capacity) || this._capacity < 2)
      throw new RangeError('capacity must be an integer ≥ 2');
    if (!Number.isInteger(this._stride) || this._stride < 1)
      throw new RangeError('valuesPerFrame must be ≥ 1');
    if (!(this._maxGapSec > 0)) throw new RangeError('maxGapSec must be > 0');
    this._points = new Float32Array(this._capacity * this._stride);
    this._times = new Float64Array(this._capacity);
  }

  /** Number of frames held. */
  get size(): number {
    return this._size;
  }

  /** Time of the newest frame, or -Infinity when empty. */
  get newestTimeSec(): number {
    return this._size === 0 ? -Infinity : this._times[(this._head + this._size - 1) % this._capacity];
  }

  /** Time of the oldest frame, or Infinity when empty. */
  get oldestTimeSec(): number {
    return this._size === 0 ? Infinity : this._times[this._head];
  }

  /**
   * Adds a frame after the newest one (copying its displacements). A frame whose time is not after the newest is a
   * duplicate (dropped) when equal, or a discontinuity (buffer cleared, then added) when earlier by more
   * than `maxGapSec`; slightly earlier frames are dropped as late.
   * @param frame defines the frame
   * @returns false when the frame was dropped
   */
  push(frame: LipsFrame): boolean {
    if (frame.displacements.length < this._stride || !Number.isFinite(frame.timeSec)) {
      this.dropped++;
      return false;
    }
    const newest = this.newestTimeSec;
    if (frame.timeSec <= newest) {
      if (newest - frame.timeSec > this._maxGapSec) {
        this.discontinuities++;
        this.reset();
      } else {
        this.dropped++;
        return false;
      }
    }
    if (this._size === this._capacity) {
      this._head = (this._head + 1) % this._capacity;
      this._size--;
      this.dropped++;
    }
    const slot = (this._head + this._size) % this._capacity;
    this._times[slot] = frame.timeSec;
    this._points.set(frame.displacements.subarray(0, this._stride), slot * this._stride);
    this._size++;
    return true;
  }

  /**
   * Writes the frame for time `t`: linear interpolation between the frames around `t`, the newest frame when
   * `t` is past it (held; rest handling decides when it is stale), the earlier frame across a gap. Frames
   * older than the one at or before `t` are discarded, since the clock only moves forward.
   * @param tSec defines the audio-clock time
   * @param out defines where the values are written
   * @returns false (and `out` untouched) when empty or `t` is before the oldest frame: nothing from the
   * future is ever shown
   */
  frameAt(tSec: number, out: Float32Array): boolean {
    if (this._size === 0 || !(tSec >= this._times[this._head])) return false;
    // Advance past frames that are no longer needed: keep the last frame with time ≤ t.
    while (this._size > 1 && this._times[(this._head + 1) % this._capacity] <= tSec) {
      this._head = (this._head + 1) % this._capacity;
      this._size--;
    }
    const a = this._head;
    const s = this._stride;
    if (this._size === 1) {
      out.set(this._points.subarray(a * s, a * s + s));
      return true;
    }
    const b = (a + 1) % this._capacity;
    const ta = this._times[a];
    const tb = this._times[b];
    const w = tb - ta > this._maxGapSec ? 0 : (tSec - ta) / (tb - ta);
    const pa = a * s;
    const pb = b * s;
    for (let i = 0; i < s; i++)
      out[i] = this._points[pa + i] + w * (this._points[pb + i] - this._points[pa + i]);
    return true;
  }

  /** Empties the buffer (counters are kept). */
  reset(): void {
    this._head = 0;
    this._size = 0;
  }
}
