/**
 * The worker's system counters for telemetry: recent run times per model, generator runs, generator
 * outputs dropped by backlog, audio samples received. One object per worker, owned by its API.
 */

/** Run times kept per model (the most recent). */
export const RUN_HISTORY = 64;

/** Models whose run times are kept. */
export type TimedModel = 'generator' | 'speechEncoder' | 'meshEncoder';

/** Counters of one worker. */
export class WorkerCounters {
  /** Generator runs completed. */
  generatorRuns = 0;
  /** Generator outputs dropped by backlog, all streams. */
  droppedChunks = 0;
  /** 16 kHz samples accepted, all streams. */
  samplesReceived = 0;
  private readonly _runMs: Record<TimedModel, number[]> = {
    generator: [],
    speechEncoder: [],
    meshEncoder: [],
  };

  /**
   * Records one completed run (a generator run also counts in `generatorRuns`).
   * @param model defines the model that ran
   * @param ms defines the run's duration, ms
   */
  recordRun(model: TimedModel, ms: number): void {
    const history = this._runMs[model];
    history.push(ms);
    if (history.length > RUN_HISTORY) history.shift();
    if (model === 'generator') this.generatorRuns++;
  }

  /**
   * @param model defines the model
   * @returns a copy of its recent run times, ms, oldest first (≤ `RUN_HISTORY`)
   */
  runMs(model: TimedModel): number[] {
    return [...this._runMs[model]];
  }
}
