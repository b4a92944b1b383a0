/**
 * Runs the generator chunk by chunk over a growing log-mel stream with a fixed context window: each
 * run sees `contextFrames` of history plus the new frames and their look-ahead, and emits only the
 * outputs whose context and look-ahead are complete. Stateless sessions keep WebGPU and wasm
 * identical and make catching up trivial: a backlog is processed as one bigger window.
 */
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import type { IGeneratorManifest } from './modelManifest.ts';

/** Runs the model on `frames × mels` log-mel values; returns `ceil(frames / k) × 63` displacements. */
export type GeneratorRunner = (mel: Float32Array, frames: number) => Promise<Float32Array>;

/** Outputs of one `pumpAsync` call. */
export interface IGeneratedBlock {
  /** Global index of the first output frame (output j is aligned to mel frame j·k). */
  readonly firstOutput: number;
  readonly outputs: number;
  /** `outputs × 63` lips-v1 displacements, metres. */
  readonly displacements: Float32Array;
  /** Output frames skipped because the backlog exceeded `maxBacklogFrames` (0 normally). */
  readonly droppedOutputs: number;
}

const LIPS_VALUES = LIPS_V1_VALUES;

/** Streaming driver of one generator over one audio stream. Not thread-safe: one pump at a time. */
export class StreamingGenerator {
  private _mel: Float32Array;
  private _firstStored = 0; // global mel index of _mel row 0
  private _stored = 0; // rows stored
  private _nextOutput = 0;
  private readonly _k: number;
  private readonly _mels: number;

  /**
   * @param manifest defines the generator's framing (context, look-ahead, frames per output)
   * @param mels defines mel bands per frame
   * @param maxBacklogFrames defines how many mel frames may wait before the oldest outputs are dropped
   * @param live defines whether the stream is heard as it happens (a microphone): then each output runs
   *   as soon as its look-ahead is there (`outputsPerRunFor`)
   */
  constructor(
    private readonly _manifest: IGeneratorManifest,
    mels: number,
    private readonly _maxBacklogFrames = 200,
    live = false,
  ) {
    this._k = _manifest.melFramesPerOutputFrame;
    this.outputsPerRun = outputsPerRunFor(_manifest, live);
    this._mels = mels;
    this._mel = new Float32Array((this._manifest.contextFrames + _maxBacklogFrames + 64) * mels);
  }

  /**
   * Outputs a run waits for (≥ 1). Every run recomputes `contextFrames` of history, so a model with a
   * long receptive field runs on several new outputs at once: the shipped generator (118 context
   * frames) re-ran ~60× redundant work one output at a time and fell behind real time on 2 cores
   * (bench/results). Costs up to (outputsPerRun − 1) frames of latency.
   */
  readonly outputsPerRun: number;

  /** Global index of the next output frame to be produced. */
  get nextOutput(): number {
    return this._nextOutput;
  }

  /** Floats this generator holds (its mel window buffer), for memory checks. */
  get retainedFloats(): number {
    return this._mel.length;
  }

  /** Mel frames received so far (global count). */
  get melFramesReceived(): number {
    return this._firstStored + this._stored;
  }

  /** Appends log-mel frames (`frames × mels`, in stream order). */
  appendMel(data: Float32Array, frames: number): void {
    if ((this._stored + frames) * this._mels > this._mel.length) this._makeRoom(frames);
    this._mel.set(data.subarray(0, frames * this._mels), this._stored * this._mels);
    this._stored += frames;
  }

  /** Drops all state; the next frames start a new stream at output 0. */
  reset(): void {
    this._firstStored = 0;
    this._stored = 0;
    this._nextOutput = 0;
  }

  /**
   * Runs the model on what is ready. Returns null when no complete output is ready yet.
   * @param run defines how to execute the model
   */
  async pumpAsync(run: GeneratorRunner): Promise<IGeneratedBlock | null> {
    const { contextFrames: C, lookaheadFrames: L } = this._manifest;
    const k = this._k;
    const received = this.melFramesReceived;
    const lastReady = Math.floor((received - 1 - L) / k); // last output whose look-ahead has arrived
    if (lastReady - this._nextOutput + 1 < this.outputsPerRun) return null;
    let dropped = 0;
    const backlog = (lastReady - this._nextOutput + 1) * k;
    if (backlog > this._maxBacklogFrames) {
      dropped = Math.ceil((backlog - this._maxBacklogFrames) / k);
      this._nextOutput += dropped;
    }
    const start = Math.max(this._firstStored, Math.floor(Math.max(0, this._nextOutput * k - C) / k) * k);
    const end = received;
    const frames = end - start;
    const row0 = start - this._firstStored;
    const window = this._mel.slice(row0 * this._mels, (row0 + frames) * this._mels);
    const out = await run(window, frames);
    const firstLocal = (this._nextOutput * k - start) / k;
    const count = lastReady - this._nextOutput + 1;
    const displacements = out.slice(firstLocal * LIPS_VALUES, (firstLocal + count) * LIPS_VALUES);
    const block: IGeneratedBlock = { firstOutput: this._nextOutput, outputs: count, displacements, droppedOutputs: dropped };
    this._nextOutput = lastReady + 1;
    this._trim();
    return block;
  }

  /** Keeps only the history the next window needs. */
  private _trim(): void {
    const keepFrom = Math.max(0, Math.floor(Math.max(0, this._nextOutput * this._k - this._manifest.contextFrames) / this._k) * this._k);
    const drop = Math.min(this._stored, Math.max(0, keepFrom - this._firstStored));
    if (drop === 0) return;
    this._mel.copyWithin(0, drop * this._mels, this._stored * this._mels);
    this._firstStored += drop;
    this._stored -= drop;
  }

  private _makeRoom(frames: number): void {
    this._trim();
    const need = (this._stored + frames) * this._mels;
    if (need <= this._mel.length) return;
    const bigger = new Float32Array(Math.max(need, this._mel.length * 2));
    bigger.set(this._mel.subarray(0, this._stored * this._mels));
    this._mel = bigger;
  }
}

/**
 * Outputs per run for a generator: enough that the recomputed context is at most ~40 mel frames per
 * output (1 for short-context and stateful models), capped at 4 (60 ms of extra latency at 50 fps).
 * A live stream (a microphone: its lips cannot be delayed to wait for a batch) runs one output per run
 * as soon as its look-ahead is there; when a run takes longer than an output step, the pumps meanwhile
 * are coalesced into the next run, which then takes every output ready (batching only under load).
 * @param manifest defines the generator's context and streaming form
 * @param live defines whether the stream is live (default: a played source, hidden by its delay)
 * @returns outputs per run, ≥ 1
 */
export function outputsPerRunFor(
  manifest: Pick<IGeneratorManifest, 'contextFrames' | 'state'>,
  live = false,
): number {
  if (manifest.state || live) return 1; // a stateful graph recomputes nothing
  return Math.min(4, Math.max(1, Math.ceil(manifest.contextFrames / 40)));
}
