/**
 * Playout timing rules, pure (no DOM, no Babylon): how far a played source's sound is delayed so its lips
 * are ready in time, how far a live microphone's lips run behind the clock, which time the lips are
 * sampled at, and which of the two modes a source gets. The behavior's session reads them; tests drive
 * them with plain numbers.
 */
import { FEATURES_V1 } from '../features/featureSpec.ts';
import { percentileOfSorted } from '../math/percentileOfSorted.ts';
import type { LatencyHead } from '../models/modelManifest.ts';

/** Nominal render interval the live smoothing lag is computed for, seconds (the lag moves by half an interval). */
export const RENDER_INTERVAL_SEC = 1 / 60;
/** One log-mel analysis window, seconds (features-v1: 25 ms): the audio a frame spans beyond its look-ahead. */
export const ANALYSIS_WINDOW_SEC = FEATURES_V1.frameLengthSamples / FEATURES_V1.sampleRateHz;
/** One capture chunk, seconds: the worklet posts 10 ms (160 samples at 16 kHz) at a time. */
export const CAPTURE_CHUNK_SEC = 0.01;
/** The audio a frame needs past its look-ahead before it can be generated: one analysis window + one capture chunk. */
export const WINDOW_AND_CHUNK_SEC = ANALYSIS_WINDOW_SEC + CAPTURE_CHUNK_SEC;
/**
 * Frame blocks the live arrival-jitter window holds: about 1 s at one block per 20 ms output, long enough
 * for a high percentile, short enough to forget a load spike in about a second (as the release it
 * replaces: slower forgetting kept the lag up for seconds, bench/results; a 2 s window held a loaded
 * machine's margin most of the time at load 10).
 */
export const ARRIVAL_WINDOW_BLOCKS = 50;
/** Quantile of the blocks' arrival lag the live playout waits for (the rest are held briefly). */
export const ARRIVAL_LAG_QUANTILE = 0.95;
/**
 * Least margin a live source's lips play behind the fastest block arrival of the window, seconds: the
 * audio clock advances in render quanta and callbacks of a few ms, so a smaller one only holds frames.
 */
export const MIN_PLAYOUT_MARGIN_SEC = 0.005;
/** Blocks before the window is trusted; until then the margin is at least `START_PLAYOUT_MARGIN_SEC`. */
export const START_BLOCKS = 10;
/** Least margin over the first `START_BLOCKS` blocks (worker warm-up), seconds. */
export const START_PLAYOUT_MARGIN_SEC = 0.02;

/**
 * Why the lips play as far behind as they do (`IPlayoutMargin.reason`): `start` (the first blocks, before
 * the jitter window is trusted), `floor` (a quiet machine: blocks arrive within `MIN_PLAYOUT_MARGIN_SEC`),
 * `arrival-jitter` (late blocks: the margin covers the arrival lag's 95th percentile over the last ~1 s),
 * `processing-margin` (a played source: the option `processingMarginMs`, inside its fixed delay).
 */
export type PlayoutMarginReason = 'start' | 'floor' | 'arrival-jitter' | 'processing-margin';

/** The playout margin in force and its reason (`ITelemetrySample.playoutMargin`). */
export interface IPlayoutMargin {
  /**
   * Margin the lips are shown behind the earliest they could be, ms: for live sources, behind the
   * fastest frame-block arrival of the last ~1 s; for played sources, `processingMarginMs`.
   */
  readonly marginMs: number;
  /**
   * Arrival jitter of frame blocks, ms: their arrival lag's 95th percentile minus its minimum over the last
   * ~1 s (live sources); null for played sources.
   */
  readonly arrivalJitterMs: number | null;
  /** Why the margin is what it is. */
  readonly reason: PlayoutMarginReason;
}

/**
 * The live playout margin rule: the measured arrival jitter, never below a floor, and a larger floor
 * while the window is young.
 * @param arrivalJitterSec defines the arrival lag's high quantile minus its minimum over the window, s
 * @param blocks defines the blocks seen so far
 * @returns the margin, seconds, and its reason
 */
export function livePlayoutMargin(
  arrivalJitterSec: number,
  blocks: number,
): { marginSec: number; reason: PlayoutMarginReason } {
  if (blocks < START_BLOCKS) {
    return { marginSec: Math.max(START_PLAYOUT_MARGIN_SEC, arrivalJitterSec), reason: 'start' };
  }
  return arrivalJitterSec > MIN_PLAYOUT_MARGIN_SEC
    ? { marginSec: arrivalJitterSec, reason: 'arrival-jitter' }
    : { marginSec: MIN_PLAYOUT_MARGIN_SEC, reason: 'floor' };
}

/**
 * `playback`: the behavior plays the sound itself and can delay it until the lips are ready; `live`: the
 * speech is heard as it happens (a microphone), so the lips follow as soon as frames exist.
 */
export type PlayoutMode = 'playback' | 'live';

/**
 * @param source defines the opened source (`IOpenedAudioSource.playback`)
 * @returns the source's playout mode
 */
export function playoutModeOf(source: { readonly playback: boolean }): PlayoutMode {
  return source.playback ? 'playback' : 'live';
}

/** The behavior's `latencyMode` option: a generator head, or `auto` to pick one from the source. */
export type LatencyMode = 'auto' | LatencyHead;

/**
 * Which generator head a session loads. Explicit modes pass through. `auto`: speech heard as it happens
 * cannot wait, so it gets the `live` head (least look-ahead, lips soonest); a source whose sound the
 * behavior delays gets the `playback` head, since its delay compensation grows by the extra look-ahead and
 * the lips stay on time while gaining the context. A played source whose sound is not delayed
 * (`audioDelayCompensation` or `playAudio` off) is heard as it happens too, so it counts as `live`.
 * @param mode defines the `latencyMode` option
 * @param playoutMode defines the source's playout mode (`playoutModeOf`)
 * @param soundDelayed defines whether the behavior delays a played source's sound. @default true
 * @returns the head to load
 */
export function resolveLatencyHead(
  mode: LatencyMode,
  playoutMode: PlayoutMode,
  soundDelayed = true,
): LatencyHead {
  if (mode !== 'auto') return mode;
  return playoutMode === 'playback' && soundDelayed ? 'playback' : 'live';
}

/** The generator's timing, as the worker reports it (`IWorkerInfo`). */
export interface IGeneratorTiming {
  /** Look-ahead of the generator, milliseconds. */
  readonly lookaheadMs: number;
  /** Output frames per run (outputs wait for their batch: `outputsPerRun − 1` frames). */
  readonly outputsPerRun: number;
  /** Output frames per second. */
  readonly frameRateHz: number;
}

/**
 * Algorithmic delay of a frame behind its speech: look-ahead + one analysis window + one capture chunk +
 * the wait for the rest of its run's batch.
 * @param info defines the generator's timing
 * @returns seconds
 */
export function algorithmicDelaySec(info: IGeneratorTiming): number {
  const batchingSec = (info.outputsPerRun - 1) / info.frameRateHz;
  return info.lookaheadMs / 1000 + WINDOW_AND_CHUNK_SEC + batchingSec;
}

/** The options the playback delay depends on (`IPerceptualLipSyncOptions`). */
export interface IPlaybackDelayOptions {
  readonly audioDelayCompensation: boolean;
  readonly processingMarginMs: number;
}

/**
 * The delay formula: how long a played source's sound is held back so its lips are ready when it is
 * heard (0 without delay compensation).
 * @param info defines the generator's timing
 * @param smoothingLeadSec defines how far ahead the lips are sampled (`LipsPostProcessor.leadSec`)
 * @param options defines compensation on/off and the processing margin
 * @returns seconds
 */
export function playbackDelaySec(
  info: IGeneratorTiming,
  smoothingLeadSec: number,
  options: IPlaybackDelayOptions,
): number {
  if (!options.audioDelayCompensation) return 0;
  return algorithmicDelaySec(info) + smoothingLeadSec + options.processingMarginMs / 1000;
}

/**
 * How far behind the audio clock a live microphone's lips play: the fastest frame-block arrival over the
 * last `ARRIVAL_WINDOW_BLOCKS` blocks (processing the machine cannot avoid) plus an adaptive margin
 * (`livePlayoutMargin`: that window's arrival jitter, with a floor), so a quiet machine shows the lips as
 * soon as frames exist and a loaded one waits only as long as its blocks actually come late.
 */
export class MicLagEstimator {
  /** The current lag, seconds (0 before the first block: there is nothing to show yet). */
  lagSec = 0;
  /** The margin in force, seconds (included in `lagSec`). */
  marginSec = START_PLAYOUT_MARGIN_SEC;
  /** Arrival jitter of the window, seconds (high quantile minus minimum). */
  arrivalJitterSec = 0;
  /** Why the margin is what it is. */
  reason: PlayoutMarginReason = 'start';
  /** Blocks seen. */
  blocks = 0;

  private readonly _window = new Float64Array(ARRIVAL_WINDOW_BLOCKS);

  /**
   * @param currentTimeSec defines the audio clock when a block arrived
   * @param newestFrameSec defines the audio-clock time of the block's newest frame
   * @returns the new lag, seconds
   */
  update(currentTimeSec: number, newestFrameSec: number): number {
    const arrival = currentTimeSec - newestFrameSec;
    if (!Number.isFinite(arrival)) return this.lagSec;
    this._window[this.blocks % ARRIVAL_WINDOW_BLOCKS] = arrival;
    this.blocks++;
    const seen = this._window.subarray(0, Math.min(this.blocks, ARRIVAL_WINDOW_BLOCKS));
    let fastest = Infinity;
    for (let i = 0; i < seen.length; i++) fastest = Math.min(fastest, seen[i]);
    const sorted = Float64Array.from(seen).sort();
    this.arrivalJitterSec = percentileOfSorted(sorted, ARRIVAL_LAG_QUANTILE * 100) - fastest;
    const { marginSec, reason } = livePlayoutMargin(this.arrivalJitterSec, this.blocks);
    this.marginSec = marginSec;
    this.reason = reason;
    this.lagSec = fastest + marginSec;
    return this.lagSec;
  }

  /**
   * @param currentTimeSec defines the audio clock now
   * @returns the audio-clock time of the speech whose lips a live source shows now
   */
  playoutTimeSec(currentTimeSec: number): number {
    return currentTimeSec - this.lagSec;
  }

  /** The margin in force and its reason, for telemetry. */
  margin(): IPlayoutMargin {
    return {
      marginMs: this.marginSec * 1000,
      arrivalJitterMs: this.arrivalJitterSec * 1000,
      reason: this.reason,
    };
  }
}

/**
 * The deliberate delay of the lips behind the sound: the user's `lipsDelayMs` (non-finite counts as 0)
 * plus the automatic offset correction.
 * @param lipsDelayMs defines the user's delay, milliseconds
 * @param correctionMs defines the correction in force, milliseconds (null when off)
 * @returns seconds
 */
export function lipsDelaySec(lipsDelayMs: number, correctionMs: number | null): number {
  return (
    (Number.isFinite(lipsDelayMs) ? lipsDelayMs / 1000 : 0) +
    (correctionMs !== null ? correctionMs / 1000 : 0)
  );
}
