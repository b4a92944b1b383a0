/**
 * Typed errors of the plugin. Each says what was expected, what arrived and what to do, and is
 * emitted on `PerceptualLipSyncBehavior.onErrorObservable` (or thrown by `…Async` methods).
 */

/** Base class: `instanceof LipSyncError` catches every error this plugin raises on purpose. */
export class LipSyncError extends Error {
  /** Whether the behavior stays usable after this error (a new `startAsync` can succeed). */
  readonly recoverable: boolean;
  constructor(message: string, options?: { cause?: unknown; recoverable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LipSyncError';
    this.recoverable = options?.recoverable ?? true;
  }
}

/** A model or its manifest could not be fetched, parsed or matched to this runtime. */
export class ModelLoadError extends LipSyncError {
  /** `'ModelLoadError'`: a literal, not the class name, because minifiers rename classes. */
  override readonly name = 'ModelLoadError';
}

/** The audio source could not be opened (permission denied, no device, bad URL, undecodable file). */
export class AudioSourceError extends LipSyncError {
  /** `'AudioSourceError'`: a literal, not the class name, because minifiers rename classes. */
  override readonly name = 'AudioSourceError';
}

/** The inference worker failed or died; the behavior restarts it and reports the gap. */
export class WorkerCrashError extends LipSyncError {
  /** `'WorkerCrashError'`: a literal, not the class name, because minifiers rename classes. */
  override readonly name = 'WorkerCrashError';
}

/** An option had a value outside its documented range. */
export class InvalidOptionError extends LipSyncError {
  /** `'InvalidOptionError'`: a literal, not the class name, because minifiers rename classes. */
  override readonly name = 'InvalidOptionError';
}

/**
 * A chunk pushed to a `pcmStream` source was malformed (PCM16 bytes of odd length, NaN or infinite
 * samples, an unsupported type) or arrived when no `pcmStream` source was running (before `startAsync`
 * or after `stop()`). The chunk is dropped; the stream goes on.
 */
export class AudioChunkError extends LipSyncError {
  /** `'AudioChunkError'`: a literal, not the class name, because minifiers rename classes. */
  override readonly name = 'AudioChunkError';
}
