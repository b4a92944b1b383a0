/**
 * Start times for streamed speech chunks on the audio clock: each chunk that arrives while audio is still
 * queued starts exactly where the queue ends (gapless, on an integer sample frame so joins are
 * sample-exact); a chunk that arrives after the queue ran dry (or too close to its end to be scheduled
 * safely), or the first one, starts a new run `leadMs` ahead of now, which is the jitter the next
 * arrivals may have without another gap. Pure: the caller passes the clock and plays the chunks.
 *
 * **Example:**
 * ```ts
 * const scheduler = new PcmStreamScheduler({ sampleRateHz: context.sampleRate });
 * const slot = scheduler.schedule(context.currentTime, buffer.length);
 * node.start(slot.startSec);
 * ```
 */

/** Options of `PcmStreamScheduler`. */
export interface IPcmStreamSchedulerOptions {
  /** Sample rate of the context the chunks play in (their length is counted in its frames), Hz. */
  readonly sampleRateHz: number;
  /**
   * How far ahead of now a new run starts, milliseconds: the arrival jitter absorbed before a gap. Realtime
   * voice APIs deliver 20–100 ms chunks with tens of milliseconds of network jitter. @default 120
   */
  readonly leadMs: number;
  /**
   * A chunk joins the queue only if the queue ends at least this far ahead of now, milliseconds; closer,
   * the start message might reach the audio thread after the time has passed (a late start plays the
   * chunk shifted, a click). Two 128-frame render quanta at 48 kHz are 5.3 ms. @default 10
   */
  readonly safetyMs: number;
}

/** Defaults of `IPcmStreamSchedulerOptions` (all but the sample rate). */
export const DEFAULT_PCM_STREAM_SCHEDULER_OPTIONS: Readonly<
  Omit<IPcmStreamSchedulerOptions, 'sampleRateHz'>
> = Object.freeze({ leadMs: 120, safetyMs: 10 });

/** Where one chunk plays. */
export interface IPcmChunkSlot {
  /** First frame, in frames of the context's clock (an integer). */
  readonly startFrame: number;
  /** `startFrame` in seconds of the context's clock (for `AudioBufferSourceNode.start`). */
  readonly startSec: number;
  /** Frame after the chunk's last one. */
  readonly endFrame: number;
  /** True when the chunk starts a new run (the first chunk, after an interrupt or an underrun). */
  readonly newRun: boolean;
}

/** Turns chunk arrivals into gapless start times; see the file comment. */
export class PcmStreamScheduler {
  /** Context sample rate, Hz. */
  readonly sampleRateHz: number;
  /** Lead of a new run, seconds. */
  readonly leadSec: number;
  /** Safety margin for joining the queue, seconds. */
  readonly safetySec: number;
  /** Runs started (first chunk, after interrupts, after underruns). */
  runs = 0;
  /** Runs started because the queue ran dry between chunks (not the first, not after an interrupt). */
  underruns = 0;

  private _endFrame = -1;

  /**
   * @param options defines the context's sample rate, the lead and the safety margin
   * @throws RangeError for a non-positive rate or negative margins
   */
  constructor(
    options: Partial<IPcmStreamSchedulerOptions> & Pick<IPcmStreamSchedulerOptions, 'sampleRateHz'>,
  ) {
    const o = { ...DEFAULT_PCM_STREAM_SCHEDULER_OPTIONS, ...options };
    if (!(o.sampleRateHz > 0)) throw new RangeError(`sampleRateHz must be > 0, got ${o.sampleRateHz}`);
    if (!(o.leadMs >= 0) || !(o.safetyMs >= 0) || o.safetyMs > o.leadMs) {
      throw new RangeError(
        `expected 0 <= safetyMs <= leadMs, got safetyMs ${o.safetyMs}, leadMs ${o.leadMs}`,
      );
    }
    this.sampleRateHz = o.sampleRateHz;
    this.leadSec = o.leadMs / 1000;
    this.safetySec = o.safetyMs / 1000;
  }

  /** End of the queued audio on the context's clock, seconds; -Infinity when nothing was scheduled. */
  get endSec(): number {
    return this._endFrame < 0 ? -Infinity : this._endFrame / this.sampleRateHz;
  }

  /**
   * Audio still queued ahead of `nowSec`, seconds (0 when the queue ran dry).
   * @param nowSec defines the context's current time
   */
  queuedSec(nowSec: number): number {
    return Math.max(0, this.endSec - nowSec);
  }

  /**
   * Schedules a chunk that arrived at `nowSec`.
   * @param nowSec defines the context's current time, seconds
   * @param frames defines the chunk's length in context frames
   * @returns where it plays
   */
  schedule(nowSec: number, frames: number): IPcmChunkSlot {
    const rate = this.sampleRateHz;
    let start = this._endFrame;
    const newRun = start < 0 || start < (nowSec + this.safetySec) * rate;
    if (newRun) {
      if (start >= 0) this.underruns++;
      this.runs++;
      // The tolerance keeps float noise (0.295 × 48000 = 14160.000000000002) from adding a frame.
      start = Math.ceil((nowSec + this.leadSec) * rate - 1e-6);
    }
    this._endFrame = start + frames;
    return { startFrame: start, startSec: start / rate, endFrame: this._endFrame, newRun };
  }

  /** Forgets the queue (the caller stopped its chunks): the next chunk starts a new run, not an underrun. */
  interrupt(): void {
    this._endFrame = -1;
  }
}
