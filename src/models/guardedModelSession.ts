/**
 * The provider guard (issue #13): creates a model's session on the provider that keeps up, and hands a
 * running WebGPU session over to wasm when it falls behind real time. Rules in `providerGuard.ts`; this
 * file does the effects (adapter probe, session creation with a deadline, timed trial runs, the switch).
 *
 * The switch loses nothing: every run's inputs (mel frames and the carried state) are CPU data owned by
 * the caller, so the next run simply goes to the other session. Runs never overlap (onnxBackend's one
 * queue), which is also why a WebGPU run cannot be abandoned halfway: it is awaited, then the handover
 * happens at the run boundary.
 */
import {
  createModelSessionAsync,
  type ExecutionProvider,
  type IFloatTensor,
  type IModelSession,
  type ITimedRun,
} from './onnxBackend.ts';
import {
  DEFAULT_PROVIDER_GUARD_LIMITS,
  RealTimeWatch,
  chooseProvider,
  rejectWebGpuAdapter,
  type BackendReason,
  type IBackendChoice,
  type IGpuAdapterFacts,
  type IProviderGuardLimits,
  type IProviderTrial,
} from './providerGuard.ts';

/** Options of `createGuardedModelSessionAsync`. */
export interface IGuardedSessionOptions {
  /** Name for errors and logs ('generator', 'speech encoder'…). */
  readonly label: string;
  /** Inputs of a typical run, used for the timed trials (zeros of the streaming shapes are fine). */
  readonly trialFeeds: Readonly<Record<string, IFloatTensor>>;
  /** Audio one run of any feeds covers, ms (for the trials and the running watch). */
  audioMsOf(feeds: Readonly<Record<string, IFloatTensor>>): number;
  /** Timed trial runs per provider after the first (compiling) one. @default 5 */
  readonly trialRuns?: number;
  /** Thresholds. */
  readonly limits?: Partial<IProviderGuardLimits>;
  /**
   * Reads the WebGPU adapter's facts; null when there is none. Injectable for tests; the default asks
   * `navigator.gpu.requestAdapter()`.
   */
  readonly probeAdapterAsync?: () => Promise<IGpuAdapterFacts | null>;
  /** Called after a running session handed over to another backend. */
  readonly onBackendChanged?: (choice: IBackendChoice) => void;
  /** Creates a session on one provider. Injectable for tests. @default createModelSessionAsync */
  readonly createSessionAsync?: (
    model: Uint8Array,
    backend: ExecutionProvider,
    label: string,
  ) => Promise<IModelSession>;
}

/** A model session that may change backend while it runs; `choice` says which one and why. */
export interface IGuardedModelSession extends IModelSession {
  /** The backend runs go to now, and why. */
  readonly choice: IBackendChoice;
}

interface IGpuLike {
  requestAdapter(): Promise<{
    readonly info?: Partial<IGpuAdapterFacts>;
    readonly isFallbackAdapter?: boolean;
  } | null>;
}

/** Asks the browser's WebGPU for its adapter; null when there is no WebGPU or no adapter. */
export async function probeWebGpuAdapterAsync(): Promise<IGpuAdapterFacts | null> {
  const gpu = (globalThis as { navigator?: { gpu?: IGpuLike } }).navigator?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
  };
}

/** Resolves with `promise`, or with `onTimeout()` after `ms`. */
function deadline<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((resolve) => (timer = setTimeout(() => resolve(onTimeout()), ms))),
  ]);
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Creates a session for `model` on the provider that keeps up (see `chooseProvider`): WebGPU is skipped
 * on a software adapter, given `creationTimeoutMs` to create and `firstRunTimeoutMs` for its compiling
 * first run, then timed against wasm on `trialFeeds`. A chosen WebGPU session is watched while it runs
 * and hands over to wasm if it falls behind real time.
 * @param model defines the ONNX bytes
 * @param providers defines the providers in order of preference
 * @param options defines the trial input, audio accounting and thresholds
 * @returns the guarded session
 * @throws ModelLoadError when no provider can create the session
 */
export async function createGuardedModelSessionAsync(
  model: Uint8Array,
  providers: readonly ExecutionProvider[],
  options: IGuardedSessionOptions,
): Promise<IGuardedModelSession> {
  const limits = { ...DEFAULT_PROVIDER_GUARD_LIMITS, ...options.limits };
  const wanted = [...new Set(providers)];
  let rejected: { reason: BackendReason; detail: string } | null = null;
  if (wanted.includes('webgpu') && wanted.length > 1) {
    rejected = rejectWebGpuAdapter(await (options.probeAdapterAsync ?? probeWebGpuAdapterAsync)());
    if (rejected) wanted.splice(wanted.indexOf('webgpu'), 1);
  }
  const create =
    options.createSessionAsync ??
    ((bytes: Uint8Array, backend: ExecutionProvider, label: string) =>
      createModelSessionAsync(bytes, [backend], label));
  // Sessions that answered, in preference order. With an alternative, a WebGPU failure is a reason to
  // use the alternative, not an error.
  const sessions: IModelSession[] = [];
  for (const backend of wanted) {
    if (backend !== 'webgpu' || wanted.length === 1) {
      try {
        sessions.push(await create(model, backend, options.label));
      } catch (e) {
        await Promise.all(sessions.map((s) => s.releaseAsync()));
        throw e;
      }
      continue;
    }
    let timedOut = false;
    const creating = create(model, backend, options.label);
    const session = await deadline(
      creating.catch((e: unknown) => {
        rejected = { reason: 'webgpu-failed', detail: `WebGPU session creation failed: ${errorText(e)}` };
        return null;
      }),
      limits.creationTimeoutMs,
      () => {
        timedOut = true;
        return null;
      },
    );
    if (timedOut) {
      rejected = {
        reason: 'webgpu-failed',
        detail: `creating the WebGPU session took more than ${limits.creationTimeoutMs} ms`,
      };
      void creating.then((s) => s.releaseAsync(), () => undefined); // released whenever it finishes
    }
    if (session) sessions.push(session);
  }
  if (sessions.length === 1) {
    const only = sessions[0];
    const choice: IBackendChoice = rejected
      ? { backend: only.backend, ...rejected }
      : { backend: only.backend, reason: 'only-provider', detail: `${only.backend} was the only provider requested` };
    return guard(only, null, choice, options, limits);
  }
  const trials: IProviderTrial[] = [];
  const kept: IModelSession[] = [];
  for (const session of sessions) {
    const trial = await trialAsync(session, options, limits);
    if (trial) {
      trials.push(trial);
      kept.push(session);
    } else {
      rejected = {
        reason: 'webgpu-failed',
        detail: `the ${session.backend} trial run failed or took more than ${limits.firstRunTimeoutMs} ms`,
      };
      void session.releaseAsync();
    }
  }
  const audioMs = options.audioMsOf(options.trialFeeds);
  const choice: IBackendChoice =
    trials.length === 1 && rejected
      ? { backend: trials[0].backend, ...rejected }
      : chooseProvider(trials, audioMs, limits);
  const chosen = kept[trials.findIndex((t) => t.backend === choice.backend)];
  // A chosen WebGPU session keeps wasm ready for the handover; every other loser is released.
  const fallback = chosen.backend === 'webgpu' ? (kept.find((s) => s.backend === 'wasm') ?? null) : null;
  for (const s of kept) if (s !== chosen && s !== fallback) void s.releaseAsync();
  return guard(chosen, fallback, choice, options, limits);
}

/** Times one provider on the trial input; null when its first run fails or misses its deadline. */
async function trialAsync(
  session: IModelSession,
  options: IGuardedSessionOptions,
  limits: IProviderGuardLimits,
): Promise<IProviderTrial | null> {
  const started = performance.now();
  const first = session.runTimedAsync(options.trialFeeds);
  let failed = false;
  await deadline(
    first.catch(() => (failed = true)),
    limits.firstRunTimeoutMs,
    () => (failed = true),
  );
  // A run cannot be cancelled, and nothing else may run while it does (one queue): wait it out.
  await first.catch(() => undefined);
  if (failed) return null;
  const firstRunMs = performance.now() - started;
  const runMs: number[] = [];
  for (let i = 0; i < (options.trialRuns ?? 5); i++) {
    try {
      runMs.push((await session.runTimedAsync(options.trialFeeds)).runMs);
    } catch {
      return null;
    }
  }
  return { backend: session.backend, firstRunMs, runMs };
}

/** Wraps the chosen session: routes runs, watches WebGPU, hands over to `fallback` when it falls behind. */
function guard(
  chosen: IModelSession,
  fallback: IModelSession | null,
  initial: IBackendChoice,
  options: IGuardedSessionOptions,
  limits: IProviderGuardLimits,
): IGuardedModelSession {
  let current = chosen;
  let choice = initial;
  let spare = fallback;
  const watch = fallback ? new RealTimeWatch(limits) : null;
  const runTimedAsync = async (feeds: Readonly<Record<string, IFloatTensor>>): Promise<ITimedRun> => {
    const session = current;
    const run = await session.runTimedAsync(feeds);
    if (watch && spare && session === current && watch.record(run.runMs, options.audioMsOf(feeds))) {
      const old = current;
      current = spare;
      spare = null;
      choice = {
        backend: current.backend,
        reason: 'webgpu-fell-behind',
        detail: `${old.backend} took ${(watch.medianRatio * 100).toFixed(0)} % of real time over its last ${limits.watchRuns} runs`,
      };
      void old.releaseAsync();
      options.onBackendChanged?.(choice);
    }
    return run;
  };
  return {
    get backend() {
      return current.backend;
    },
    get choice() {
      return choice;
    },
    inputNames: chosen.inputNames,
    outputNames: chosen.outputNames,
    runTimedAsync,
    async runAsync(feeds) {
      return (await runTimedAsync(feeds)).outputs;
    },
    async releaseAsync() {
      await Promise.all([current.releaseAsync(), spare?.releaseAsync()]);
    },
  };
}
