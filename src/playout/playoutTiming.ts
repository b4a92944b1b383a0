/**
 * Playout timing rules, pure (no DOM, no Babylon): how far a played source's sound is delayed so its lips
 * are ready in time, how far a live microphone's lips run behind the clock, which time the lips are
 * sampled at, and which of the two modes a source gets. The behavior's session reads them; tests drive
 * them with plain numbers.
 */
import { FEATURES_V1 } from '../features/featureSpec.ts';

/** Nominal render interval the live smoothing lag is computed for, seconds (the lag moves by half an interval). */
export const RENDER_INTERVAL_SEC = 1 / 60;
/** One log-mel analysis window, seconds (features-v1: 25 ms): the audio a frame spans beyond its look-ahead. */
export const ANALYSIS_WINDOW_SEC = FEATURES_V1.frameLengthSamples / FEATURES_V1.sampleRateHz;
/** One capture chunk, seconds: the worklet posts 10 ms (160 samples at 16 kHz) at a time. */
export const CAPTURE_CHUNK_SEC = 0.01;
/** The audio a frame needs past its look-ahead before it can be generated: one analysis window + one capture chunk. */
export const WINDOW_AND_CHUNK_SEC = ANALYSIS_WINDOW_SEC + CAPTURE_CHUNK_SEC;
/**
 * Per-frame mic-lag release (one update per frame block, ~20-40 ms): forgets a stall in about a second
 * (0.995 took several seconds: bench/results).
 */
export const MIC_LAG_RELEASE = 0.96;
/** Mic lag assumed before the first block arrives, seconds. */
export const INITIAL_MIC_LAG_SEC = 0.1;
/** Margin a live microphone's lips are shown behind the newest frame's expected arrival, seconds. */
export const MIC_PLAYOUT_MARGIN_SEC = 0.01;

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
 * How far behind the audio clock a live microphone's frames arrive: fast attack, slow release
 * (`MIC_LAG_RELEASE`), so the lips play that far behind without stalling on each late block.
 */
export class MicLagEstimator {
  /** The current estimate, seconds. */
  lagSec = INITIAL_MIC_LAG_SEC;

  /**
   * @param currentTimeSec defines the audio clock when a block arrived
   * @param newestFrameSec defines the audio-clock time of the block's newest frame
   * @returns the new estimate, seconds
   */
  update(currentTimeSec: number, newestFrameSec: number): number {
    const lag = currentTimeSec - newestFrameSec;
    this.lagSec = Math.max(lag, this.lagSec * MIC_LAG_RELEASE + lag * (1 - MIC_LAG_RELEASE));
    return this.lagSec;
  }

  /**
   * @param currentTimeSec defines the audio clock now
   * @returns the audio-clock time of the speech whose lips a live source shows now
   */
  playoutTimeSec(currentTimeSec: number): number {
    return currentTimeSec - this.lagSec - MIC_PLAYOUT_MARGIN_SEC;
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
