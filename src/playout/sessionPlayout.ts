/**
 * The playout of one started session on the audio clock: the frame buffer and post-processing chain
 * (`LipsPlayout`) plus the timing rules (`playoutTiming`) for its source's mode: a played source is heard
 * `delaySec` late and its lips are sampled the smoothing lag ahead; a live microphone shows the newest
 * frames, as far behind the clock as they arrive. Also the cut-offs: frames of speech captured before an
 * `interrupt` or a suspension are stale. Pure: the clock is an AudioContext-like object.
 */
import { createAudioClock, type AudioClock, type IAudioContextLike } from './audioClock.ts';
import { LipsPlayout, type ILipsFrameBlockLike, type LipsPlayoutState } from './lipsPlayout.ts';
import {
  lipsDelaySec,
  MicLagEstimator,
  playbackDelaySec,
  type IGeneratorTiming,
  type IPlaybackDelayOptions,
  type IPlayoutMargin,
  type PlayoutMode,
} from './playoutTiming.ts';

/**
 * Ease of the lips to rest after `interrupt()`, ms: at rest well within the 100 ms a cut-off voice agent
 * allows (issue #15), slow enough not to snap (a 20 ms spring alone left the mouth 4 % open at 100 ms).
 */
export const INTERRUPT_EASE_MS = 80;

/** Options of `SessionPlayout`. */
export interface ISessionPlayoutOptions extends IPlaybackDelayOptions {
  /** Gain at start. */
  readonly intensity: number;
  /** Smoothing time constant, ms. */
  readonly smoothingMs: number;
}

/** Where a render sampled the lips (`SessionPlayout.sample`); one object, reused. */
export interface ISampledLips {
  /** Audio-clock time of the speech being heard, s. */
  nowSec: number;
  /** Audio-clock time the lips were sampled at (delays and smoothing lead applied), s. */
  lipsTimeSec: number;
  /** Audio-clock time of the speech the lips shown belong to, s (`ILipSyncFrameEvent.lipsTimeSec`). */
  shownLipsTimeSec: number;
  /** Capture → applied latency of the lips shown, s. */
  latencySec: number;
  /** What playout produced. */
  state: LipsPlayoutState;
  /** Weighted RMS landmark error of the solved pose, metres (set by whoever solves them). */
  solverErrorM: number;
}

/** One session's lips on the audio clock. */
export class SessionPlayout {
  /** Frames, rest handling, gain and smoothing. */
  readonly playout: LipsPlayout;
  /** How the source is heard. */
  readonly mode: PlayoutMode;
  /** How long a played source's sound is delayed, s (0 for live sources). */
  readonly delaySec: number;
  /** Frames of speech before this audio-clock time are stale (captured before a cut or a suspension). */
  staleBeforeSec = -Infinity;
  /** Playout time of the lips last sampled (where an interrupt starts its ease). */
  lastLipsTimeSec = 0;
  /** How far behind the clock a live source's frames arrive. */
  readonly micLag = new MicLagEstimator();

  private readonly _context: IAudioContextLike;
  /** A played source's margin (`processingMarginMs`), ms. */
  private readonly _processingMarginMs: number;
  /** Audio-clock time being heard, for played sources. */
  private readonly _playbackClock: AudioClock | null;
  private readonly _sampled: ISampledLips = {
    nowSec: 0,
    lipsTimeSec: 0,
    shownLipsTimeSec: 0,
    latencySec: 0,
    state: 'rest',
    solverErrorM: 0,
  };

  /**
   * @param context defines the audio clock (the session's AudioContext)
   * @param mode defines how the source is heard
   * @param info defines the generator's timing
   * @param valuesPerFrame defines the displacements per frame (lips-v1: 63)
   * @param options defines gain, smoothing, delay compensation and margin
   */
  constructor(
    context: IAudioContextLike,
    mode: PlayoutMode,
    info: IGeneratorTiming,
    valuesPerFrame: number,
    options: ISessionPlayoutOptions,
  ) {
    this._context = context;
    this.mode = mode;
    this._processingMarginMs = options.processingMarginMs;
    this.playout = new LipsPlayout(valuesPerFrame, {
      intensity: options.intensity,
      smoothingTimeConstantMs: options.smoothingMs,
    });
    this.delaySec = mode === 'playback' ? playbackDelaySec(info, this.playout.leadSec, options) : 0;
    this._playbackClock =
      mode === 'playback' ? createAudioClock(context, { offsetSec: -this.delaySec }) : null;
  }

  /**
   * Takes a block of generated frames (silence gate, stale cut) and updates the mic lag.
   * @param block defines the frames
   */
  onBlock(block: ILipsFrameBlockLike): void {
    this.playout.pushBlock(block, this.staleBeforeSec);
    // Live microphone: show the newest frames as soon as they typically exist (adaptive margin).
    const newest = block.firstTimeSec + (block.frames - 1) * block.frameDurationSec;
    this.micLag.update(this._context.currentTime, newest);
  }

  /**
   * The margin in force and its reason (`ITelemetrySample.playoutMargin`): a live source's adaptive
   * margin behind its frame blocks' arrival, or a played source's processing margin.
   * @returns the margin
   */
  margin(): IPlayoutMargin {
    return this.mode === 'live'
      ? this.micLag.margin()
      : { marginMs: this._processingMarginMs, arrivalJitterMs: null, reason: 'processing-margin' };
  }

  /**
   * Samples the lips to show now.
   * @param intensity defines the gain in force
   * @param lipsDelayMs defines the user's extra lips delay, ms
   * @param correctionMs defines the automatic offset correction, ms, or null when off
   * @param out defines where the lips-v1 displacements from neutral are written
   * @returns where they were sampled (a reused object)
   */
  sample(
    intensity: number,
    lipsDelayMs: number,
    correctionMs: number | null,
    out: Float32Array,
  ): ISampledLips {
    const playout = this.playout;
    const currentTime = this._context.currentTime;
    playout.intensity = intensity;
    // `now` is the audio-clock time of the speech being heard; the lips shown may be delayed on purpose.
    const now = this._playbackClock ? this._playbackClock.now() : this.micLag.playoutTimeSec(currentTime);
    // Played sources are delayed enough to have frames the smoothing lag ahead: sampling there cancels it.
    const leadSec = this.mode === 'playback' ? playout.leadSec : 0;
    const lipsTime = now - lipsDelaySec(lipsDelayMs, correctionMs) + leadSec;
    this.lastLipsTimeSec = lipsTime;
    const s = this._sampled;
    s.state = playout.sample(lipsTime, out);
    s.nowSec = now;
    s.lipsTimeSec = lipsTime;
    s.shownLipsTimeSec = playout.coveredSec - leadSec;
    s.latencySec = currentTime - lipsTime;
    return s;
  }

  /**
   * Speech was cut off at `cutSec`: frames of it are stale, and the lips ease to rest (`INTERRUPT_EASE_MS`).
   * @param cutSec defines the audio-clock time of the cut
   */
  interrupt(cutSec: number): void {
    this.staleBeforeSec = Math.max(this.staleBeforeSec, cutSec);
    this.playout.interrupt(this.lastLipsTimeSec, INTERRUPT_EASE_MS);
  }

  /**
   * The context suspended: nothing is heard and the clock stands still; forget the frames of before, so
   * none of them is shown again after the resume (frames still in flight are of that past speech).
   */
  suspend(): void {
    this.playout.reset();
    this.staleBeforeSec = this._context.currentTime;
  }
}
