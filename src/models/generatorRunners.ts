/**
 * Binds an ONNX session to a generator manifest: the one place that knows how a fixed-window or a
 * stateful graph is fed, shared by the worker (streaming and bake) and the CLI (bake in Node).
 */
import { FEATURES_V1 } from '../features/featureSpec.ts';
import { createGeneratorOutputToLips } from './generatorOutput.ts';
import type { IGeneratorManifest } from './modelManifest.ts';
import type { IFloatTensor, IModelSession } from './onnxBackend.ts';
import { StatefulStreamingGenerator, statefulAsOfflineRunner, type StatefulGeneratorRunner } from './statefulGenerator.ts';
import { StreamingGenerator, type GeneratorRunner, type IGeneratedBlock } from './streamingGenerator.ts';

/** What runs the graph: an `IModelSession`, or a wrapper that queues and times it. */
export type GeneratorSession = Pick<IModelSession, 'runAsync'>;

/** One audio stream's generator, whatever the graph's streaming form. */
export interface IGeneratorStream {
  /** Output frames a run waits for (1 = no batching delay). */
  readonly outputsPerRun: number;
  /** Global index of the next output frame to be produced. */
  readonly nextOutput: number;
  /** Mel frames received so far. */
  readonly melFramesReceived: number;
  /** Floats the stream holds (mel buffer, carried state), for memory checks. */
  readonly retainedFloats: number;
  appendMel(data: Float32Array, frames: number): void;
  /** Runs the model on what is ready; null when no output is final yet. */
  pumpAsync(): Promise<IGeneratedBlock | null>;
}

const MELS = FEATURES_V1.melBands;

function output(out: Record<string, IFloatTensor>, name: string): Float32Array {
  const y = out[name];
  if (!y) throw new Error(`Generator output "${name}" missing; got [${Object.keys(out).join(', ')}].`);
  return y.data;
}

/** How the graph is run: its session, and for `flame-vertices` outputs the neutral mesh. */
export interface IGeneratorBinding {
  readonly session: GeneratorSession;
  /** `templateFile` contents (see `parseFlameTemplate`), for `flame-vertices` generators. */
  readonly template?: Float32Array;
}

function windowRunner(g: IGeneratorManifest, { session, template }: IGeneratorBinding): GeneratorRunner {
  const toLips = createGeneratorOutputToLips(g, template);
  return async (mel, frames) =>
    toLips(output(await session.runAsync({ [g.inputName]: { data: mel, dims: [1, frames, MELS] } }), g.outputName));
}

function statefulRunner(g: IGeneratorManifest, { session, template }: IGeneratorBinding): StatefulGeneratorRunner {
  const spec = g.state!;
  const toLips = createGeneratorOutputToLips(g, template);
  return async (mel, frames, state) => {
    const feeds: Record<string, IFloatTensor> = { [g.inputName]: { data: mel, dims: [1, frames, MELS] } };
    spec.inputs.forEach((name, i) => (feeds[name] = { data: state[i] as Float32Array, dims: spec.shapes[i] }));
    const out = await session.runAsync(feeds);
    return { lips: toLips(output(out, g.outputName)), state: spec.outputs.map((name) => output(out, name)) };
  };
}

/**
 * A streaming generator for one audio stream.
 * @param g defines the generator's framing
 * @param binding defines what runs the graph
 * @param maxBacklogFrames defines the backlog (mel frames) above which the oldest are dropped
 * @param live defines whether the stream is live (one output per run: `outputsPerRunFor`)
 */
export function createGeneratorStream(
  g: IGeneratorManifest,
  binding: IGeneratorBinding,
  maxBacklogFrames?: number,
  live = false,
): IGeneratorStream {
  return g.state
    ? bindRunner(new StatefulStreamingGenerator(g, MELS, maxBacklogFrames), statefulRunner(g, binding))
    : bindRunner(new StreamingGenerator(g, MELS, maxBacklogFrames, live), windowRunner(g, binding));
}

type Streamer<R> = Omit<IGeneratorStream, 'pumpAsync'> & { pumpAsync(run: R): Promise<IGeneratedBlock | null> };

function bindRunner<R>(gen: Streamer<R>, run: R): IGeneratorStream {
  return {
    get outputsPerRun() {
      return gen.outputsPerRun;
    },
    get nextOutput() {
      return gen.nextOutput;
    },
    get melFramesReceived() {
      return gen.melFramesReceived;
    },
    get retainedFloats() {
      return gen.retainedFloats;
    },
    appendMel: (data, frames) => gen.appendMel(data, frames),
    pumpAsync: () => gen.pumpAsync(run),
  };
}

/** Runs the whole log-mel of an utterance at once (`generateLipsTrackAsync`), for either graph form. */
export function createOfflineGeneratorRunner(g: IGeneratorManifest, binding: IGeneratorBinding): GeneratorRunner {
  return g.state ? statefulAsOfflineRunner(g, statefulRunner(g, binding)) : windowRunner(g, binding);
}
