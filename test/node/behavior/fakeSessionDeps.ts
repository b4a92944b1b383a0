/** Fakes of a session's effects (AudioContext, source, worker, capture node, render loop) for node tests. */
import type { ILipSyncSessionDeps } from '../../../src/behavior/lipSyncSessionDeps.ts';
import { LipSyncSession, type ILipSyncSessionHost } from '../../../src/behavior/lipSyncSession.ts';
import {
  validatePerceptualLipSyncOptions,
  type IPerceptualLipSyncOptions,
} from '../../../src/behavior/perceptualLipSyncOptions.ts';
import type { WorkerCrashError } from '../../../src/errors.ts';
import type { LatencyHead } from '../../../src/models/modelManifest.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';

export class FakeNode {
  readonly connections = new Set<unknown>();
  readonly delayTime = { value: 0 };
  readonly gain = {
    value: 1,
    cancelScheduledValues: () => undefined,
    setValueAtTime: () => undefined,
    linearRampToValueAtTime: () => undefined,
  };
  connect<T>(to: T): T {
    this.connections.add(to);
    return to;
  }
  disconnect(to?: unknown): void {
    if (to === undefined) this.connections.clear();
    else if (!this.connections.delete(to)) throw new Error('not connected');
  }
}

export function fakes(
  opts: { playback?: boolean; failCapture?: boolean; options?: Partial<IPerceptualLipSyncOptions> } = {},
) {
  const log: string[] = [];
  /** The head each worker acquire asked for. */
  const heads: LatencyHead[] = [];
  const listeners = new Set<unknown>();
  const context = {
    state: 'running',
    currentTime: 10,
    destination: new FakeNode(),
    createDelay: () => new FakeNode(),
    createGain: () => new FakeNode(),
    resume: async () => undefined,
    addEventListener: (_: string, l: unknown) => listeners.add(l),
    removeEventListener: (_: string, l: unknown) => listeners.delete(l),
  };
  const source = {
    node: new FakeNode(),
    playback: opts.playback ?? true,
    ended: null,
    lost: null,
    destination: null,
    pcmStream: null,
    start: () => log.push('source.start'),
    close: () => log.push('source.close'),
  };
  const workers: {
    sink: ((b: LipsFrameBlock) => void) | null;
    live: boolean | undefined;
    crash(e: WorkerCrashError): void;
  }[] = [];
  function fakeWorker(latencyHead: LatencyHead): object {
    let crash!: (e: WorkerCrashError) => void;
    const w = {
      sink: null as ((b: LipsFrameBlock) => void) | null,
      /** The `live` flag of the last `openStream`. */
      live: undefined as boolean | undefined,
      crash: (e: WorkerCrashError) => crash(e),
      crashed: new Promise<WorkerCrashError>((r) => (crash = r)),
      info: {
        backend: 'wasm',
        backends: {
          generator: { backend: 'wasm', reason: 'software-adapter', detail: 'fake: SwiftShader adapter' },
          speechEncoder: { backend: 'wasm', reason: 'only-provider', detail: 'fake' },
        },
        wasmThreads: 1,
        frameRateHz: 50,
        lookaheadMs: 100,
        outputsPerRun: 1,
        manifest: {},
        latencyHead,
        telemetryEncoders: false,
      },
      api: {
        openStream: async (
          _id: number,
          _port: unknown,
          sink: (b: LipsFrameBlock) => void,
          live?: boolean,
        ) => {
          w.sink = sink;
          w.live = live;
          log.push(`worker${workers.indexOf(w)}.openStream`);
        },
        closeStream: async () => log.push(`worker${workers.indexOf(w)}.closeStream`),
        scoreAsync: () => new Promise(() => undefined),
        interruptStream: async () => undefined,
      },
      releaseAsync: async () => void log.push(`worker${workers.indexOf(w)}.release`),
      kill: () => log.push(`worker${workers.indexOf(w)}.kill`),
    };
    workers.push(w);
    return w;
  }
  const capture = {
    node: new FakeNode(),
    port: {},
    renewPort: () => (log.push('capture.renewPort'), {}),
    dispose: () => log.push('capture.dispose'),
  };
  const deps: ILipSyncSessionDeps = {
    acquireAudioContext: () =>
      (log.push('lease'), { context, release: () => log.push('lease.release') }) as never,
    soundContext: () => null,
    openAudioSourceAsync: async () => (log.push('source'), source) as never,
    acquireWorkerAsync: async (_o, head) => (log.push('worker'), heads.push(head), fakeWorker(head)) as never,
    createCaptureNodeAsync: async () => {
      log.push('capture');
      if (opts.failCapture) throw new Error('no AudioWorklet');
      return capture as never;
    },
    nowMs: () => 0,
  };
  const states: string[] = [];
  const errors: Error[] = [];
  let current: LipSyncSession | null = null;
  const host: ILipSyncSessionHost = {
    options: validatePerceptualLipSyncOptions(opts.options),
    isCurrent: (s) => s === current,
    setState: (s) => states.push(s),
    notifyError: (e) => errors.push(e),
    fail: (_s, e) => errors.push(e),
    stop: () => log.push('host.stop'),
    onContextStateChange: () => undefined,
    telemetryWanted: () => false,
    emitTelemetry: () => undefined,
  };
  const observers = new Set<unknown>();
  const renderLoop = {
    add: (cb: () => void) => {
      observers.add(cb);
      return { remove: () => observers.delete(cb) };
    },
  };
  const session = new LipSyncSession(host, deps);
  current = session;
  return {
    deps,
    session,
    log,
    listeners,
    observers,
    renderLoop,
    source,
    capture,
    workers,
    heads,
    states,
    errors,
    context,
  };
}
