/**
 * Playout for one avatar: buffers incoming lips frames and, once per render, produces the lips for the
 * audio clock's "now": interpolated frame → ease to rest when stale → intensity gain → smoothing.
 * Everything is a displacement from neutral (the rest pose is zero). Allocation-free per frame; the clock
 * is passed in, so tests drive it.
 */
import { easeToRest, type IEaseToRestOptions } from './easeToRest.ts';
import type { LipsFrame } from './lipsFrame.ts';
import { gatedFrame, LipsPostProcessor } from './lipsPostProcess.ts';
import { PlayoutBuffer, type IPlayoutBufferOptions } from './playoutBuffer.ts';
import { RENDER_INTERVAL_SEC } from './playoutTiming.ts';
import { DEFAULT_SMOOTHING_MS } from './smoothing.ts';

/** Options of `LipsPlayout`. */
export interface ILipsPlayoutOptions
  extends Omit<IPlayoutBufferOptions, 'valuesPerFrame'>, IEaseToRestOptions {
  /** Scale of the displacement from neutral (1 = as generated). @default 1 */
  readonly intensity: number;
  /** Smoothing time constant, milliseconds (0 = off). @default DEFAULT_SMOOTHING_MS (20) */
  readonly smoothingTimeConstantMs: number;
  /** Time between `sample` calls the smoothing lead is computed for, seconds. @default RENDER_INTERVAL_SEC */
  readonly updateIntervalSec: number;
}

/** A block of generated frames as the worker delivers it (`LipsFrameBlock`). */
export interface ILipsFrameBlockLike {
  readonly frames: number;
  readonly firstTimeSec: number;
  readonly frameDurationSec: number;
  /** Displacements from neutral, `frames × values` per frame. */
  readonly displacements: Float32Array;
  /** Speech RMS per frame (the silence gate). */
  readonly speechRms: ArrayLike<number>;
}

/** Defaults of `ILipsPlayoutOptions`. */
export const DEFAULT_LIPS_PLAYOUT_OPTIONS: Readonly<ILipsPlayoutOptions> = Object.freeze({
  capacity: 64,
  maxGapSec: 0.25,
  holdMs: 120,
  easeMs: 250,
  intensity: 1,
  smoothingTimeConstantMs: DEFAULT_SMOOTHING_MS,
  updateIntervalSec: RENDER_INTERVAL_SEC,
});

/**
 * What `sample` produced: `playing` a current frame, `easing` a stale one on its way to neutral, `rest`
 * neutral (no frame yet, or stale for longer than hold + ease).
 */
export type LipsPlayoutState = 'playing' | 'easing' | 'rest';

/** Frame buffer + rest handling + gain + smoothing for one stream of lips frames. */
export class LipsPlayout {
  /** The frame buffer (its `dropped` and `discontinuities` counters feed telemetry). */
  readonly buffer: PlayoutBuffer;

  private readonly _options: ILipsPlayoutOptions;
  /** One frame of zeros: the rest pose. */
  private readonly _rest: Float32Array;
  private readonly _last: Float32Array;
  private _lastCoveredSec = -Infinity;
  private _hasLast = false;
  /** Playout time of the last `interrupt`, while its ease to rest runs; NaN otherwise. */
  private _cutSec = NaN;
  private _cutEaseMs = 0;
  /** What the last `sample` wrote (the lips on screen), and that at the cut. */
  private readonly _shown: Float32Array;
  private readonly _shownAtCut: Float32Array;
  /** Gain and smoothing: the post-processing chain every lips path shares. */
  private readonly _post: LipsPostProcessor;

  /**
   * @param valuesPerFrame defines the displacements per frame (lips-v1: `LIPS_V1_VALUES`, 63)
   * @param options defines buffer, rest, gain and smoothing settings
   * @throws RangeError for out-of-range options
   */
  constructor(valuesPerFrame: number, options: Partial<ILipsPlayoutOptions> = {}) {
    this._options = { ...DEFAULT_LIPS_PLAYOUT_OPTIONS, ...options };
    const o = this._options;
    if (!(o.holdMs >= 0) || !(o.easeMs >= 0)) throw new RangeError('holdMs and easeMs must be ≥ 0');
    if (!Number.isFinite(o.intensity)) throw new RangeError('intensity must be finite');
    this._rest = new Float32Array(valuesPerFrame);
    this._last = new Float32Array(valuesPerFrame);
    this._shown = new Float32Array(valuesPerFrame);
    this._shownAtCut = new Float32Array(valuesPerFrame);
    this.buffer = new PlayoutBuffer({
      capacity: o.capacity,
      maxGapSec: o.maxGapSec,
      valuesPerFrame,
    });
    this._post = new LipsPostProcessor(valuesPerFrame, {
      intensity: o.intensity,
      smoothingMs: o.smoothingTimeConstantMs,
      updateIntervalSec: o.updateIntervalSec,
    });
  }

  /** Scale of the displacement from neutral; takes effect on the next `sample`. */
  get intensity(): number {
    return this._post.intensity;
  }
  set intensity(value: number) {
    this._post.intensity = value;
  }

  /** How far ahead of the time shown frames should be sampled to cancel the smoothing lag, seconds. */
  get leadSec(): number {
    return this._post.leadSec;
  }

  /**
   * Queues a block of generated frames through the silence gate: digital silence (a muted or idle source)
   * shows the rest pose whatever the model makes of it. Frames before `staleBeforeSec` are dropped.
   * @param block defines the frames
   * @param staleBeforeSec defines the audio-clock time before which frames are stale
   */
  pushBlock(block: ILipsFrameBlockLike, staleBeforeSec = -Infinity): void {
    for (let f = 0; f < block.frames; f++) {
      const timeSec = block.firstTimeSec + f * block.frameDurationSec;
      if (timeSec < staleBeforeSec) continue;
      const displacements = gatedFrame(block.displacements, f, block.speechRms[f], this._rest);
      this.push({ timeSec, displacements });
    }
  }

  /**
   * Queues a frame (its displacements are copied).
   * @param frame defines the frame
   * @returns false when it was dropped (late, duplicate or malformed)
   */
  push(frame: LipsFrame): boolean {
    return this.buffer.push(frame);
  }

  /**
   * Audio-clock time of the newest lips the last `sample` used: its `nowSec`, or earlier when frames
   * arrived late and the newest one was held. -Infinity before the first frame.
   */
  get coveredSec(): number {
    return this._lastCoveredSec;
  }

  /**
   * Writes the lips to show at audio-clock time `nowSec`, as displacements from neutral.
   * @param nowSec defines the audio-clock time (`AudioClock.now()`)
   * @param out defines where the displacements are written
   * @returns what was produced
   */
  sample(nowSec: number, out: Float32Array): LipsPlayoutState {
    if (this.buffer.frameAt(nowSec, this._last)) {
      this._hasLast = true;
      this._lastCoveredSec = Math.min(nowSec, this.buffer.newestTimeSec);
      this._cutSec = NaN; // frames of the next utterance
    }
    let state: LipsPlayoutState;
    if (!this._hasLast) {
      out.fill(0);
      state = 'rest';
    } else if (this._cutSec === this._cutSec) {
      // From what was on screen at the cut, past gain and smoothing: the 20 ms spring alone would still
      // be 4 % open 100 ms later; it restarts from the eased pose, so the next utterance starts smoothly.
      const w = easeToRest(
        this._shownAtCut,
        nowSec - this._cutSec,
        { holdMs: 0, easeMs: this._cutEaseMs },
        out,
      );
      this._post.restart(out, nowSec, out);
      this._shown.set(out);
      return w < 1 ? 'easing' : 'rest';
    } else {
      const w = easeToRest(this._last, nowSec - this._lastCoveredSec, this._options, out);
      state = w === 0 ? 'playing' : w < 1 ? 'easing' : 'rest';
    }
    this._post.process(out, nowSec, out);
    this._shown.set(out);
    return state;
  }

  /**
   * Drops every queued frame and eases what is shown to rest over `easeMs` from `nowSec` (smoothing stays
   * on, so there is no jump), until frames of the next utterance cover the clock: speech was cut off.
   * @param nowSec defines the playout time of the cut (the time last passed to `sample`, or later)
   * @param easeMs defines how long the ease to rest takes, milliseconds
   */
  interrupt(nowSec: number, easeMs: number): void {
    this.buffer.reset();
    if (!this._hasLast) return;
    this._shownAtCut.set(this._shown); // a second cut during the ease starts from where it got to
    this._cutSec = nowSec;
    this._cutEaseMs = easeMs;
  }

  /** Clears frames and smoothing state (counters are kept), e.g. when the audio source changes. */
  reset(): void {
    this.buffer.reset();
    this._post.reset();
    this._hasLast = false;
    this._lastCoveredSec = -Infinity;
    this._cutSec = NaN;
  }
}
