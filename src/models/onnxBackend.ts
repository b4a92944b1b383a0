/**
 * The only module that imports onnxruntime-web. Creates sessions with an explicit execution-provider
 * fallback (so we know which backend really runs), and sends every `run()` of every session through ONE
 * serial queue: onnxruntime-web runs one inference at a time per instance. Measured in Chromium 156 with
 * ORT 1.30: a wasm session's run started while a WebGPU session's run was pending failed with "Session
 * already started", and the WebGPU run then failed with "Session mismatch".
 */
import * as ort from 'onnxruntime-web';
import { ORT_WASM_FILE } from '../assetLayout.ts';
import { ModelLoadError } from '../errors.ts';

/** Execution provider names this plugin uses. */
export type ExecutionProvider = 'webgpu' | 'wasm';

/** Global ONNX runtime settings, applied once before the first session. */
export interface IOnnxEnvOptions {
  /** Base URL (or path in Node) of onnxruntime-web's `.wasm`/`.mjs` files; `undefined` = next to the bundle. */
  readonly wasmPaths?: string;
  /** wasm threads; capped at 1 without cross-origin isolation. */
  readonly numThreads: number;
}

/** A float32 tensor as plain data: what crosses threads and what tests compare. */
export interface IFloatTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Outputs of one run and its duration. */
export interface ITimedRun {
  readonly outputs: Record<string, IFloatTensor>;
  /** Wall time of the run, from its start (after the queue) to its outputs on the CPU, ms. */
  readonly runMs: number;
}

/** An ONNX session behind the thread's serial run queue. */
export interface IModelSession {
  /** The provider the session was created with (the first of the requested ones that worked). */
  readonly backend: ExecutionProvider;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model; calls (of every session) are queued, never concurrent. Missing feeds throw, extra feeds are dropped. */
  runAsync(feeds: Readonly<Record<string, IFloatTensor>>): Promise<Record<string, IFloatTensor>>;
  /** `runAsync`, also returning how long the run itself took (queue wait excluded), ms. */
  runTimedAsync(feeds: Readonly<Record<string, IFloatTensor>>): Promise<ITimedRun>;
  /** Releases the session; queued runs still finish first. */
  releaseAsync(): Promise<void>;
}

let envApplied: string | null = null;

/** The one run queue of this thread (see the file comment). */
let runChain: Promise<unknown> = Promise.resolve();
let pendingRuns = 0;

/** ONNX runs queued or running in this thread now (all sessions). */
export function pendingOnnxRuns(): number {
  return pendingRuns;
}

/**
 * Runs `work` after every run queued before it, across all sessions of this thread.
 * @param work defines the inference to run
 * @returns what `work` returns
 */
function enqueueRun<T>(work: () => Promise<T>): Promise<T> {
  pendingRuns++;
  const run = runChain.then(work).finally(() => pendingRuns--);
  runChain = run.catch(() => undefined);
  return run;
}

/**
 * Applies `ort.env` settings. Called before every session creation; later calls with different
 * settings are ignored with a warning because ORT reads them only when it first initialises wasm.
 */
export function configureOnnxRuntime(options: IOnnxEnvOptions): void {
  const key = JSON.stringify(options);
  if (envApplied !== null) {
    if (envApplied !== key) console.warn('onnxruntime-web is already initialised; new env options are ignored.');
    return;
  }
  envApplied = key;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const threads = isolated ? Math.max(1, Math.floor(options.numThreads)) : 1;
  ort.env.wasm.numThreads = threads;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = ortWasmPaths(options.wasmPaths, threads);
  ort.env.logLevel = 'error';
}

/**
 * What to give `ort.env.wasm.wasmPaths` for a folder URL. Single-threaded, only the binary's URL: the
 * bundled build then uses its embedded `.mjs` glue and fetches one file, and no bundler or dev server has
 * to serve a JavaScript module from the asset folder (Vite dev refuses `import()` of files under public/:
 * issue #16). With threads, the folder: onnxruntime-web starts its threads from the glue's own URL.
 * @param folder defines the folder URL (or a path in Node)
 * @param threads defines the wasm threads in use
 * @returns the `wasmPaths` value
 */
export function ortWasmPaths(folder: string, threads: number): string | { wasm: string } {
  if (threads > 1) return folder;
  const prefix = folder === '' || folder.endsWith('/') ? folder : `${folder}/`;
  return { wasm: prefix + ORT_WASM_FILE };
}

/** wasm threads ORT will use (after `configureOnnxRuntime`). */
export function onnxWasmThreads(): number {
  return ort.env.wasm.numThreads ?? 1;
}

/**
 * Creates a session on the first provider of `providers` that works, trying them one by one.
 * @param model defines the ONNX bytes
 * @param providers defines the providers in order of preference
 * @param label defines a name for error messages
 * @throws ModelLoadError when no provider can load the model (e.g. invalid ONNX)
 */
export async function createModelSessionAsync(
  model: Uint8Array,
  providers: readonly ExecutionProvider[],
  label: string,
): Promise<IModelSession> {
  const errors: string[] = [];
  for (const backend of providers) {
    if (backend === 'webgpu' && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
      errors.push('webgpu: navigator.gpu is not available');
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [backend],
        graphOptimizationLevel: 'all',
        // Errors only: at the default (warning) the WebGPU session logs "Some nodes were not assigned to
        // the preferred execution providers" through console.error on every load (consumer test, issue #16),
        // which reads as a failure in an app's console; real failures still throw.
        logSeverityLevel: 3,
      });
      return wrapSession(session, backend);
    } catch (e) {
      errors.push(`${backend}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new ModelLoadError(
    `Could not create the ${label} session with providers [${providers.join(', ')}]: ${errors.join('; ')}. ` +
      `Check that the file is a valid ONNX model and that onnxruntime-web's ${ORT_WASM_FILE} is served ` +
      '(`npx perceptual-lipsync assets <dir>` copies it; options assetBaseUrl or wasmPaths point at it).',
    { recoverable: true },
  );
}

function wrapSession(session: ort.InferenceSession, backend: ExecutionProvider): IModelSession {
  let last: Promise<unknown> = Promise.resolve();
  let released = false;
  const runOnce = async (feeds: Readonly<Record<string, IFloatTensor>>): Promise<ITimedRun> => {
    if (released) throw new ModelLoadError('The session was released.');
    const started = performance.now();
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const f = feeds[name];
      if (!f) throw new ModelLoadError(`Missing model input "${name}"; got [${Object.keys(feeds).join(', ')}].`);
      ortFeeds[name] = new ort.Tensor('float32', f.data, f.dims as number[]);
    }
    const out = await session.run(ortFeeds);
    const result: Record<string, IFloatTensor> = {};
    for (const name of session.outputNames) {
      const t = out[name];
      // getData() downloads GPU-located outputs; then the ORT tensor is no longer needed.
      const data = (await t.getData()) as Float32Array;
      result[name] = { data: new Float32Array(data), dims: [...t.dims] };
      t.dispose();
    }
    return { outputs: result, runMs: performance.now() - started };
  };
  const runTimedAsync = (feeds: Readonly<Record<string, IFloatTensor>>): Promise<ITimedRun> => {
    const run = enqueueRun(() => runOnce(feeds));
    last = run.catch(() => undefined);
    return run;
  };
  return {
    backend,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    runTimedAsync,
    async runAsync(feeds) {
      return (await runTimedAsync(feeds)).outputs;
    },
    async releaseAsync() {
      await last;
      if (released) return;
      released = true;
      await session.release();
    },
  };
}
