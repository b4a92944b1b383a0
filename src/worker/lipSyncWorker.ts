/**
 * @file The inference worker (a module Worker, `dist/worker.js`): framing → log-mel → generator, per
 * audio stream, off the main thread; and, for telemetry, the metric speech/mesh encoders over a
 * bounded log-mel history (`scoreAsync`). Its API is a plain object of functions exposed with comlink.
 * All ONNX runs go through one serial chain: generator runs are never dropped, encoder runs are
 * skipped when the generator is behind.
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
  onnxWasmThreads,
  type ExecutionProvider,
  type IFloatTensor,
  type IModelSession,
} from '../models/onnxBackend.ts';
import { createGuardedModelSessionAsync, type IGuardedModelSession } from '../models/guardedModelSession.ts';
import type { IBackendChoice } from '../models/providerGuard.ts';
import { zeroGeneratorState } from '../models/statefulGenerator.ts';
import { outputsPerRunFor } from '../models/streamingGenerator.ts';
import {
  createGeneratorStream,
  createOfflineGeneratorRunner,
  type GeneratorSession,
  type IGeneratorStream,
} from '../models/generatorRunners.ts';
import { generateLipsTrackAsync } from '../models/generateLipsTrack.ts';
import { loadModelBytesAsync } from '../models/loadModelBytes.ts';
import { parseFlameTemplate } from '../models/generatorOutput.ts';
import { lipsDisplacementsToPoints } from '../models/lipsDisplacementsToPoints.ts';
import { ModelLoadError } from '../errors.ts';
import type { AudioChunk, LipsFrameBlock, WorkerStats } from './frames.ts';
import { TelemetryScorer, type ITelemetryWindowScore } from './telemetryScorer.ts';

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
  /** The generator's backend (`backends.generator.backend`). */
  readonly backend: ExecutionProvider;
  /** Each loaded model's backend and why the provider guard chose it (`generator`, `speechEncoder`, `meshEncoder`). */
  readonly backends: Readonly<Record<string, IBackendChoice>>;
  readonly wasmThreads: number;
  readonly frameRateHz: number;
  readonly lookaheadMs: number;
  /** Output frames the generator produces per run (batching delay: outputsPerRun − 1 frames). */
  readonly outputsPerRun: number;
  readonly manifest: IModelManifest;
  /** True when the metric encoders were loaded, so `scoreAsync` measures PLRS and A/V offset. */
  readonly telemetryEncoders: boolean;
}

/** What `scoreAsync` returns: window scores (possibly none) and the worker's system counters. */
export interface ITelemetryScoreResult {
  /** Shifts of each window's `similarities`, ms, ascending (empty without encoders). */
  readonly shiftsMs: readonly number[];
  /** Windows scored by this call (none without encoders, while busy, or before the speech arrived). */
  readonly windows: ITelemetryWindowScore[];
  /** True when encoder work was skipped because the generator was behind (telemetry runs may be dropped). */
  readonly dropped: boolean;
  /** Backend of the generator session. */
  readonly backend: ExecutionProvider | null;
  /** Each model's backend and why (it changes when a WebGPU session falls behind and hands over to wasm). */
  readonly backends: Readonly<Record<string, IBackendChoice>>;
  readonly wasmThreads: number;
  /** Recent run times per model (`generator`, `speechEncoder`, `meshEncoder`), ms, last ≤ 64 each. */
  readonly runMs: Readonly<Record<string, readonly number[]>>;
  /** This stream's generator outputs dropped by backlog plus pumps coalesced, since it opened. */
  readonly droppedChunks: number;
  /** ONNX runs queued or running in the worker now. */
  readonly queueDepth: number;
}

/** Receives generated frames of one stream (a comlink proxy on the main thread). */
export type FrameSink = (block: LipsFrameBlock) => void;

interface StreamState {
  readonly port: MessagePort | null;
  readonly sink: FrameSink;
  readonly logMel: StreamingLogMel;
  readonly generator: IGeneratorStream;
  /** Audio captured before this AudioContext time is dropped (speech cut off by `interruptStream`). */
  skipBeforeSec: number;
  /** AudioContext time of the stream's 16 kHz sample 0. */
  t0: number | null;
  samples: number;
  /** Sum of squares per 160-sample hop, for per-frame speech RMS. */
  hopEnergy: Float64Array;
  hopEnergyFirst: number;
  pumping: boolean;
  dirty: boolean;
  closed: boolean;
  /** Mel history and embedding caches for telemetry (null without metric encoders). */
  readonly scorer: TelemetryScorer | null;
  scoring: boolean;
  droppedOutputs: number;
  coalesced: number;
}

const HOP = FEATURES_V1.hopLengthSamples;
const SR = FEATURES_V1.sampleRateHz;
const RUN_HISTORY = 64;
/** Encoder windows per ONNX run (bounds how long a generator run can wait behind telemetry). */
const ENCODER_CHUNK = 32;
/** Speech windows encoded per `scoreAsync` (steady state needs ~25 per 250 ms at 10 ms shifts). */
const MAX_NEW_SPEECH_WINDOWS = 96;
/** Generator backlog (mel frames, 10 ms each) above which telemetry encoder work is skipped. */
const MAX_BACKLOG_FOR_TELEMETRY = 10;

let manifest: IModelManifest | null = null;
let generatorSession: IGuardedModelSession | null = null;
let speechSession: IGuardedModelSession | null = null;
let meshSession: IGuardedModelSession | null = null;
/** The neutral FLAME mesh of a `flame-vertices` generator (manifest `templateFile`). */
let generatorTemplate: Float32Array | undefined;
const streams = new Map<number, StreamState>();
const runMs: number[] = [];
const encoderRunMs: Record<string, number[]> = { speechEncoder: [], meshEncoder: [] };
let ortChain: Promise<unknown> = Promise.resolve();
let ortPending = 0;
let generatorRuns = 0;
let droppedChunks = 0;
let samplesReceived = 0;

/** A zero tensor of `dims`. */
function zeros(dims: number[]): IFloatTensor {
  return { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims };
}

/** Each loaded model's backend choice. */
function currentBackends(): Record<string, IBackendChoice> {
  const out: Record<string, IBackendChoice> = {};
  if (generatorSession) out.generator = generatorSession.choice;
  if (speechSession) out.speechEncoder = speechSession.choice;
  if (meshSession) out.meshEncoder = meshSession.choice;
  return out;
}

function requireReady(): { m: IModelManifest; s: IModelSession } {
  if (!manifest || !generatorSession)
    throw new Error('The lip-sync worker is not initialised: call initAsync first.');
  return { m: manifest, s: generatorSession };
}

/**
 * Runs ONNX work one item at a time across all sessions (generator and encoders), so an encoder batch
 * never runs concurrently with the generator (concurrent runs fail on WebGPU) and the queue depth is known.
 */
function serialRun<T>(work: () => Promise<T>): Promise<T> {
  ortPending++;
  const run = ortChain.then(work).finally(() => ortPending--);
  ortChain = run.catch(() => undefined);
  return run;
}

function pushRunMs(history: number[], ms: number): void {
  history.push(ms);
  if (history.length > RUN_HISTORY) history.shift();
}

/** The generator session as the runners see it: every run serialised with the encoders and timed. */
const timedGenerator: GeneratorSession = {
  async runAsync(feeds) {
    const { s } = requireReady();
    let elapsed = 0;
    const out = await serialRun(async () => {
      const t = performance.now();
      const r = await s.runAsync(feeds);
      elapsed = performance.now() - t;
      return r;
    });
    pushRunMs(runMs, elapsed);
    generatorRuns++;
    return out;
  },
};

function ingest(stream: StreamState, chunk: AudioChunk): void {
  let x = chunk.samples;
  let firstSample = chunk.firstSample;
  let timeSec = chunk.contextTimeSec;
  if (timeSec < stream.skipBeforeSec) {
    const cut = Math.ceil((stream.skipBeforeSec - timeSec) * SR - 1e-6);
    if (cut >= x.length) return;
    x = x.subarray(cut);
    firstSample += cut;
    timeSec += cut / SR;
  }
  if (stream.t0 === null) {
    // Start on the output-frame grid of the capture (a multiple of one output frame's samples since
    // capture began): a stream reopened mid-capture after a worker restart, or after an interrupt, then
    // keeps the frame times and the telemetry grid of the stream it replaces.
    const grid = requireReady().m.generator.melFramesPerOutputFrame * HOP;
    const skip = (grid - (firstSample % grid)) % grid;
    if (skip >= x.length) return;
    x = x.subarray(skip);
    stream.t0 = timeSec + skip / SR;
  }
  // Non-finite samples (a broken source) become silence rather than poisoning the model's state.
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) x[i] = 0;
  accumulateHopEnergy(stream, x);
  stream.samples += x.length;
  samplesReceived += x.length;
  const block = stream.logMel.push(x);
  if (block) {
    stream.scorer?.appendMel(block.firstFrame, block.data, block.frames);
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
    if (!stream.dirty) stream.coalesced++;
    stream.dirty = true; // coalesce: the running pump picks the new frames up in one bigger window
    return;
  }
  stream.pumping = true;
  try {
    do {
      stream.dirty = false;
      const block = await stream.generator.pumpAsync();
      if (!block || stream.closed) break;
      droppedChunks += block.droppedOutputs;
      stream.droppedOutputs += block.droppedOutputs;
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
  const enc = m.metricEncoders;
  const scorer =
    enc && speechSession && meshSession
      ? new TelemetryScorer({
          melBands: FEATURES_V1.melBands,
          melFramesPerLipsFrame: m.generator.melFramesPerOutputFrame,
          speechWindowFrames: enc.speechWindowFrames,
          meshWindowFrames: enc.meshWindowFrames,
          melHopMs: (HOP * 1000) / SR,
        })
      : null;
  return {
    port,
    sink,
    logMel: new StreamingLogMel(FEATURES_V1),
    generator: createGeneratorStream(m.generator, { session: timedGenerator, template: generatorTemplate }),
    t0: null,
    samples: 0,
    hopEnergy: new Float64Array(1024),
    hopEnergyFirst: 0,
    pumping: false,
    dirty: false,
    closed: false,
    skipBeforeSec: -Infinity,
    scorer,
    scoring: false,
    droppedOutputs: 0,
    coalesced: 0,
  };
}

/** Mel frames received but not yet turned into lips (beyond the model's look-ahead). */
function generatorBacklogFrames(stream: StreamState): number {
  const { m } = requireReady();
  const g = stream.generator;
  return (
    g.melFramesReceived - m.generator.lookaheadFrames - g.nextOutput * m.generator.melFramesPerOutputFrame
  );
}

/** Runs one metric encoder on a batch (through the serial chain) and records its time. */
async function runEncoder(
  session: IModelSession,
  inputName: string,
  outputName: string,
  label: string,
  batch: Float32Array,
  dims: number[],
): Promise<Float32Array> {
  // Chunks of ENCODER_CHUNK windows, each its own serial run: a generator run waits for one chunk at most.
  const n = dims[0];
  const per = batch.length / n;
  const parts: Float32Array[] = [];
  for (let i = 0; i < n; i += ENCODER_CHUNK) {
    const m = Math.min(ENCODER_CHUNK, n - i);
    let elapsed = 0;
    const out = await serialRun(async () => {
      const t = performance.now();
      const r = await session.runAsync({
        [inputName]: { data: batch.subarray(i * per, (i + m) * per), dims: [m, ...dims.slice(1)] },
      });
      elapsed = performance.now() - t;
      return r;
    });
    pushRunMs(encoderRunMs[label], elapsed);
    const y = out[outputName];
    if (!y) throw new Error(`${label} output "${outputName}" missing.`);
    parts.push(y.data);
  }
  if (parts.length === 1) return parts[0];
  const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

/** Loads the metric encoders named by the manifest (telemetry only: a failure is a warning, not fatal). */
async function loadEncodersAsync(
  m: IModelManifest,
  manifestUrl: string,
  providers: readonly ExecutionProvider[],
  attempts: number,
): Promise<[IGuardedModelSession, IGuardedModelSession] | null> {
  const enc = m.metricEncoders;
  if (!enc) return null;
  // The exporter writes the encoders' hashes beside the fields IEncoderManifest declares.
  const hashes = enc as { speechSha256?: string; meshSha256?: string };
  const base = new URL(manifestUrl, self.location.href);
  try {
    const [speechBytes, meshBytes] = await Promise.all([
      loadModelBytesAsync(new URL(enc.speechFile, base).href, attempts, hashes.speechSha256),
      loadModelBytesAsync(new URL(enc.meshFile, base).href, attempts, hashes.meshSha256),
    ]);
    // The provider guard times each encoder on one tick's typical batch; a window's new audio is one
    // shift (speech: a 10 ms mel hop; mesh: a whole window, they do not overlap).
    const hopMs = (HOP * 1000) / SR;
    const speechTrial = zeros([4, enc.speechWindowFrames, FEATURES_V1.melBands]);
    const meshTrial = zeros([1, enc.meshWindowFrames, 63]);
    const speech = await createGuardedModelSessionAsync(speechBytes, providers, {
      label: 'speech encoder',
      trialFeeds: { [enc.speechInputName]: speechTrial },
      audioMsOf: (f) => (f[enc.speechInputName]?.dims[0] ?? 0) * hopMs,
    });
    const meshWindowMs = (enc.meshWindowFrames * 1000) / m.generator.frameRateHz;
    const mesh = await createGuardedModelSessionAsync(meshBytes, providers, {
      label: 'mesh encoder',
      trialFeeds: { [enc.meshInputName]: meshTrial },
      audioMsOf: (f) => (f[enc.meshInputName]?.dims[0] ?? 0) * meshWindowMs,
    }).catch(async (e) => {
      await speech.releaseAsync();
      throw e;
    });
    return [speech, mesh];
  } catch (e) {
    console.warn(
      `Live PLRS and A/V offset are off: the metric encoders did not load (${(e as Error).message}).`,
    );
    return null;
  }
}

async function releaseEncodersAsync(): Promise<void> {
  const s = speechSession;
  const m = meshSession;
  speechSession = null;
  meshSession = null;
  await Promise.all([s?.releaseAsync(), m?.releaseAsync()]);
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
    const base = new URL(options.manifestUrl, self.location.href);
    const bytes = await loadModelBytesAsync(
      new URL(m.generator.file, base).href,
      attempts,
      m.generator.sha256,
    );
    const templateFile = m.generator.templateFile;
    const template = templateFile
      ? parseFlameTemplate(await loadModelBytesAsync(new URL(templateFile, base).href, attempts))
      : undefined;
    const g = m.generator;
    const generatorTrial: Record<string, IFloatTensor> = {
      [g.inputName]: zeros([1, g.state ? g.melFramesPerOutputFrame : g.contextFrames, FEATURES_V1.melBands]),
    };
    if (g.state) {
      const state = zeroGeneratorState(g.state);
      g.state.inputs.forEach(
        (name, i) => (generatorTrial[name] = { data: state[i], dims: g.state!.shapes[i] }),
      );
    }
    const melHopMs = (HOP * 1000) / SR;
    const session = await createGuardedModelSessionAsync(bytes, options.executionProviders, {
      label: 'generator',
      trialFeeds: generatorTrial,
      // A fixed-window run recomputes its context but only its new frames are real-time work.
      audioMsOf: (f) => (g.state ? (f[g.inputName]?.dims[1] ?? 0) : g.melFramesPerOutputFrame) * melHopMs,
    });
    const encoders = await loadEncodersAsync(m, options.manifestUrl, options.executionProviders, attempts);
    await generatorSession?.releaseAsync();
    await releaseEncodersAsync();
    generatorSession = session;
    generatorTemplate = template;
    [speechSession, meshSession] = encoders ?? [null, null];
    manifest = m;
    return {
      backend: session.backend,
      backends: currentBackends(),
      wasmThreads: onnxWasmThreads(),
      frameRateHz: m.generator.frameRateHz,
      lookaheadMs: (m.generator.lookaheadFrames * HOP * 1000) / SR,
      outputsPerRun: outputsPerRunFor(m.generator),
      manifest: m,
      telemetryEncoders: encoders !== null,
    };
  },

  /**
   * Starts a stream fed by a capture worklet's port (chunks `AudioChunk`, buffers returned to the
   * worklet after use). Frames go to `sink`.
   */
  openStream(id: number, port: MessagePort, sink: FrameSink): void {
    api.closeStream(id);
    streams.set(id, newStream(port, sink));
    port.onmessage = (e: MessageEvent<AudioChunk>) => {
      const chunk = e.data;
      // Looked up per chunk: interruptStream replaces the stream's state under the same id and port.
      const current = streams.get(id);
      if (current?.port === port) ingest(current, chunk);
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

  /**
   * Cuts a stream's speech off (the user interrupted a voice agent): the mel frames and generator outputs
   * still queued for it are dropped, a run in flight emits nothing, and audio captured before
   * `fromTimeSec` is ignored; the stream goes on from there with a fresh generator state, on the same
   * frame grid, as a new utterance.
   * @param id defines the stream
   * @param fromTimeSec defines the AudioContext time from which captured audio counts again
   */
  interruptStream(id: number, fromTimeSec: number): void {
    const old = streams.get(id);
    if (!old) return;
    old.closed = true; // its pump emits nothing more
    const fresh = newStream(old.port, old.sink);
    fresh.skipBeforeSec = fromTimeSec;
    streams.set(id, fresh);
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
    const track = await generateLipsTrackAsync(
      samples16k,
      m.generator,
      createOfflineGeneratorRunner(m.generator, { session: timedGenerator, template: generatorTemplate }),
    );
    const block: LipsFrameBlock = {
      frames: track.frames,
      firstTimeSec: 0,
      frameDurationSec: 1 / track.fps,
      points: track.points,
      speechRms: track.speechRms,
    };
    return transfer(block, [track.points.buffer, track.speechRms.buffer]);
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
    const stream = streams.get(id);
    const scorer = stream?.scorer ?? null;
    const enc = manifest?.metricEncoders;
    let windows: ITelemetryWindowScore[] = [];
    let dropped = false;
    if (stream && scorer && enc && speechSession && meshSession && frames > 0 && stream.t0 !== null) {
      const behind = [...streams.values()].some((s) => generatorBacklogFrames(s) > MAX_BACKLOG_FOR_TELEMETRY);
      if (stream.scoring || behind) dropped = true;
      else {
        const k = manifest!.generator.melFramesPerOutputFrame;
        const frameSec = (k * HOP) / SR;
        const first = Math.round((firstTimeSec - stream.t0) / frameSec);
        const speech = speechSession;
        const mesh = meshSession;
        const M = FEATURES_V1.melBands;
        stream.scoring = true;
        try {
          windows = await scorer.scoreAsync(
            first,
            frames,
            lipsDisplacements,
            {
              speech: (batch, n) =>
                runEncoder(speech, enc.speechInputName, enc.speechOutputName, 'speechEncoder', batch, [
                  n,
                  enc.speechWindowFrames,
                  M,
                ]),
              mesh: (batch, n) =>
                runEncoder(mesh, enc.meshInputName, enc.meshOutputName, 'meshEncoder', batch, [
                  n,
                  enc.meshWindowFrames,
                  63,
                ]),
            },
            MAX_NEW_SPEECH_WINDOWS,
          );
        } finally {
          stream.scoring = false;
        }
      }
    }
    const result: ITelemetryScoreResult = {
      shiftsMs: scorer ? [...scorer.shiftsMs] : [],
      windows,
      dropped,
      backend: generatorSession?.backend ?? null,
      backends: currentBackends(),
      wasmThreads: onnxWasmThreads(),
      runMs: {
        generator: [...runMs],
        ...(scorer
          ? { speechEncoder: [...encoderRunMs.speechEncoder], meshEncoder: [...encoderRunMs.meshEncoder] }
          : {}),
      },
      droppedChunks: stream ? stream.droppedOutputs + stream.coalesced : 0,
      queueDepth: ortPending,
    };
    return transfer(
      result,
      windows.map((w) => w.similarities.buffer as ArrayBuffer),
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
    const s = streams.get(id);
    return s ? s.hopEnergy.length + s.generator.retainedFloats : null;
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
    await releaseEncodersAsync();
    manifest = null;
  },

  [finalizer](): void {
    void api.disposeAsync();
  },
};

/** The worker's API as seen through `comlink.wrap`. */
export type LipSyncWorkerApi = typeof api;

expose(api);
