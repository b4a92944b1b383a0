/**
 * @file The inference worker (a module Worker, `dist/worker.js`): framing → log-mel → generator, per
 * audio stream, off the main thread. Its API is a plain object of functions exposed with comlink.
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
import { StreamingLogMel } from '../features/streamingLogMel.ts';
import { validateModelManifest, type IModelManifest } from '../models/modelManifest.ts';
import {
  configureOnnxRuntime,
  createModelSessionAsync,
  onnxWasmThreads,
  type ExecutionProvider,
  type IModelSession,
} from '../models/onnxBackend.ts';
import { StreamingGenerator } from '../models/streamingGenerator.ts';
import { generateLipsTrackAsync } from '../models/generateLipsTrack.ts';
import { loadModelBytesAsync } from '../models/loadModelBytes.ts';
import { lipsDisplacementsToPoints } from '../models/lipsDisplacementsToPoints.ts';
import { ModelLoadError } from '../errors.ts';
import type { AudioChunk, LipsFrameBlock, WorkerStats } from './frames.ts';

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
}

/** What `initAsync` reports. */
export interface IWorkerInfo {
  readonly backend: ExecutionProvider;
  readonly wasmThreads: number;
  readonly frameRateHz: number;
  readonly lookaheadMs: number;
  readonly manifest: IModelManifest;
}

/** Receives generated frames of one stream (a comlink proxy on the main thread). */
export type FrameSink = (block: LipsFrameBlock) => void;

interface StreamState {
  readonly port: MessagePort | null;
  readonly sink: FrameSink;
  readonly logMel: StreamingLogMel;
  readonly generator: StreamingGenerator;
  /** AudioContext time of the stream's 16 kHz sample 0. */
  t0: number | null;
  samples: number;
  /** Sum of squares per 160-sample hop, for per-frame speech RMS. */
  hopEnergy: Float64Array;
  hopEnergyFirst: number;
  pumping: boolean;
  dirty: boolean;
  closed: boolean;
}

const HOP = FEATURES_V1.hopLengthSamples;
const SR = FEATURES_V1.sampleRateHz;
const RUN_HISTORY = 64;

let manifest: IModelManifest | null = null;
let generatorSession: IModelSession | null = null;
const streams = new Map<number, StreamState>();
const runMs: number[] = [];
let generatorRuns = 0;
let droppedChunks = 0;
let samplesReceived = 0;

function requireReady(): { m: IModelManifest; s: IModelSession } {
  if (!manifest || !generatorSession)
    throw new Error('The lip-sync worker is not initialised: call initAsync first.');
  return { m: manifest, s: generatorSession };
}

async function runGenerator(mel: Float32Array, frames: number): Promise<Float32Array> {
  const { m, s } = requireReady();
  const t = performance.now();
  const out = await s.runAsync({
    [m.generator.inputName]: { data: mel, dims: [1, frames, FEATURES_V1.melBands] },
  });
  runMs.push(performance.now() - t);
  if (runMs.length > RUN_HISTORY) runMs.shift();
  generatorRuns++;
  const y = out[m.generator.outputName];
  if (!y) throw new Error(`Generator output "${m.generator.outputName}" missing.`);
  return y.data;
}

function ingest(stream: StreamState, chunk: AudioChunk): void {
  const x = chunk.samples;
  if (stream.t0 === null) stream.t0 = chunk.contextTimeSec - chunk.firstSample / SR;
  // Non-finite samples (a broken source) become silence rather than poisoning the model's state.
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) x[i] = 0;
  accumulateHopEnergy(stream, x);
  stream.samples += x.length;
  samplesReceived += x.length;
  const block = stream.logMel.push(x);
  if (block) {
    stream.generator.appendMel(block.data, block.frames);
    void pump(stream);
  }
}

function accumulateHopEnergy(stream: StreamState, x: Float32Array): void {
  const totalHops = Math.ceil((stream.samples + x.length) / HOP);
  const needed = totalHops - stream.hopEnergyFirst;
  if (needed > stream.hopEnergy.length) {
    const bigger = new Float64Array(Math.max(needed, stream.hopEnergy.length * 2));
    bigger.set(stream.hopEnergy);
    stream.hopEnergy = bigger;
  }
  for (let i = 0; i < x.length; i++) {
    const hop = Math.floor((stream.samples + i) / HOP) - stream.hopEnergyFirst;
    stream.hopEnergy[hop] += x[i] * x[i];
  }
}

async function pump(stream: StreamState): Promise<void> {
  if (stream.pumping) {
    stream.dirty = true; // coalesce: the running pump picks the new frames up in one bigger window
    return;
  }
  stream.pumping = true;
  try {
    do {
      stream.dirty = false;
      const block = await stream.generator.pumpAsync(runGenerator);
      if (!block || stream.closed) break;
      droppedChunks += block.droppedOutputs;
      stream.sink(toFrameBlock(stream, block.firstOutput, block.outputs, block.displacements));
    } while (stream.dirty);
  } finally {
    stream.pumping = false;
  }
}

function toFrameBlock(stream: StreamState, first: number, count: number, disp: Float32Array): LipsFrameBlock {
  const { m } = requireReady();
  const k = m.generator.melFramesPerOutputFrame;
  const points = lipsDisplacementsToPoints(disp, count);
  const speechRms = new Float32Array(count);
  for (let j = 0; j < count; j++) {
    let e = 0;
    let n = 0;
    for (let h = (first + j) * k; h < (first + j + 1) * k; h++) {
      const idx = h - stream.hopEnergyFirst;
      if (idx >= 0 && idx < stream.hopEnergy.length) {
        e += stream.hopEnergy[idx];
        n += HOP;
      }
    }
    speechRms[j] = n > 0 ? Math.sqrt(e / n) : 0;
  }
  // Hop energies before the last emitted frame are no longer needed.
  const drop = (first + count) * k - stream.hopEnergyFirst - 1;
  if (drop > 256) {
    stream.hopEnergy.copyWithin(0, drop);
    stream.hopEnergy.fill(0, stream.hopEnergy.length - drop);
    stream.hopEnergyFirst += drop;
  }
  const block: LipsFrameBlock = {
    frames: count,
    firstTimeSec: (stream.t0 ?? 0) + (first * k * HOP) / SR,
    frameDurationSec: (k * HOP) / SR,
    points,
    speechRms,
  };
  return transfer(block, [points.buffer, speechRms.buffer]);
}

function newStream(port: MessagePort | null, sink: FrameSink): StreamState {
  const { m } = requireReady();
  return {
    port,
    sink,
    logMel: new StreamingLogMel(FEATURES_V1),
    generator: new StreamingGenerator(m.generator, FEATURES_V1.melBands),
    t0: null,
    samples: 0,
    hopEnergy: new Float64Array(1024),
    hopEnergyFirst: 0,
    pumping: false,
    dirty: false,
    closed: false,
  };
}

const api = {
  /**
   * Loads the manifest and the generator session. Safe to call again: the previous session is released.
   * @throws ModelLoadError when a file cannot be fetched or is not a valid model
   */
  async initAsync(options: IWorkerInitOptions): Promise<IWorkerInfo> {
    configureOnnxRuntime({ wasmPaths: options.wasmPaths, numThreads: options.numThreads ?? 2 });
    const attempts = options.fetchAttempts ?? 3;
    const manifestBytes = await loadModelBytesAsync(options.manifestUrl, attempts);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(manifestBytes));
    } catch (e) {
      throw new ModelLoadError(`${options.manifestUrl} is not JSON: ${(e as Error).message}`);
    }
    const m = validateModelManifest(parsed);
    const modelUrl = new URL(m.generator.file, new URL(options.manifestUrl, self.location.href)).href;
    const bytes = await loadModelBytesAsync(modelUrl, attempts, m.generator.sha256);
    const session = await createModelSessionAsync(bytes, options.executionProviders, 'generator');
    await generatorSession?.releaseAsync();
    generatorSession = session;
    manifest = m;
    return {
      backend: session.backend,
      wasmThreads: onnxWasmThreads(),
      frameRateHz: m.generator.frameRateHz,
      lookaheadMs: (m.generator.lookaheadFrames * HOP * 1000) / SR,
      manifest: m,
    };
  },

  /**
   * Starts a stream fed by a capture worklet's port (chunks `AudioChunk`, buffers returned to the
   * worklet after use). Frames go to `sink`.
   */
  openStream(id: number, port: MessagePort, sink: FrameSink): void {
    api.closeStream(id);
    const stream = newStream(port, sink);
    streams.set(id, stream);
    port.onmessage = (e: MessageEvent<AudioChunk>) => {
      const chunk = e.data;
      ingest(stream, chunk);
      port.postMessage(chunk.samples, [chunk.samples.buffer]); // back to the worklet's pool
    };
  },

  /** Feeds audio directly (no worklet): used by tests and by sources decoded on the main thread. */
  pushAudio(id: number, chunk: AudioChunk): void {
    const stream = streams.get(id);
    if (stream) ingest(stream, chunk);
  },

  /** Starts a stream fed with `pushAudio`. */
  openPushStream(id: number, sink: FrameSink): void {
    api.closeStream(id);
    streams.set(id, newStream(null, sink));
  },

  /** Ends a stream and releases its port. */
  closeStream(id: number): void {
    const s = streams.get(id);
    if (!s) return;
    streams.delete(id);
    s.closed = true;
    if (s.port) {
      s.port.onmessage = null;
      s.port.close();
    }
  },

  /**
   * Generates a whole utterance offline (bake, parity tests): same features and model as streaming.
   * @param samples16k defines mono 16 kHz audio
   */
  async generateOfflineAsync(samples16k: Float32Array): Promise<LipsFrameBlock> {
    const { m } = requireReady();
    const track = await generateLipsTrackAsync(samples16k, m.generator, runGenerator);
    const block: LipsFrameBlock = {
      frames: track.frames,
      firstTimeSec: 0,
      frameDurationSec: 1 / track.fps,
      points: track.points,
      speechRms: track.speechRms,
    };
    return transfer(block, [track.points.buffer, track.speechRms.buffer]);
  },

  /** Counters for telemetry. */
  getStats(): WorkerStats {
    return {
      backend: generatorSession?.backend ?? null,
      wasmThreads: onnxWasmThreads(),
      generatorRuns,
      generatorRunMs: [...runMs],
      droppedChunks,
      queueDepth: [...streams.values()].filter((s) => s.pumping).length,
      samplesReceived,
    };
  },

  /** Releases every session and stream. */
  async disposeAsync(): Promise<void> {
    for (const id of [...streams.keys()]) api.closeStream(id);
    await generatorSession?.releaseAsync();
    generatorSession = null;
    manifest = null;
  },

  [finalizer](): void {
    void api.disposeAsync();
  },
};

/** The worker's API as seen through `comlink.wrap`. */
export type LipSyncWorkerApi = typeof api;

expose(api);
