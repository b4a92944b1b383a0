/**
 * Main-thread side of the inference worker: starts it, initialises its models, and tears it down
 * (comlink proxy released, worker terminated). Several behaviors on a page share one client through
 * `acquireLipSyncWorkerAsync`, reference-counted by worker URL + models + providers.
 */
import { releaseProxy, wrap, type Remote } from 'comlink';
import { LipSyncError, ModelLoadError, WorkerCrashError } from '../errors.ts';
import type { IWorkerInfo, IWorkerInitOptions, LipSyncWorkerApi } from './lipSyncWorker.ts';

/** A started, initialised inference worker. */
export interface ILipSyncWorkerClient {
  readonly api: Remote<LipSyncWorkerApi>;
  readonly info: IWorkerInfo;
  /** Resolves with the crash error if the worker dies (uncaught error) before `release`. */
  readonly crashed: Promise<WorkerCrashError>;
  /** Hands back this reference; the last one disposes the models and terminates the worker. */
  releaseAsync(): Promise<void>;
  /** Terminates at once for every user (a hung worker); the next acquire starts a fresh one. */
  kill(): void;
}

interface SharedEntry {
  refs: number;
  ready: Promise<{
    worker: Worker;
    api: Remote<LipSyncWorkerApi>;
    info: IWorkerInfo;
    crashed: Promise<WorkerCrashError>;
  }>;
  dead: boolean;
  terminated: boolean;
}

const shared = new Map<string, SharedEntry>();

let aliveWorkers = 0;

/** Workers started and not yet terminated (for leak checks in tests). */
export function liveLipSyncWorkerCount(): number {
  return aliveWorkers;
}

/**
 * Gets (or starts) the shared worker for these options.
 * @param workerUrl defines the worker bundle URL
 * @param init defines the models and providers
 * @throws ModelLoadError when the models cannot be loaded (the worker is terminated then)
 */
export async function acquireLipSyncWorkerAsync(
  workerUrl: URL | string,
  init: IWorkerInitOptions,
): Promise<ILipSyncWorkerClient> {
  const key = JSON.stringify([String(workerUrl), init]);
  let entry = shared.get(key);
  if (!entry || entry.dead) {
    entry = { refs: 0, dead: false, terminated: false, ready: startWorkerAsync(workerUrl, init) };
    shared.set(key, entry);
    const e = entry;
    e.ready.catch(() => {
      e.dead = true;
      if (shared.get(key) === e) shared.delete(key);
    });
  }
  entry.refs++;
  const e = entry;
  let started;
  try {
    started = await e.ready;
  } catch (err) {
    e.refs--;
    throw err;
  }
  let released = false;
  const terminate = () => {
    e.dead = true;
    if (shared.get(key) === e) shared.delete(key);
    if (e.terminated) return;
    e.terminated = true;
    aliveWorkers--;
    started.api[releaseProxy]();
    started.worker.terminate();
  };
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
      try {
        await Promise.race([started.api.disposeAsync(), new Promise((r) => setTimeout(r, 500))]);
      } catch {
        // a dead worker cannot dispose; terminating is enough
      }
      terminate();
    },
    kill() {
      released = true;
      if (!e.dead) terminate();
    },
  };
}

async function startWorkerAsync(workerUrl: URL | string, init: IWorkerInitOptions) {
  const worker = new Worker(workerUrl, { type: 'module', name: 'perceptual-lipsync' });
  const api = wrap<LipSyncWorkerApi>(worker);
  const crashed = new Promise<WorkerCrashError>((resolve) => {
    worker.addEventListener('error', (ev) => {
      resolve(new WorkerCrashError(`The lip-sync worker crashed: ${ev.message || 'script error'}.`));
    });
  });
  try {
    const info = await Promise.race([
      api.initAsync(init),
      crashed.then((err) => {
        throw err;
      }),
    ]);
    aliveWorkers++;
    return { worker, api, info, crashed };
  } catch (err) {
    api[releaseProxy]();
    worker.terminate();
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
