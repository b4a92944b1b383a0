/**
 * The one model loader, shared by the inference worker (browser, fetched files) and the CLI bake (Node,
 * files on disk): manifest → generator session (through the provider guard) → the neutral FLAME template of
 * a `flame-vertices` generator → optionally the metric encoders for telemetry. Where the bytes come from
 * and how a failure to read them is worded is the caller's (`ILipSyncModelFiles`); what is loaded, in which
 * order, with which trial inputs, is decided here once.
 */
import { FEATURES_V1 } from '../features/featureSpec.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import { parseFlameTemplate } from './generatorOutput.ts';
import { createGuardedModelSessionAsync, type IGuardedModelSession } from './guardedModelSession.ts';
import {
  generatorForHead,
  validateModelManifest,
  type IGeneratorManifest,
  type IModelManifest,
  type LatencyHead,
} from './modelManifest.ts';
import type { ExecutionProvider, IFloatTensor } from './onnxBackend.ts';
import { zeroGeneratorState } from './statefulGenerator.ts';

/** Model files as one platform reads them. */
export interface ILipSyncModelFiles {
  /** Reads and parses the manifest (JSON). Throws the caller's error when it cannot. */
  readManifestAsync(): Promise<unknown>;
  /**
   * Reads a file the manifest names.
   * @param file defines its path relative to the manifest
   * @param sha256 defines its expected digest, when the manifest gives one
   */
  readFileAsync(file: string, sha256?: string): Promise<Uint8Array>;
  /**
   * Rewords a failure to read (or parse) the generator or its template; default: the error as thrown.
   * @param what defines the file's role
   * @param file defines its path relative to the manifest
   * @param error defines what was thrown
   */
  fileError?(what: 'generator' | 'template', file: string, error: unknown): unknown;
}

/** Options of `loadLipSyncModelsAsync`. */
export interface ILoadLipSyncModelsOptions {
  /** Providers in order of preference (the CLI: `['wasm']`). */
  readonly executionProviders: readonly ExecutionProvider[];
  /** Also load the manifest's metric encoders (live telemetry). A failure to do so only warns. */
  readonly telemetryEncoders: boolean;
  /**
   * Which generator head to load (`latencyModes`); a manifest without it loads `generator` (balanced).
   * @default 'balanced'
   */
  readonly latencyHead?: LatencyHead;
}

/** The metric encoders' sessions (live PLRS and A/V offset). */
export interface ITelemetryEncoderSessions {
  readonly speech: IGuardedModelSession;
  readonly mesh: IGuardedModelSession;
}

/** Loaded models: release with `releaseLipSyncModelsAsync`. */
export interface ILipSyncModels {
  /**
   * The manifest with `generator` replaced by the loaded head's entry, so whatever reads
   * `manifest.generator` (streams, frame rate, look-ahead, bakes) follows the head without knowing of it.
   */
  readonly manifest: IModelManifest;
  /** The head actually loaded: `balanced` when the manifest lacks the one asked for. */
  readonly latencyHead: LatencyHead;
  readonly generator: IGuardedModelSession;
  /** The neutral FLAME mesh of a `flame-vertices` generator (manifest `templateFile`). */
  readonly template?: Float32Array;
  /** Null when not asked for, not in the manifest, or not loadable. */
  readonly encoders: ITelemetryEncoderSessions | null;
}

/** Mel hop, ms (features-v1: 10). */
const MEL_HOP_MS = (FEATURES_V1.hopLengthSamples * 1000) / FEATURES_V1.sampleRateHz;

/** A zero tensor of `dims`. */
function zeros(dims: number[]): IFloatTensor {
  return { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims };
}

/** One streaming run's inputs (zeros), for the provider guard's timed trials. */
function generatorTrialFeeds(g: IGeneratorManifest): Record<string, IFloatTensor> {
  const feeds: Record<string, IFloatTensor> = {
    [g.inputName]: zeros([1, g.state ? g.melFramesPerOutputFrame : g.contextFrames, FEATURES_V1.melBands]),
  };
  if (g.state) {
    const state = zeroGeneratorState(g.state);
    g.state.inputs.forEach((name, i) => (feeds[name] = { data: state[i], dims: g.state!.shapes[i] }));
  }
  return feeds;
}

async function readNamedAsync<T>(
  files: ILipSyncModelFiles,
  what: 'generator' | 'template',
  file: string,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw files.fileError ? files.fileError(what, file, e) : e;
  }
}

/**
 * Loads the manifest, the generator (and its template) and, when asked, the metric encoders.
 * @param files defines where the bytes come from
 * @param options defines providers and whether to load the encoders
 * @returns the models, ready to run
 * @throws ModelLoadError (or the caller's reading errors) when the manifest or the generator cannot be loaded
 */
export async function loadLipSyncModelsAsync(
  files: ILipSyncModelFiles,
  options: ILoadLipSyncModelsOptions,
): Promise<ILipSyncModels> {
  const full = validateModelManifest(await files.readManifestAsync());
  const g = generatorForHead(full, options.latencyHead ?? 'balanced');
  const latencyHead: LatencyHead = g === full.generator ? 'balanced' : (options.latencyHead ?? 'balanced');
  const manifest: IModelManifest = { ...full, generator: g };
  const bytes = await readNamedAsync(files, 'generator', g.file, () => files.readFileAsync(g.file, g.sha256));
  const templateFile = g.templateFile;
  const template = templateFile
    ? await readNamedAsync(files, 'template', templateFile, async () =>
        parseFlameTemplate(await files.readFileAsync(templateFile)),
      )
    : undefined;
  const generator = await createGuardedModelSessionAsync(bytes, options.executionProviders, {
    label: 'generator',
    trialFeeds: generatorTrialFeeds(g),
    // A fixed-window run recomputes its context but only its new frames are real-time work.
    audioMsOf: (f) => (g.state ? (f[g.inputName]?.dims[1] ?? 0) : g.melFramesPerOutputFrame) * MEL_HOP_MS,
  });
  const encoders = options.telemetryEncoders
    ? await loadEncodersAsync(manifest, files, options.executionProviders)
    : null;
  return { manifest, latencyHead, generator, template, encoders };
}

/**
 * Releases every session of `models`.
 * @param models defines what `loadLipSyncModelsAsync` returned (or null)
 */
export async function releaseLipSyncModelsAsync(models: ILipSyncModels | null): Promise<void> {
  if (!models) return;
  await models.generator.releaseAsync();
  await Promise.all([models.encoders?.speech.releaseAsync(), models.encoders?.mesh.releaseAsync()]);
}

/** Loads the metric encoders named by the manifest (telemetry only: a failure is a warning, not fatal). */
async function loadEncodersAsync(
  m: IModelManifest,
  files: ILipSyncModelFiles,
  providers: readonly ExecutionProvider[],
): Promise<ITelemetryEncoderSessions | null> {
  const enc = m.metricEncoders;
  if (!enc) return null;
  // The exporter writes the encoders' hashes beside the fields IEncoderManifest declares.
  const hashes = enc as { speechSha256?: string; meshSha256?: string };
  try {
    const [speechBytes, meshBytes] = await Promise.all([
      files.readFileAsync(enc.speechFile, hashes.speechSha256),
      files.readFileAsync(enc.meshFile, hashes.meshSha256),
    ]);
    // The provider guard times each encoder on one tick's typical batch; a window's new audio is one
    // shift (speech: a 10 ms mel hop; mesh: a whole window, they do not overlap).
    const speechTrial = zeros([4, enc.speechWindowFrames, FEATURES_V1.melBands]);
    const meshTrial = zeros([1, enc.meshWindowFrames, LIPS_V1_VALUES]);
    const speech = await createGuardedModelSessionAsync(speechBytes, providers, {
      label: 'speech encoder',
      trialFeeds: { [enc.speechInputName]: speechTrial },
      audioMsOf: (f) => (f[enc.speechInputName]?.dims[0] ?? 0) * MEL_HOP_MS,
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
    return { speech, mesh };
  } catch (e) {
    console.warn(
      `Live PLRS and A/V offset are off: the metric encoders did not load (${(e as Error).message}).`,
    );
    return null;
  }
}
