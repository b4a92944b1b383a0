/**
 * The system fields of a telemetry sample (where inference runs, how fast, what was dropped, worker
 * restarts), and how they are built from the worker's score reply. Pure.
 */
import type { IBackendChoice } from '../models/providerGuard.ts';
import type { IInferenceTiming, InferenceBackend } from './telemetrySample.ts';
import { timingPercentiles } from './timingPercentiles.ts';

/** System fields of a sample, as the worker last reported them. */
export interface ITelemetrySystem {
  readonly inference: Readonly<Record<string, IInferenceTiming>>;
  readonly backend: InferenceBackend | null;
  /** Each model's backend choice (provider guard). */
  readonly backends: Readonly<Record<string, IBackendChoice>>;
  readonly wasmThreads: number;
  readonly droppedChunks: number;
  readonly queueDepth: number;
  /** Automatic restarts of a crashed or hung inference worker since start. */
  readonly workerRestarts: number;
  /** The last restart's gap, ms (crash detected → first frame of the new worker); null before one. */
  readonly workerGapMs: number | null;
}

/** System fields before any worker counters arrived. */
export const NO_TELEMETRY_SYSTEM: ITelemetrySystem = Object.freeze({
  inference: {},
  backend: null,
  backends: {},
  wasmThreads: 1,
  droppedChunks: 0,
  queueDepth: 0,
  workerRestarts: 0,
  workerGapMs: null,
});

/** The worker's counters in a score reply (`ITelemetryScoreResult`), as far as the system fields use them. */
export interface IWorkerCounters {
  readonly backend: InferenceBackend | null;
  readonly backends: Readonly<Record<string, IBackendChoice>>;
  readonly wasmThreads: number;
  /** Recent run times per model, ms. */
  readonly runMs: Readonly<Record<string, readonly number[]>>;
  readonly droppedChunks: number;
  readonly queueDepth: number;
}

/**
 * System fields of telemetry from the worker's counters (restart counters are the session's: zero here).
 * @param result defines the worker's reply
 * @returns the system fields
 */
export function toTelemetrySystem(result: IWorkerCounters): ITelemetrySystem {
  const inference: Record<string, IInferenceTiming> = {};
  for (const [model, runs] of Object.entries(result.runMs)) {
    const timing = timingPercentiles(runs);
    if (timing) inference[model] = timing;
  }
  return {
    inference,
    backend: result.backend,
    backends: result.backends,
    wasmThreads: result.wasmThreads,
    droppedChunks: result.droppedChunks,
    queueDepth: result.queueDepth,
    workerRestarts: 0,
    workerGapMs: null,
  };
}
