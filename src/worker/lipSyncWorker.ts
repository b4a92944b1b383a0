/**
 * @file The inference worker (a module Worker, `dist/worker.js`): framing → log-mel → generator, per
 * audio stream, off the main thread; and, for telemetry, the metric speech/mesh encoders over a
 * bounded log-mel history (`scoreAsync`). Its API is a plain object of functions exposed with comlink.
 * All ONNX runs go through onnxBackend's one queue: generator runs are never dropped, encoder runs are
 * skipped when the generator is behind. This file is the comlink API and its wiring; the worker's state is
 * one `LipSyncEngine`, each stream a `LipsStream`.
 *
 * **Example:**
 * ```ts
 * const api = wrap<LipSyncWorkerApi>(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
 * await api.initAsync({ manifestUrl: '/models/manifest.json', executionProviders: ['wasm'] });
 * ```
 * @module worker
 */
import { expose, finalizer, transfer } from 'comlink';
import { FEATURES_V1 } from '../features/featureSpec.ts';
import { ModelLoadError } from '../errors.ts';
import { loadModelBytesAsync } from '../models/loadModelBytes.ts';
import type { ILipSyncModelFiles } from '../models/loadLipSyncModels.ts';
import type { IModelManifest, LatencyHead } from '../models/modelManifest.ts';
import { configureOnnxRuntime, onnxWasmThreads, type ExecutionProvider } from '../models/onnxBackend.ts';
import type { IBackendChoice } from '../models/providerGuard.ts';
import { outputsPerRunFor } from '../models/streamingGenerator.ts';
import type { AudioChunk, LipsFrameBlock, WorkerStats } from './frames.ts';
import { LipSyncEngine, type ITelemetryScoreResult } from './lipSyncEngine.ts';
import { ingest, streamFootprint, type FrameSink } from './lipsStream.ts';

export type { ITelemetryScoreResult } from './lipSyncEngine.ts';
export type { FrameSink } from './lipsStream.ts';

/** Options of `initAsync`. */
export interface IWorkerInitOptions {
  /** URL of `manifest.json`; model files are resolved relative to it. */
  readonly manifestUrl: string;
  /** Providers in order of preference. */
  readonly executionProviders: readonly ExecutionProvider[];
  /** Where onnxruntime-web's `.wasm` files live (URL prefix); default: next to the worker bundle. */
  readonly wasmPaths?: string;
  /** wasm threads (capped at 1 without cross-origin isolation). @default 2 */
  readonly numThreads?: number;
  /** Fetch attempts per file (exponential back-off from 250 ms). @default 3 */
  readonly fetchAttempts?: number;
  /**
   * Generator head to load (manifest `latencyModes`); falls back to `generator` when the manifest lacks it.
   * @default 'balanced'
   */
  readonly latencyHead?: LatencyHead;
}

/** What `initAsync` reports. */
export interface IWorkerInfo {
  /** The generator's backend (`backends.generator.backend`). */
  readonly backend: ExecutionProvider;
  /** Each loaded model's backend and why the provider guard chose it (`generator`, `speechEncoder`, `meshEncoder`). */
  readonly backends: Readonly<Record<string, IBackendChoice>>;
  readonly wasmThreads: number;
  readonly frameRateHz: number;
  readonly lookaheadMs: number;
  /**
   * Output frames the generator produces per run on a played source's stream (batching delay:
   * outputsPerRun − 1 frames, inside its delay compensation).
   */
  readonly outputsPerRun: number;
  /** The same on a live stream (`openStream` with `live`): 1, each output as soon as its look-ahead is there. */
  readonly liveOutputsPerRun: number;
  /** The manifest, with `generator` the loaded head's entry (what `frameRateHz` and `lookaheadMs` describe). */
  readonly manifest: IModelManifest;
  /** The generator head loaded: the one asked for, or `balanced` when the manifest lacks it. */
  readonly latencyHead: LatencyHead;
  /** True when the metric encoders were loaded, so `scoreAsync` measures PLRS and A/V offset. */
  readonly telemetryEncoders: boolean;
}

const HOP = FEATURES_V1.hopLengthSamples;
const SR = FEATURES_V1.sampleRateHz;

/**
 * Model files fetched relative to the manifest's URL, with retries and sha256 checks.
 * @param manifestUrl defines the manifest's URL
 * @param attempts defines fetch attempts per file
 */
function fetchedModelFiles(manifestUrl: string, attempts: number): ILipSyncModelFiles {
  const base = new URL(manifestUrl, self.location.href);
  return {
    async readManifestAsync() {
      const manifestBytes = await loadModelBytesAsync(manifestUrl, attempts);
      try {
        return JSON.parse(new TextDecoder().decode(manifestBytes)) as unknown;
      } catch (e) {
        throw new ModelLoadError(`${manifestUrl} is not JSON: ${(e as Error).message}`);
      }
    },
    readFileAsync: (file, sha256) => loadModelBytesAsync(new URL(file, base).href, attempts, sha256),
  };
}

/** The worker's state: models, streams, counters. */
const engine = new LipSyncEngine();

const api = {
  /**
   * Loads the manifest and the generator session. Safe to call again: the previous session is released.
   * @throws ModelLoadError when a file cannot be fetched or is not a valid model
   */
  async initAsync(options: IWorkerInitOptions): Promise<IWorkerInfo> {
    configureOnnxRuntime({ wasmPaths: options.wasmPaths, numThreads: options.numThreads ?? 2 });
    const files = fetchedModelFiles(options.manifestUrl, options.fetchAttempts ?? 3);
    const {
      manifest: m,
      latencyHead,
      generator,
      encoders,
    } = await engine.loadAsync(files, options.executionProviders, options.latencyHead ?? 'balanced');
    return {
      backend: generator.backend,
      backends: engine.backends(),
      wasmThreads: onnxWasmThreads(),
      frameRateHz: m.generator.frameRateHz,
      lookaheadMs: (m.generator.lookaheadFrames * HOP * 1000) / SR,
      outputsPerRun: outputsPerRunFor(m.generator),
      liveOutputsPerRun: outputsPerRunFor(m.generator, true),
      manifest: m,
      latencyHead,
      telemetryEncoders: encoders !== null,
    };
  },

  /**
   * Starts a stream fed by a capture worklet's port (chunks `AudioChunk`, buffers returned to the
   * worklet after use). Frames go to `sink`. A `live` stream (a microphone, heard as it happens) runs
   * one generator output per run (`IWorkerInfo.liveOutputsPerRun`).
   */
  openStream(id: number, port: MessagePort, sink: FrameSink, live = false): void {
    api.closeStream(id);
    engine.openStream(id, port, sink, live);
    port.onmessage = (e: MessageEvent<AudioChunk>) => {
      const chunk = e.data;
      // Looked up per chunk: interruptStream replaces the stream's state under the same id and port.
      const current = engine.streams.get(id);
      if (current?.port === port) ingest(current, chunk);
      port.postMessage(chunk.samples, [chunk.samples.buffer]); // back to the worklet's pool
    };
  },

  /** Feeds audio directly (no worklet): used by tests and by sources decoded on the main thread. */
  pushAudio(id: number, chunk: AudioChunk): void {
    const stream = engine.streams.get(id);
    if (stream) ingest(stream, chunk);
  },

  /** Starts a stream fed with `pushAudio`. */
  openPushStream(id: number, sink: FrameSink): void {
    api.closeStream(id);
    engine.openStream(id, null, sink);
  },

  /**
   * Cuts a stream's speech off (the user interrupted a voice agent): the mel frames and generator outputs
   * still queued for it are dropped, a run in flight emits nothing, and audio captured before
   * `fromTimeSec` is ignored; the stream goes on from there with a fresh generator state, on the same
   * frame grid, as a new utterance.
   * @param id defines the stream
   * @param fromTimeSec defines the AudioContext time from which captured audio counts again
   */
  interruptStream(id: number, fromTimeSec: number): void {
    const old = engine.streams.get(id);
    if (!old) return;
    old.closed = true; // its pump emits nothing more
    const fresh = engine.openStream(id, old.port, old.sink, old.live);
    fresh.skipBeforeSec = fromTimeSec;
  },

  /** Ends a stream and releases its port. */
  closeStream(id: number): void {
    engine.closeStream(id);
  },

  /**
   * Generates a whole utterance offline (bake, parity tests): same features and model as streaming.
   * @param samples16k defines mono 16 kHz audio
   */
  async generateOfflineAsync(samples16k: Float32Array): Promise<LipsFrameBlock> {
    const track = await engine.generateOfflineAsync(samples16k);
    const block: LipsFrameBlock = {
      frames: track.frames,
      firstTimeSec: 0,
      frameDurationSec: 1 / track.fps,
      displacements: track.displacements,
      speechRms: track.speechRms,
    };
    return transfer(block, [track.displacements.buffer, track.speechRms.buffer]);
  },

  /**
   * Scores lips read back from the avatar against the stream's speech, for live PLRS and A/V offset,
   * and reports the system counters. Every complete mesh window in the range whose speech (±250 ms
   * around it) is in the stream's 4 s mel history is scored; send overlapping ranges and keep the
   * windows not seen before. Encoder work is skipped (`dropped`) while the generator is behind or a
   * previous call for this stream is still running; generator runs are never delayed by more than
   * one encoder batch.
   * @param id defines the stream
   * @param firstTimeSec defines the audio-clock time of lips frame 0 (on the stream's output-frame grid)
   * @param frames defines the lips frame count (0: counters only)
   * @param lipsDisplacements defines `frames × 63` lips-v1 displacements, metres (transfer it)
   */
  async scoreAsync(
    id: number,
    firstTimeSec: number,
    frames: number,
    lipsDisplacements: Float32Array,
  ): Promise<ITelemetryScoreResult> {
    const result = await engine.scoreAsync(id, firstTimeSec, frames, lipsDisplacements);
    return transfer(
      result,
      result.windows.map((w) => w.similarities.buffer as ArrayBuffer),
    );
  },

  /** Liveness probe: the main thread's watchdog restarts a worker that stops answering this. */
  ping(): true {
    return true;
  },

  /**
   * Diagnostic hook for fault tests, never called by the library: `'crash'` throws an uncaught error
   * (the Worker's `error` event fires), `'hang'` busy-loops forever (only the watchdog notices).
   * Either way the main thread terminates this worker and starts a fresh one.
   * @param kind defines the fault
   */
  simulateFaultForTesting(kind: 'crash' | 'hang'): void {
    setTimeout(() => {
      if (kind === 'crash') throw new Error('simulated worker crash (simulateFaultForTesting)');
      for (;;) {
        // hang: never yield to the event loop
      }
    });
  },

  /**
   * Floats a stream holds in its growable buffers (speech-energy history, generator window), or null
   * for no such stream: tests check it stays bounded however long the stream runs.
   * @param id defines the stream
   */
  streamFootprint(id: number): number | null {
    const s = engine.streams.get(id);
    return s ? streamFootprint(s) : null;
  },

  /** Counters for telemetry. */
  getStats(): WorkerStats {
    return engine.stats();
  },

  /** Releases every session and stream. */
  async disposeAsync(): Promise<void> {
    await engine.disposeAsync();
  },

  [finalizer](): void {
    void api.disposeAsync();
  },
};

/** The worker's API as seen through `comlink.wrap`. */
export type LipSyncWorkerApi = typeof api;

expose(api);
