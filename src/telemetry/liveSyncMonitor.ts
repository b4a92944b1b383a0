/**
 * The live sync monitor of one started session: it feeds the aggregator with the generated frames and the
 * lips read back from the avatar, asks the worker to score the recent lips every `TELEMETRY_INTERVAL_MS`,
 * keeps the system fields (worker counters plus restart counters) and emits the `ITelemetrySample`s due,
 * with the automatic offset correction applied when it is on. Pure scheduling and arithmetic: the worker
 * call and the emit are injected, so Node tests drive it with fakes.
 */
import type { IPlayoutMargin } from '../playout/playoutTiming.ts';
import type { AvOffsetCorrector } from './avOffsetCorrector.ts';
import type { ITelemetryScores } from './telemetryAggregator.ts';
import { TelemetryAggregator } from './telemetryAggregator.ts';
import type { ITelemetrySample } from './telemetrySample.ts';
import {
  NO_TELEMETRY_SYSTEM,
  toTelemetrySystem,
  type ITelemetrySystem,
  type IWorkerCounters,
} from './telemetrySystem.ts';

/** How often telemetry scores the recent lips and emits samples, ms ("a few updates per second"). */
export const TELEMETRY_INTERVAL_MS = 250;

/** The worker's reply to a score request (`ITelemetryScoreResult`). */
export interface ITelemetryScoreReply extends ITelemetryScores, IWorkerCounters {}

/** What the monitor needs from its session. */
export interface ILiveSyncMonitorHost {
  /**
   * Asks the current worker to score `frames` lips from `firstTimeSec` (transfer `lips`).
   * @returns the reply, or null when the worker that answered is no longer the session's; a rejection
   * means the worker is gone (its crash is reported elsewhere)
   */
  scoreAsync(firstTimeSec: number, frames: number, lips: Float32Array): Promise<ITelemetryScoreReply | null>;
  /** True while someone listens (`onTelemetryObservable.hasObservers()`): otherwise nothing is done. */
  wanted(): boolean;
  /** True while a worker is there to score (not between a crash and its replacement): otherwise ticks wait. */
  workerReady(): boolean;
  /** Delivers one sample. */
  emit(sample: ITelemetrySample): void;
  /** The session's worker restart counters (added to the worker's system fields). */
  restartCounters(): { readonly restarts: number; readonly gapMs: number | null };
  /** The playout margin in force and its reason (`ITelemetrySample.playoutMargin`); null when unknown. */
  playoutMargin?(): IPlayoutMargin | null;
}

/** Options of `LiveSyncMonitor`. */
export interface ILiveSyncMonitorOptions {
  /** Lips frames per mesh window (manifest `metricEncoders.meshWindowFrames`). @default 10 */
  readonly meshWindowFrames: number;
  /** System fields known from the start (where inference runs), before the first score reply. */
  readonly system: Partial<ITelemetrySystem>;
  /** Closed-loop lips-delay correction (option `autoOffsetCorrection`), or null. @default null */
  readonly corrector: AvOffsetCorrector | null;
}

/** Telemetry of one session: aggregation, read-back, scheduling and sample building. */
export class LiveSyncMonitor {
  /** The aggregator (frames, read-back lips, scores → samples). */
  readonly aggregator: TelemetryAggregator;
  /** The offset correction, or null when off. */
  readonly corrector: AvOffsetCorrector | null;

  private readonly _host: ILiveSyncMonitorHost;
  private _system: ITelemetrySystem;
  private _busy = false;
  private _timer: ReturnType<typeof setInterval> | null = null;

  /**
   * @param host defines the worker call, the listener check and the emit
   * @param options defines the mesh window, the initial system fields and the correction
   */
  constructor(host: ILiveSyncMonitorHost, options: Partial<ILiveSyncMonitorOptions> = {}) {
    this._host = host;
    this.aggregator = new TelemetryAggregator({ meshWindowFrames: options.meshWindowFrames ?? 10 });
    this.corrector = options.corrector ?? null;
    this._system = { ...NO_TELEMETRY_SYSTEM, ...options.system };
    this.refreshSystem();
  }

  /** The lips-delay correction in force, ms, or null when the correction is off. */
  get correctionMs(): number | null {
    return this.corrector ? this.corrector.correctionMs : null;
  }

  /** True while a score request is in flight. */
  get busy(): boolean {
    return this._busy;
  }

  /** Starts the `TELEMETRY_INTERVAL_MS` ticks. */
  start(): void {
    if (this._timer === null) this._timer = setInterval(() => this.tick(), TELEMETRY_INTERVAL_MS);
  }

  /** Stops the ticks. Idempotent. */
  dispose(): void {
    if (this._timer !== null) clearInterval(this._timer);
    this._timer = null;
  }

  /**
   * Takes a generated block's speech RMS.
   * @param block defines the block's first frame time, frame spacing and speech RMS
   */
  onFrames(block: { firstTimeSec: number; frameDurationSec: number; speechRms: ArrayLike<number> }): void {
    this.aggregator.onFrames(block.firstTimeSec, block.frameDurationSec, block.speechRms);
  }

  /**
   * Records the lips read back from the deformed avatar (what the viewer sees) against the audio time
   * being heard.
   * @param heardSec defines the audio-clock time of the speech being heard
   * @param shown defines the read-back lips as lips-v1 displacements from neutral (21 × 3, metres:
   * `AttachedRig.readBackDisplacement`)
   * @param latencySec defines capture → applied latency of this frame, s
   */
  recordShownLips(heardSec: number, shown: ArrayLike<number>, latencySec: number): void {
    this.aggregator.recordFrame(heardSec, shown, latencySec);
  }

  /** Reports the system fields again: the worker's last counters plus the session's restart counters now. */
  refreshSystem(): void {
    const { restarts, gapMs } = this._host.restartCounters();
    this.aggregator.setSystem({ ...this._system, workerRestarts: restarts, workerGapMs: gapMs });
  }

  /** The worker was replaced: a request to the dead one never settles, so stop waiting for it. */
  workerReplaced(): void {
    this._busy = false;
  }

  /**
   * Emits the samples due (with the scores that have arrived so far) and asks the worker to score the
   * recent lips, unless the previous request is still running (scores lag; samples never wait for them).
   */
  tick(): void {
    if (!this._host.workerReady() || !this._host.wanted()) return;
    const playoutMargin = this._host.playoutMargin?.() ?? null;
    for (const sample of this.aggregator.takeSamples()) {
      const corrector = this.corrector;
      if (corrector) corrector.update(sample);
      this._host.emit({
        ...sample,
        avOffsetCorrectionMs: corrector ? corrector.correctionMs : sample.avOffsetCorrectionMs,
        playoutMargin,
      });
    }
    if (this._busy) return;
    const request = this.aggregator.scoreRequest();
    this._busy = true;
    this._host
      .scoreAsync(request?.firstTimeSec ?? 0, request?.frames ?? 0, request?.lips ?? new Float32Array(0))
      .then((result) => {
        if (!result) return;
        this.aggregator.addScores(result);
        this._system = toTelemetrySystem(result);
        this.refreshSystem();
      })
      .catch(() => undefined) // the worker is gone: its crash is reported through `crashed`
      .finally(() => {
        this._busy = false;
      });
  }

  /**
   * Closes the open utterance and returns every pending summary now (the session is stopping).
   * @returns the summaries, in time order
   */
  flush(): ITelemetrySample[] {
    return this.aggregator.flush();
  }
}
