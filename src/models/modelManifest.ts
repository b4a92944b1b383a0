/**
 * `models/manifest.json`: which ONNX files make up the lip-sync models and how to feed them.
 * Validated when loaded, so a mismatched model fails with a message instead of producing garbage.
 */
import { ModelLoadError } from '../errors.ts';
import { FEATURES_V1 } from '../features/featureSpec.ts';

/** Output kinds the runtime can read. */
export type GeneratorOutputKind = 'lips-v1-displacement' | 'flame-vertices';

/** Description of the streaming generator (speech log-mel → lips-v1). */
export interface IGeneratorManifest {
  /** ONNX file, relative to the manifest's URL. */
  readonly file: string;
  /** sha256 of the file, hex; checked after download when `crypto.subtle` exists. */
  readonly sha256?: string;
  /**
   * What the output means: `lips-v1-displacement`, 63 values per frame (metres from the neutral mouth);
   * or `flame-vertices`, whole FLAME meshes (5023 × 3 absolute positions, metres, as FaceFormer,
   * CodeTalker or SelfTalk exports produce), reduced in the worker to lips-v1 relative to `templateFile`.
   */
  readonly outputKind: GeneratorOutputKind;
  /**
   * `flame-vertices` only: the neutral face the outputs move from, 5023 × 3 float32 little-endian, metres,
   * relative to the manifest's URL (e.g. the subject template a FaceFormer export was trained with).
   */
  readonly templateFile?: string;
  /** Input name; shape `[1, T, melBands]` log-mel frames per the feature spec. */
  readonly inputName: string;
  /** Output name; shape `[1, ceil(T / melFramesPerOutputFrame), 63]`, output j aligned to input frame j·k. */
  readonly outputName: string;
  /** Feature spec version the model was trained on (`features-v1`). */
  readonly featureSpec: string;
  /** Mel frames per output frame (2: 100 Hz features → 50 fps lips). */
  readonly melFramesPerOutputFrame: number;
  /** Output frame rate, Hz. */
  readonly frameRateHz: number;
  /** Left context (mel frames) an output needs to equal its streaming value. */
  readonly contextFrames: number;
  /** Look-ahead (mel frames) an output needs past its own frame. */
  readonly lookaheadFrames: number;
  /**
   * Present when the graph carries its context as state tensors (streamed incrementally); absent for
   * a fixed-window graph (every run re-reads `contextFrames` of history).
   */
  readonly state?: IGeneratorStateManifest;
}

/** State tensors of a stateful generator: feed output i back as input i; zeros start a stream. */
export interface IGeneratorStateManifest {
  /** State input names, in order. */
  readonly inputs: readonly string[];
  /** The matching next-state output names. */
  readonly outputs: readonly string[];
  /** Shape of each state tensor. */
  readonly shapes: readonly (readonly number[])[];
  /** A run's first output is lips frame (steps run before it) − outputLagFrames: the look-ahead, in output frames. */
  readonly outputLagFrames: number;
}

/** Description of a speech-mesh encoder pair used for live telemetry (optional). */
export interface IEncoderManifest {
  /** Speech encoder ONNX file, relative to the manifest's URL. */
  readonly speechFile: string;
  /** Mesh (lips) encoder ONNX file, relative to the manifest's URL. */
  readonly meshFile: string;
  /** Speech encoder input name; shape `[N, speechWindowFrames, melBands]` log-mel frames. */
  readonly speechInputName: string;
  /** Mesh encoder input name; shape `[N, meshWindowFrames, 63]` lips-v1 displacements. */
  readonly meshInputName: string;
  /** Speech encoder output name; shape `[N, D]` unit-norm embeddings. */
  readonly speechOutputName: string;
  /** Mesh encoder output name; shape `[N, D]` unit-norm embeddings. */
  readonly meshOutputName: string;
  /** Mel frames per speech window. */
  readonly speechWindowFrames: number;
  /** lips-v1 frames per mesh window. */
  readonly meshWindowFrames: number;
}

/** The parsed manifest. */
export interface IModelManifest {
  /** Landmark layout the models speak: `lips-v1`. */
  readonly layout: 'lips-v1';
  /** The streaming generator. */
  readonly generator: IGeneratorManifest;
  /**
   * Generators with other look-aheads (issue #12): `live` (less, for speech heard as it happens) and
   * `playback` (more, for sources whose sound the behavior delays). `generator` is the `balanced` head.
   * Optional: custom and older manifests have only `generator` (see `generatorForHead`).
   */
  readonly latencyModes?: Readonly<Partial<Record<'live' | 'playback', IGeneratorManifest>>>;
  /** The speech/mesh encoders for live telemetry (PLRS, A/V offset); without them telemetry has no scores. */
  readonly metricEncoders?: IEncoderManifest;
}

/**
 * A generator head, by look-ahead: `live` (least; lips soonest after the speech), `balanced` (the manifest's
 * `generator`, 40 ms in the shipped models), `playback` (most; best lips where the sound can wait for them).
 */
export type LatencyHead = 'live' | 'balanced' | 'playback';

/** The heads `latencyModes` may hold (`balanced` is `generator` itself). */
const LATENCY_MODE_HEADS = ['live', 'playback'] as const;

/**
 * The generator entry of a head. A manifest without that head (custom models, manifests from before
 * `latencyModes`) answers with its `generator`, so every head works with every manifest (the loader
 * reports which head it actually loaded: `ILipSyncModels.latencyHead`).
 * @param manifest defines the validated manifest
 * @param head defines the head wanted
 * @returns the head's generator entry, or `manifest.generator` when the manifest has no such head
 */
export function generatorForHead(manifest: IModelManifest, head: LatencyHead): IGeneratorManifest {
  if (head === 'balanced') return manifest.generator;
  return manifest.latencyModes?.[head] ?? manifest.generator;
}

const need = (cond: unknown, what: string): void => {
  if (!cond) throw new ModelLoadError(`Invalid model manifest: ${what}. Regenerate it with \`make -C training models\`.`);
};

/**
 * Checks a manifest object against this runtime: layout, feature spec and field types.
 * @param value defines the parsed JSON
 * @returns the same object, typed
 * @throws ModelLoadError when a field is missing or does not match this runtime
 */
export function validateModelManifest(value: unknown): IModelManifest {
  need(value && typeof value === 'object', 'expected a JSON object');
  const m = value as Partial<IModelManifest>;
  need(m.layout === 'lips-v1', `expected layout "lips-v1", got ${JSON.stringify(m.layout)}`);
  need(m.generator && typeof m.generator === 'object', 'missing "generator"');
  validateGenerator(m.generator, 'generator');
  if (m.latencyModes !== undefined) {
    need(
      m.latencyModes !== null && typeof m.latencyModes === 'object' && !Array.isArray(m.latencyModes),
      'latencyModes must be an object with "live" and/or "playback" generators',
    );
    for (const [head, entry] of Object.entries(m.latencyModes as Record<string, unknown>)) {
      need(
        (LATENCY_MODE_HEADS as readonly string[]).includes(head),
        `latencyModes.${head} is not a head (live, playback; balanced is "generator")`,
      );
      need(entry && typeof entry === 'object', `latencyModes.${head} must be a generator object`);
      validateGenerator(entry, `latencyModes.${head}`);
    }
  }
  return m as IModelManifest;
}

/**
 * Checks one generator entry (`generator`, or a head of `latencyModes`: the same shape).
 * @param value defines the entry
 * @param at defines its path in the manifest, for the message (`generator`, `latencyModes.live`)
 */
function validateGenerator(value: unknown, at: string): void {
  const gen = value as Partial<IGeneratorManifest>;
  need(typeof gen.file === 'string', `${at}.file must be a string`);
  need(
    gen.outputKind === 'lips-v1-displacement' || gen.outputKind === 'flame-vertices',
    `${at}.outputKind ${JSON.stringify(gen.outputKind)} is not supported (lips-v1-displacement, flame-vertices)`,
  );
  need(
    gen.outputKind !== 'flame-vertices' || typeof gen.templateFile === 'string',
    `${at}.templateFile (the neutral FLAME mesh) is required with outputKind "flame-vertices"`,
  );
  need(
    gen.featureSpec === FEATURES_V1.version,
    `${at} was trained on features ${JSON.stringify(gen.featureSpec)}, this runtime computes ${FEATURES_V1.version}`,
  );
  for (const k of ['melFramesPerOutputFrame', 'frameRateHz', 'contextFrames', 'lookaheadFrames'] as const) {
    need(Number.isInteger(gen[k]) && (gen[k] as number) >= 0, `${at}.${k} must be a non-negative integer`);
  }
  need((gen.melFramesPerOutputFrame as number) >= 1, `${at}.melFramesPerOutputFrame must be ≥ 1`);
  need(typeof gen.inputName === 'string' && typeof gen.outputName === 'string', `${at} input/output names`);
  if (gen.state !== undefined) {
    validateState(gen.state, at);
    need(
      gen.state.outputLagFrames * (gen.melFramesPerOutputFrame as number) === gen.lookaheadFrames,
      `${at}.state.outputLagFrames × melFramesPerOutputFrame must equal lookaheadFrames`,
    );
  }
}

function validateState(state: unknown, at: string): void {
  const st = state as Partial<IGeneratorStateManifest>;
  need(st && typeof st === 'object', `${at}.state must be an object`);
  const names = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  need(names(st.inputs) && names(st.outputs), `${at}.state.inputs/outputs must be lists of names`);
  need(st.inputs!.length === st.outputs!.length, `${at}.state.inputs and outputs must pair up`);
  need(
    Array.isArray(st.shapes) &&
      st.shapes.length === st.inputs!.length &&
      st.shapes.every((d) => Array.isArray(d) && d.every((x) => Number.isInteger(x) && x > 0)),
    `${at}.state.shapes must give one positive integer shape per state input`,
  );
  need(
    Number.isInteger(st.outputLagFrames) && (st.outputLagFrames as number) >= 0,
    `${at}.state.outputLagFrames must be a non-negative integer`,
  );
}
