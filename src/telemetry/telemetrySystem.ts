/**
 * The system fields of a telemetry sample (where inference runs, how fast, what was dropped, worker
 * restarts), and how they are built from the worker's score reply. Pure.
 */
import type { IInferenceTiming, ITelemetrySample } from './telemetrySample.ts';
import { timingPercentiles } from './timingPercentiles.ts';

/** System fields of a sample, as the worker last reported them (documented on `ITelemetrySample`). */
export type ITelemetrySystem = Pick<
  ITelemetrySample,
  | 'inference'
  | 'backend'
  | 'backends'
  | 'wasmThreads'
  | 'droppedChunks'
  | 'queueDepth'
  | 'workerRestarts'
  | 'workerGapMs'
>;

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

/** The worker's counters in a score reply (`ITelemetryScoreResult` extends this), as the system fields use them. */
export interface IWorkerCounters extends Pick<
  ITelemetrySample,
  'backend' | 'backends' | 'wasmThreads' | 'droppedChunks' | 'queueDepth'
> {
  /** Recent run times per model (`generator`, `speechEncoder`, `meshEncoder`), ms, last ≤ 64 each. */
  readonly runMs: Readonly<Record<string, readonly number[]>>;
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
