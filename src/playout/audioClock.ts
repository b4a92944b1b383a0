/**
 * The clock playout runs on: the audio clock, injected so tests can drive a fake one. Frames carry
 * audio-clock times (AudioContext seconds), so the avatar follows the audio even when rendering stutters.
 */

/** A monotonic clock in audio-clock seconds. */
export interface AudioClock {
  /** @returns the audio-clock time whose lips should be on screen now, seconds */
  now(): number;
}

/** The part of an AudioContext the clock reads (a real AudioContext satisfies it). */
export interface IAudioContextLike {
  readonly currentTime: number;
  readonly outputLatency?: number;
  readonly baseLatency?: number;
}

/** Options of `createAudioClock`. */
export interface IAudioClockOptions {
  /**
   * Subtract the context's output latency (`outputLatency`, else `baseLatency`) so the lips match the sample
   * being heard rather than the one being rendered. Turn off when the speech is not played back (live mic).
   * @default true
   */
  readonly compensateOutputLatency: boolean;
  /**
   * Constant offset added to the time, seconds (positive shows later lips, e.g. to cover display latency).
   * @default 0
   */
  readonly offsetSec: number;
}

/**
 * Wraps an AudioContext(-like) object as the playout clock. Reads the context's fields on every call, so
 * latency changes (device switches) are followed.
 * @param context defines the AudioContext or a fake with `currentTime`
 * @param options defines latency compensation and offset
 * @returns the clock
 */
export function createAudioClock(
  context: IAudioContextLike,
  options: Partial<IAudioClockOptions> = {},
): AudioClock {
  const compensate = options.compensateOutputLatency ?? true;
  const offsetSec = options.offsetSec ?? 0;
  if (!Number.isFinite(offsetSec)) throw new RangeError(`offsetSec must be finite, got ${offsetSec}`);
  return {
    now() {
      const latency = compensate ? (context.outputLatency ?? context.baseLatency ?? 0) : 0;
      return context.currentTime - (Number.isFinite(latency) ? latency : 0) + offsetSec;
    },
  };
}
