/**
 * The worker restart policy of one session: it holds the session's current inference worker, watches it,
 * and when it crashes or hangs replaces it while the session keeps running (the avatar eases to rest on
 * its own meanwhile: no frames arrive). A worker that keeps crashing before it produces a frame is given
 * up on after `MAX_RESTARTS_WITHOUT_FRAMES` tries. Acquiring, opening the stream and the clock are
 * injected, so Node tests drive it with fake workers.
 */
import { LipSyncError, WorkerCrashError } from '../errors.ts';

/** Worker crashes in a row, with no frame in between, after which the session fails instead of restarting. */
export const MAX_RESTARTS_WITHOUT_FRAMES = 3;

/** The part of a worker client the supervisor uses (`ILipSyncWorkerClient`). */
export interface ISupervisedWorker {
  /** Resolves with the crash error when the worker dies or hangs (it is already terminated then). */
  readonly crashed: Promise<WorkerCrashError>;
  /** Terminates at once (a crashed or hung worker). */
  kill(): void;
  /** Hands back this reference. */
  releaseAsync(): Promise<void>;
}

/** What the supervisor needs from its session. */
export interface IWorkerSupervisorHost<W extends ISupervisedWorker> {
  /** True while the session is the running one (not stopped, failed or torn down). */
  alive(): boolean;
  /** Acquires a fresh worker. */
  acquireAsync(): Promise<W>;
  /** Opens the session's stream in a fresh worker (a new capture channel); rejects if it dies first. */
  openStreamAsync(worker: W): Promise<void>;
  /** A crash was detected: the session is recovering (state, error event, telemetry). */
  onCrash(crash: WorkerCrashError): void;
  /** A replacement runs the stream. */
  onRecovered(): void;
  /** The session cannot go on (too many crashes, or a replacement failed otherwise). */
  onGiveUp(error: LipSyncError): void;
  /** The clock for the gap, ms (`performance.now`). */
  nowMs(): number;
}

/** Holds the session's worker and replaces it when it crashes. */
export class WorkerSupervisor<W extends ISupervisedWorker> {
  /** The session's current worker, or null (not yet acquired, between a crash and its replacement, released). */
  worker: W | null = null;
  /** Automatic restarts in this session. */
  restarts = 0;
  /** Restarts since the last frame arrived. */
  restartsWithoutFrames = 0;
  /** The last restart's gap (crash detected → first frame of the new worker), ms; null before one. */
  gapMs: number | null = null;

  private readonly _host: IWorkerSupervisorHost<W>;
  /** `nowMs()` when a crash was detected, until the new worker's first frames; else -1. */
  private _gapStartMs = -1;

  /** @param host defines the session's side: liveness, acquire, open and the outcome callbacks */
  constructor(host: IWorkerSupervisorHost<W>) {
    this._host = host;
  }

  /**
   * Restarts the session's stream when `worker` crashes, as long as it is still the current one.
   * @param worker defines the worker whose stream is open
   */
  watch(worker: W): void {
    void worker.crashed.then((err) => {
      if (this._host.alive() && this.worker === worker) void this.restartAsync(err);
    });
  }

  /**
   * Frames arrived from the current worker: a restart's gap is over, and the crash count starts again.
   * @returns true when this ended a restart's gap (`gapMs` changed)
   */
  onFrames(): boolean {
    this.restartsWithoutFrames = 0;
    if (this._gapStartMs < 0) return false;
    this.gapMs = this._host.nowMs() - this._gapStartMs;
    this._gapStartMs = -1;
    return true;
  }

  /**
   * Takes the worker out (the session is tearing down).
   * @returns the worker that was current, or null
   */
  take(): W | null {
    const worker = this.worker;
    this.worker = null;
    return worker;
  }

  /**
   * Replaces a crashed or hung worker: the old one is already terminated; a fresh one opens the stream
   * again at the same audio-clock times. Gives up after `MAX_RESTARTS_WITHOUT_FRAMES` crashes in a row.
   * @param crash defines the crash that was detected
   */
  async restartAsync(crash: WorkerCrashError): Promise<void> {
    const host = this._host;
    let reason = crash;
    if (this._gapStartMs < 0) this._gapStartMs = host.nowMs();
    host.onCrash(crash);
    for (;;) {
      this.worker?.kill(); // hands back our reference; the crash already terminated it
      this.worker = null;
      this.restarts++;
      this.restartsWithoutFrames++;
      if (this.restartsWithoutFrames > MAX_RESTARTS_WITHOUT_FRAMES) {
        const n = this.restartsWithoutFrames - 1;
        host.onGiveUp(
          new WorkerCrashError(
            `The lip-sync worker crashed ${n} times in a row without producing a frame; giving up (${reason.message})`,
            { cause: reason },
          ),
        );
        return;
      }
      try {
        const worker = await host.acquireAsync();
        if (!host.alive()) {
          void worker.releaseAsync();
          return;
        }
        this.worker = worker;
        await host.openStreamAsync(worker);
        if (!host.alive()) return; // stop() released the worker
        this.watch(worker);
        host.onRecovered();
        return;
      } catch (e) {
        if (!host.alive()) return;
        if (!(e instanceof WorkerCrashError)) {
          host.onGiveUp(e instanceof LipSyncError ? e : new WorkerCrashError(String(e), { cause: e }));
          return;
        }
        reason = e; // the new worker died before it opened the stream: try again (bounded above)
      }
    }
  }
}
