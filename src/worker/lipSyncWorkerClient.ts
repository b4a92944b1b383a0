/**
 * Main-thread side of the inference worker: starts it, initialises its models, watches that it stays
 * alive, and tears it down (comlink proxy released, worker terminated). Several behaviors on a page
 * share one client through `acquireLipSyncWorkerAsync`, reference-counted by worker URL + models +
 * providers + hang timeout.
 *
 * A worker that throws an uncaught error or stops answering pings is terminated here at once and
 * `crashed` resolves for every user; each user then acquires a fresh worker (see the behavior).
 */
import { releaseProxy, wrap, type Remote } from 'comlink';
import { ASSET_SETUP_HINT, describeScriptLoadFailureAsync } from '../assetUrls.ts';
import { LipSyncError, ModelLoadError, WorkerCrashError } from '../errors.ts';
import type { IWorkerInfo, IWorkerInitOptions, LipSyncWorkerApi } from './lipSyncWorker.ts';
import { startLivenessWatchdog } from './livenessWatchdog.ts';

/** A started, initialised inference worker. */
export interface ILipSyncWorkerClient {
  readonly api: Remote<LipSyncWorkerApi>;
  readonly info: IWorkerInfo;
  /**
   * Resolves with the crash error if the worker dies (uncaught error) or hangs (no answer to pings
   * for the hang timeout) before it is released; the worker is already terminated by then.
   */
  readonly crashed: Promise<WorkerCrashError>;
  /** Hands back this reference; the last one disposes the models and terminates the worker. */
  releaseAsync(): Promise<void>;
  /** Terminates at once for every user (a hung worker); the next acquire starts a fresh one. */
  kill(): void;
}

/** Options of the liveness watchdog (`acquireLipSyncWorkerAsync`). */
export interface ILipSyncWorkerWatchdogOptions {
  /** A worker that leaves a ping unanswered this long is terminated as hung, ms. */
  readonly hangTimeoutMs: number;
  /**
   * Keep one initialised spare worker beside the shared one, so a crash is replaced in milliseconds
   * instead of a cold start (loading onnxruntime-web and the models: about a second on a desktop,
   * several on a loaded 2-core machine). Costs a second worker's memory. @default false
   */
  readonly standby?: boolean;
}

interface StartedWorker {
  readonly api: Remote<LipSyncWorkerApi>;
  readonly info: IWorkerInfo;
  readonly crashed: Promise<WorkerCrashError>;
  /** False once terminated (crashed, hung, released). */
  alive(): boolean;
  /** Starts the liveness watchdog (once the worker is in use: an idle spare is not watched). */
  watch(): void;
  /** Stops the watchdog, releases the proxy and terminates the worker. Idempotent. */
  terminate(): void;
}

interface SharedEntry {
  refs: number;
  ready: Promise<StartedWorker>;
  started: StartedWorker | null;
  dead: boolean;
  /** The initialised spare (`standby`), handed to the next entry when this one crashes. */
  spare: Promise<StartedWorker> | null;
}

const shared = new Map<string, SharedEntry>();
/** Spares of crashed entries, waiting for their users to acquire again (briefly). */
const handoffs = new Map<string, Promise<StartedWorker>>();
/** How long a handed-off spare waits for a user before it is terminated, ms. */
const HANDOFF_MS = 2000;
/** Delay between a worker coming into use and its spare starting, ms. */
const SPARE_DELAY_MS = 1000;

function terminateWhenReady(worker: Promise<StartedWorker>): void {
  worker.then(
    (w) => w.terminate(),
    () => undefined,
  );
}

/** Leaves a crashed entry's spare for its users' next acquire; terminated if none comes soon. */
function handOff(key: string, spare: Promise<StartedWorker>): void {
  const stale = handoffs.get(key);
  if (stale) terminateWhenReady(stale);
  handoffs.set(key, spare);
  setTimeout(() => {
    if (handoffs.get(key) !== spare) return;
    handoffs.delete(key);
    terminateWhenReady(spare);
  }, HANDOFF_MS);
}

/** Takes the spare a crashed entry left for `key`, if it is (or may still become) a live worker. */
function takeHandoff(key: string): Promise<StartedWorker> | null {
  const spare = handoffs.get(key);
  if (!spare) return null;
  handoffs.delete(key);
  return spare.then((w) => {
    if (!w.alive()) throw new WorkerCrashError('The standby lip-sync worker died before it was needed.');
    return w;
  });
}

let aliveWorkers = 0;
/**
 * Worker starts in progress. Compiling onnxruntime-web's wasm takes the machine's cores for seconds:
 * on a loaded 2-core machine the worker in use then answered pings more than 1.5 s late, and the
 * watchdog restarted healthy workers in a loop. Hang alarms wait until the starts are done.
 */
let startsInProgress = 0;

/** Workers started and not yet terminated (for leak checks in tests). */
export function liveLipSyncWorkerCount(): number {
  return aliveWorkers;
}

/**
 * Fault injection for tests (not part of the public API): makes every live shared worker crash
 * (uncaught error) or hang (endless loop). See `LipSyncWorkerApi.simulateFaultForTesting`.
 * @internal
 */
export function simulateLipSyncWorkerFaultForTesting(kind: 'crash' | 'hang'): number {
  let n = 0;
  for (const e of shared.values()) {
    if (e.started && !e.dead) {
      void e.started.api.simulateFaultForTesting(kind).catch(() => undefined);
      n++;
    }
  }
  return n;
}

/**
 * Gets (or starts) the shared worker for these options.
 * @param workerUrl defines the worker bundle URL
 * @param init defines the models and providers
 * @param watchdog defines the hang timeout and the standby spare. @default 3000 ms, no spare
 * @throws ModelLoadError when the models cannot be loaded (the worker is terminated then)
 */
export async function acquireLipSyncWorkerAsync(
  workerUrl: URL | string,
  init: IWorkerInitOptions,
  watchdog: ILipSyncWorkerWatchdogOptions = { hangTimeoutMs: 3000 },
): Promise<ILipSyncWorkerClient> {
  const key = JSON.stringify([String(workerUrl), init, watchdog.hangTimeoutMs, !!watchdog.standby]);
  let entry = shared.get(key);
  if (!entry || entry.dead) {
    const ready = takeHandoff(key) ?? startWorkerAsync(workerUrl, init, watchdog);
    const e: SharedEntry = { refs: 0, dead: false, started: null, ready, spare: null };
    entry = e;
    shared.set(key, e);
    const retire = () => {
      e.dead = true;
      if (shared.get(key) === e) shared.delete(key);
    };
    e.ready.then((started) => {
      e.started = started;
      started.watch();
      // A spare that dies (or fails to start) is replaced while the entry lives. It starts a moment
      // after the worker in use: two inits at once compete for the CPU the stream needs now, and on a
      // loaded 2-core machine starved the new worker's pings into false hang alarms.
      const startSpare = () => {
        if (!watchdog.standby || e.dead) return;
        const spare = startWorkerAsync(workerUrl, init, watchdog);
        e.spare = spare;
        spare.then(
          (w) => void w.crashed.then(() => e.spare === spare && startSpare()),
          () => void (e.spare === spare && (e.spare = null)),
        );
      };
      if (watchdog.standby) setTimeout(startSpare, SPARE_DELAY_MS);
      // A crashed worker is already terminated: the next acquire gets the spare, or a fresh one.
      void started.crashed.then(() => {
        retire();
        const spare = e.spare;
        e.spare = null;
        if (spare) handOff(key, spare);
      });
    }, retire);
  }
  entry.refs++;
  const e = entry;
  let started: StartedWorker;
  try {
    started = await e.ready;
  } catch (err) {
    e.refs--;
    throw err;
  }
  let released = false;
  return {
    api: started.api,
    info: started.info,
    crashed: started.crashed,
    async releaseAsync() {
      if (released) return;
      released = true;
      e.refs--;
      if (e.refs > 0 || e.dead) return;
      // Retire the entry now: an acquire during the disposal below must start a fresh worker, not
      // get this one as it is being terminated.
      e.dead = true;
      if (shared.get(key) === e) shared.delete(key);
      if (e.spare) terminateWhenReady(e.spare);
      e.spare = null;
      try {
        await Promise.race([started.api.disposeAsync(), new Promise((r) => setTimeout(r, 500))]);
      } catch {
        // a dead worker cannot dispose; terminating is enough
      }
      started.terminate();
    },
    kill() {
      if (!released) {
        released = true;
        e.refs--;
      }
      e.dead = true;
      if (shared.get(key) === e) shared.delete(key);
      started.terminate();
      if (e.refs === 0 && e.spare) {
        terminateWhenReady(e.spare);
        e.spare = null;
      }
    },
  };
}

async function startWorkerAsync(
  workerUrl: URL | string,
  init: IWorkerInitOptions,
  watchdog: ILipSyncWorkerWatchdogOptions,
): Promise<StartedWorker> {
  startsInProgress++;
  try {
    return await startAndInitWorkerAsync(workerUrl, init, watchdog);
  } finally {
    startsInProgress--;
  }
}

async function startAndInitWorkerAsync(
  workerUrl: URL | string,
  init: IWorkerInitOptions,
  watchdog: ILipSyncWorkerWatchdogOptions,
): Promise<StartedWorker> {
  const worker = new Worker(workerUrl, { type: 'module', name: 'perceptual-lipsync' });
  const api = wrap<LipSyncWorkerApi>(worker);
  let counted = false;
  let terminated = false;
  let stopWatchdog = () => {};
  const terminate = () => {
    if (terminated) return;
    terminated = true;
    stopWatchdog();
    if (counted) aliveWorkers--;
    api[releaseProxy]();
    worker.terminate();
  };
  let reportCrash: (err: WorkerCrashError) => void = () => {};
  const crashed = new Promise<WorkerCrashError>((resolve) => {
    reportCrash = (err) => {
      if (terminated) return; // terminated on purpose: not a crash
      terminate();
      resolve(err);
    };
  });
  worker.addEventListener('error', (ev) => {
    ev.preventDefault(); // handled here: not an uncaught error of the page
    if (ev.message) {
      reportCrash(new WorkerCrashError(`The lip-sync worker crashed: ${ev.message}.`));
      return;
    }
    // A script that fails to load (404, HTML fallback, wrong type) fires a bare Event: find out why.
    void describeScriptLoadFailureAsync(workerUrl).then((why) =>
      reportCrash(
        new WorkerCrashError(
          why
            ? `The lip-sync worker script could not be loaded: ${why}. ${ASSET_SETUP_HINT}`
            : 'The lip-sync worker crashed: script error.',
        ),
      ),
    );
  });
  try {
    const info = await Promise.race([
      api.initAsync(init),
      crashed.then((err) => {
        throw err;
      }),
    ]);
    counted = true;
    aliveWorkers++;
    let watching = false;
    const watch = () => {
      if (watching || terminated) return;
      watching = true;
      stopWatchdog = startLivenessWatchdog(
        () => api.ping(),
        { timeoutMs: watchdog.hangTimeoutMs, excused: () => startsInProgress > 0 },
        (silentMs) =>
          reportCrash(
            new WorkerCrashError(
              `The lip-sync worker stopped answering (no reply for ${Math.round(silentMs)} ms).`,
            ),
          ),
      );
    };
    return { api, info, crashed, terminate, alive: () => !terminated, watch };
  } catch (err) {
    terminate();
    throw reviveError(err);
  }
}

const TYPED_ERRORS: Record<string, new (message: string, options?: { cause?: unknown }) => LipSyncError> = {
  ModelLoadError,
  WorkerCrashError,
  LipSyncError,
};

/**
 * comlink carries an error's name and message across the thread, not its class: rebuild our typed
 * errors so callers can use `instanceof`.
 */
export function reviveError(err: unknown): unknown {
  if (err instanceof LipSyncError || !(err instanceof Error)) return err;
  const Typed = TYPED_ERRORS[err.name];
  return Typed ? new Typed(err.message, { cause: err }) : err;
}
