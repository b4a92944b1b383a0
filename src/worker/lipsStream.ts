/**
 * One audio stream in the worker: its state (audio clock origin, log-mel front end, generator, speech
 * energy per hop, pump flags) and its jobs: ingest a chunk, pump the generator, turn generated outputs
 * into a `LipsFrameBlock` for the main thread. Pure apart from the sink it calls: it runs in Node tests
 * with a fake generator session.
 */
import { transfer } from 'comlink';
import { FEATURES_V1 } from '../features/featureSpec.ts';
import { StreamingLogMel } from '../features/streamingLogMel.ts';
import {
  createGeneratorStream,
  type GeneratorSession,
  type IGeneratorStream,
} from '../models/generatorRunners.ts';
import type { IModelManifest } from '../models/modelManifest.ts';
import { TelemetryScorer } from '../telemetry/telemetryScorer.ts';
import type { AudioChunk, LipsFrameBlock } from './frames.ts';
import type { WorkerCounters } from './workerCounters.ts';

/** Receives generated frames of one stream (a comlink proxy on the main thread). */
export type FrameSink = (block: LipsFrameBlock) => void;

/** What a stream needs from its worker: the loaded models and the counters it adds to. */
export interface ILipsStreamContext {
  readonly manifest: IModelManifest;
  /** The generator session (the worker's: queued in onnxBackend and timed). */
  readonly session: GeneratorSession;
  /** The neutral FLAME mesh of a `flame-vertices` generator. */
  readonly template?: Float32Array;
  /** Whether the metric encoders are loaded (then the stream keeps a telemetry scorer). */
  readonly telemetryEncoders: boolean;
  readonly counters: WorkerCounters;
}

/** One stream's state. */
export interface LipsStream {
  readonly port: MessagePort | null;
  /** Heard as it happens (a microphone): one generator output per run (`outputsPerRunFor`). */
  readonly live: boolean;
  readonly sink: FrameSink;
  readonly manifest: IModelManifest;
  readonly counters: WorkerCounters;
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

/**
 * A new stream.
 * @param context defines the models and counters
 * @param port defines the capture worklet's port (null for a push stream)
 * @param sink defines where frame blocks go
 * @param live defines whether the stream is heard as it happens (no batching of outputs)
 * @returns the stream, before its first audio
 */
export function createLipsStream(
  context: ILipsStreamContext,
  port: MessagePort | null,
  sink: FrameSink,
  live = false,
): LipsStream {
  const m = context.manifest;
  const enc = m.metricEncoders;
  const scorer =
    enc && context.telemetryEncoders
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
    live,
    sink,
    manifest: m,
    counters: context.counters,
    logMel: new StreamingLogMel(FEATURES_V1),
    generator: createGeneratorStream(
      m.generator,
      { session: context.session, template: context.template },
      undefined,
      live,
    ),
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

/**
 * Takes one chunk of 16 kHz audio: drops what precedes `skipBeforeSec` and the start of the output-frame
 * grid, zeroes non-finite samples, adds log-mel frames to the generator and the scorer, pumps.
 * @param stream defines the stream
 * @param chunk defines the audio (its samples may be zeroed in place)
 */
export function ingest(stream: LipsStream, chunk: AudioChunk): void {
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
    const grid = stream.manifest.generator.melFramesPerOutputFrame * HOP;
    const skip = (grid - (firstSample % grid)) % grid;
    if (skip >= x.length) return;
    x = x.subarray(skip);
    stream.t0 = timeSec + skip / SR;
  }
  // Non-finite samples (a broken source) become silence rather than poisoning the model's state.
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) x[i] = 0;
  accumulateHopEnergy(stream, x);
  stream.samples += x.length;
  stream.counters.samplesReceived += x.length;
  const block = stream.logMel.push(x);
  if (block) {
    stream.scorer?.appendMel(block.firstFrame, block.data, block.frames);
    stream.generator.appendMel(block.data, block.frames);
    void pump(stream);
  }
}

function accumulateHopEnergy(stream: LipsStream, x: Float32Array): void {
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

/**
 * Runs the generator on what is ready and sends the frames to the sink; a call while a pump runs is
 * coalesced into it (the running pump picks the new frames up in one bigger window).
 * @param stream defines the stream
 */
export async function pump(stream: LipsStream): Promise<void> {
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
      stream.counters.droppedChunks += block.droppedOutputs;
      stream.droppedOutputs += block.droppedOutputs;
      stream.sink(toFrameBlock(stream, block.firstOutput, block.outputs, block.displacements));
    } while (stream.dirty);
  } finally {
    stream.pumping = false;
  }
}

/**
 * Generated outputs → a frame block on the audio clock, with each frame's speech RMS (transferable).
 * @param stream defines the stream
 * @param first defines the first output's index in the stream
 * @param count defines the outputs
 * @param displacements defines their lips-v1 displacements, `count × 63` (a new array: transferred)
 * @returns the block
 */
export function toFrameBlock(
  stream: LipsStream,
  first: number,
  count: number,
  displacements: Float32Array,
): LipsFrameBlock {
  const m = stream.manifest;
  const k = m.generator.melFramesPerOutputFrame;
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
    displacements,
    speechRms,
  };
  return transfer(block, [displacements.buffer, speechRms.buffer]);
}

/**
 * Mel frames received but not yet turned into lips (beyond the model's look-ahead).
 * @param stream defines the stream
 * @returns the backlog, mel frames
 */
export function generatorBacklogFrames(stream: LipsStream): number {
  const m = stream.manifest;
  const g = stream.generator;
  return (
    g.melFramesReceived - m.generator.lookaheadFrames - g.nextOutput * m.generator.melFramesPerOutputFrame
  );
}

/**
 * Floats a stream holds in its growable buffers (speech-energy history, generator window).
 * @param stream defines the stream
 * @returns the count
 */
export function streamFootprint(stream: LipsStream): number {
  return stream.hopEnergy.length + stream.generator.retainedFloats;
}
