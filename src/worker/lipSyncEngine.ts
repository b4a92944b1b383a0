/**
 * Everything the inference worker holds, as one object its API owns (no module-level state): the loaded
 * models, the open streams and the counters, with the jobs that need more than one stream or model
 * (telemetry scoring, stats, offline generation). The comlink API in `lipSyncWorker.ts` only wires calls
 * to it.
 */
import { FEATURES_V1 } from '../features/featureSpec.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import { generateLipsTrackAsync, type ILipsTrack } from '../models/generateLipsTrack.ts';
import { createOfflineGeneratorRunner, type GeneratorSession } from '../models/generatorRunners.ts';
import {
  loadLipSyncModelsAsync,
  releaseLipSyncModelsAsync,
  type ILipSyncModelFiles,
  type ILipSyncModels,
} from '../models/loadLipSyncModels.ts';
import type { IModelManifest, LatencyHead } from '../models/modelManifest.ts';
import { onnxWasmThreads, pendingOnnxRuns, type ExecutionProvider } from '../models/onnxBackend.ts';
import type { IBackendChoice } from '../models/providerGuard.ts';
import type { ITelemetryWindowScore } from '../telemetry/telemetryScorer.ts';
import type { IWorkerCounters } from '../telemetry/telemetrySystem.ts';
import { runEncoderAsync } from './encoderRunner.ts';
import type { WorkerStats } from './frames.ts';
import { createLipsStream, generatorBacklogFrames, type FrameSink, type LipsStream } from './lipsStream.ts';
import { WorkerCounters } from './workerCounters.ts';

/** What `scoreAsync` returns: window scores (possibly none) and the worker's system counters. */
export interface ITelemetryScoreResult extends IWorkerCounters {
  /** Shifts of each window's `similarities`, ms, ascending (empty without encoders). */
  readonly shiftsMs: readonly number[];
  /** Windows scored by this call (none without encoders, while busy, or before the speech arrived). */
  readonly windows: ITelemetryWindowScore[];
  /** True when encoder work was skipped because the generator was behind (telemetry runs may be dropped). */
  readonly dropped: boolean;
}

const HOP = FEATURES_V1.hopLengthSamples;
const SR = FEATURES_V1.sampleRateHz;
/** Speech windows encoded per `scoreAsync` (steady state needs ~5 per 250 ms at 50 ms shifts, ~25 at 10 ms). */
const MAX_NEW_SPEECH_WINDOWS = 96;
/** Generator backlog (mel frames, 10 ms each) above which telemetry encoder work is skipped. */
const MAX_BACKLOG_FOR_TELEMETRY = 10;

/** The worker's models, streams and counters. */
export class LipSyncEngine {
  /** The open streams by id. */
  readonly streams = new Map<number, LipsStream>();
  readonly counters = new WorkerCounters();
  private _models: ILipSyncModels | null = null;

  /** The generator session as the streams see it: the current one at each run, timed into the counters. */
  private readonly _generator: GeneratorSession = {
    runAsync: async (feeds) => {
      const run = await this._ready().generator.runTimedAsync(feeds);
      this.counters.recordRun('generator', run.runMs);
      return run.outputs;
    },
  };

  /** The loaded models, or null before `loadAsync`. */
  get models(): ILipSyncModels | null {
    return this._models;
  }

  /**
   * Loads the models; the previous ones are released once the new ones are ready.
   * @param files defines where the files come from
   * @param providers defines the execution providers in order of preference
   * @param latencyHead defines the generator head to load (see `ILoadLipSyncModelsOptions.latencyHead`)
   * @returns the new models
   */
  async loadAsync(
    files: ILipSyncModelFiles,
    providers: readonly ExecutionProvider[],
    latencyHead: LatencyHead = 'balanced',
  ): Promise<ILipSyncModels> {
    const models = await loadLipSyncModelsAsync(files, {
      executionProviders: providers,
      telemetryEncoders: true,
      latencyHead,
    });
    await releaseLipSyncModelsAsync(this._models);
    this._models = models;
    return models;
  }

  /** Each loaded model's backend choice. */
  backends(): Record<string, IBackendChoice> {
    const out: Record<string, IBackendChoice> = {};
    const m = this._models;
    if (m) out.generator = m.generator.choice;
    if (m?.encoders) {
      out.speechEncoder = m.encoders.speech.choice;
      out.meshEncoder = m.encoders.mesh.choice;
    }
    return out;
  }

  /**
   * Opens (or replaces) stream `id`.
   * @param id defines the stream
   * @param port defines the capture worklet's port (null for a push stream)
   * @param sink defines where its frames go
   * @param live defines whether the stream is heard as it happens (a microphone: no output batching)
   * @returns the stream
   */
  openStream(id: number, port: MessagePort | null, sink: FrameSink, live = false): LipsStream {
    const models = this._ready();
    const stream = createLipsStream(
      {
        manifest: models.manifest,
        session: this._generator,
        template: models.template,
        telemetryEncoders: models.encoders !== null,
        counters: this.counters,
      },
      port,
      sink,
      live,
    );
    this.streams.set(id, stream);
    return stream;
  }

  /**
   * Ends stream `id` and releases its port.
   * @param id defines the stream
   */
  closeStream(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    this.streams.delete(id);
    s.closed = true;
    if (s.port) {
      s.port.onmessage = null;
      s.port.close();
    }
  }

  /**
   * Generates a whole utterance offline.
   * @param samples16k defines mono 16 kHz audio
   * @returns the track
   */
  generateOfflineAsync(samples16k: Float32Array): Promise<ILipsTrack> {
    const { manifest, template } = this._ready();
    return generateLipsTrackAsync(
      samples16k,
      manifest.generator,
      createOfflineGeneratorRunner(manifest.generator, { session: this._generator, template }),
    );
  }

  /**
   * Scores read-back lips of stream `id` (see the API's `scoreAsync`).
   * @param id defines the stream
   * @param firstTimeSec defines the audio-clock time of lips frame 0
   * @param frames defines the lips frame count (0: counters only)
   * @param lipsDisplacements defines `frames × 63` lips-v1 displacements, metres
   * @returns the scores and counters
   */
  async scoreAsync(
    id: number,
    firstTimeSec: number,
    frames: number,
    lipsDisplacements: Float32Array,
  ): Promise<ITelemetryScoreResult> {
    const stream = this.streams.get(id);
    const scorer = stream?.scorer ?? null;
    const models = this._models;
    const enc = models?.manifest.metricEncoders;
    const sessions = models?.encoders;
    let windows: ITelemetryWindowScore[] = [];
    let dropped = false;
    if (stream && scorer && enc && sessions && frames > 0 && stream.t0 !== null) {
      const behind = [...this.streams.values()].some(
        (s) => generatorBacklogFrames(s) > MAX_BACKLOG_FOR_TELEMETRY,
      );
      if (stream.scoring || behind) dropped = true;
      else {
        const k = models!.manifest.generator.melFramesPerOutputFrame;
        const frameSec = (k * HOP) / SR;
        const first = Math.round((firstTimeSec - stream.t0) / frameSec);
        const M = FEATURES_V1.melBands;
        const speech = { ...names(enc, 'speech'), session: sessions.speech, label: 'speechEncoder' };
        const mesh = { ...names(enc, 'mesh'), session: sessions.mesh, label: 'meshEncoder' };
        stream.scoring = true;
        try {
          windows = await scorer.scoreAsync(
            first,
            frames,
            lipsDisplacements,
            {
              speech: (batch, n) =>
                runEncoderAsync(speech, batch, [n, enc.speechWindowFrames, M], (ms) =>
                  this.counters.recordRun('speechEncoder', ms),
                ),
              mesh: (batch, n) =>
                runEncoderAsync(mesh, batch, [n, enc.meshWindowFrames, LIPS_V1_VALUES], (ms) =>
                  this.counters.recordRun('meshEncoder', ms),
                ),
            },
            MAX_NEW_SPEECH_WINDOWS,
          );
        } finally {
          stream.scoring = false;
        }
      }
    }
    return {
      shiftsMs: scorer ? [...scorer.shiftsMs] : [],
      windows,
      dropped,
      backend: models?.generator.backend ?? null,
      backends: this.backends(),
      wasmThreads: onnxWasmThreads(),
      runMs: {
        generator: this.counters.runMs('generator'),
        ...(scorer
          ? {
              speechEncoder: this.counters.runMs('speechEncoder'),
              meshEncoder: this.counters.runMs('meshEncoder'),
            }
          : {}),
      },
      droppedChunks: stream ? stream.droppedOutputs + stream.coalesced : 0,
      queueDepth: pendingOnnxRuns(),
    };
  }

  /** Counters for telemetry. */
  stats(): WorkerStats {
    return {
      backend: this._models?.generator.backend ?? null,
      wasmThreads: onnxWasmThreads(),
      generatorRuns: this.counters.generatorRuns,
      generatorRunMs: this.counters.runMs('generator'),
      droppedChunks: this.counters.droppedChunks,
      queueDepth: [...this.streams.values()].filter((s) => s.pumping).length,
      samplesReceived: this.counters.samplesReceived,
    };
  }

  /** Closes every stream and releases every session. */
  async disposeAsync(): Promise<void> {
    for (const id of [...this.streams.keys()]) this.closeStream(id);
    const models = this._models;
    this._models = null;
    await releaseLipSyncModelsAsync(models);
  }

  private _ready(): ILipSyncModels {
    if (!this._models) throw new Error('The lip-sync worker is not initialised: call initAsync first.');
    return this._models;
  }
}

/** An encoder's input and output names from the manifest. */
function names(
  enc: NonNullable<IModelManifest['metricEncoders']>,
  which: 'speech' | 'mesh',
): { inputName: string; outputName: string } {
  return which === 'speech'
    ? { inputName: enc.speechInputName, outputName: enc.speechOutputName }
    : { inputName: enc.meshInputName, outputName: enc.meshOutputName };
}
