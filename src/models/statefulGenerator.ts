/**
 * Streams a generator whose ONNX graph carries its convolution context as explicit state tensors
 * (manifest `generator.state`): each run costs only the new steps, where the fixed-window form
 * recomputes the whole receptive field (~60 steps for the shipped model) every 20 ms.
 */
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import type { IGeneratorManifest, IGeneratorStateManifest } from './modelManifest.ts';
import type { GeneratorRunner, IGeneratedBlock } from './streamingGenerator.ts';

/** One stateful run: `frames` mel frames (a multiple of k) and the carried state → lips and the next state. */
export type StatefulGeneratorRunner = (
  mel: Float32Array,
  frames: number,
  state: readonly Float32Array[],
) => Promise<{ lips: Float32Array; state: Float32Array[] }>;

const LIPS_VALUES = LIPS_V1_VALUES;

/** The state that starts a stream: zeros, as the offline graph's zero padding. */
export function zeroGeneratorState(state: IGeneratorStateManifest): Float32Array[] {
  return state.shapes.map((dims) => new Float32Array(dims.reduce((a, b) => a * b, 1)));
}

/** Streaming driver of one stateful generator over one audio stream. Not thread-safe: one pump at a time. */
export class StatefulStreamingGenerator {
  /** Stateful runs are cheap, so every output runs as soon as its step is complete. */
  readonly outputsPerRun = 1;
  private _pending: Float32Array;
  private _pendingFrames = 0;
  private _stepsRun = 0; // 50 Hz steps consumed since the (re)start at _firstStep
  private _firstStep = 0; // global step index of the current state's origin
  private _state: Float32Array[];
  private _nextOutput = 0;
  private readonly _k: number;
  private readonly _lag: number;
  private readonly _spec: IGeneratorStateManifest;

  /**
   * @param manifest defines the generator's framing and state tensors (`manifest.state` is required)
   * @param _mels defines mel bands per frame
   * @param _maxBacklogFrames defines how many mel frames may wait before the oldest are dropped
   */
  constructor(
    manifest: IGeneratorManifest,
    private readonly _mels: number,
    private readonly _maxBacklogFrames = 200,
  ) {
    if (!manifest.state) throw new Error('StatefulStreamingGenerator needs a manifest with generator.state.');
    this._spec = manifest.state;
    this._k = manifest.melFramesPerOutputFrame;
    this._lag = manifest.state.outputLagFrames;
    this._state = zeroGeneratorState(this._spec);
    this._pending = new Float32Array((_maxBacklogFrames + 64) * _mels);
  }

  /** Global index of the next output frame to be produced. */
  get nextOutput(): number {
    return this._nextOutput;
  }

  /** Floats this generator holds (pending mel buffer and carried state), for memory checks. */
  get retainedFloats(): number {
    return this._pending.length + this._state.reduce((n, t) => n + t.length, 0);
  }

  /** Mel frames received so far (global count). */
  get melFramesReceived(): number {
    return (this._firstStep + this._stepsRun) * this._k + this._pendingFrames;
  }

  /** Appends log-mel frames (`frames × mels`, in stream order). */
  appendMel(data: Float32Array, frames: number): void {
    const need = (this._pendingFrames + frames) * this._mels;
    if (need > this._pending.length) {
      const bigger = new Float32Array(Math.max(need, this._pending.length * 2));
      bigger.set(this._pending.subarray(0, this._pendingFrames * this._mels));
      this._pending = bigger;
    }
    this._pending.set(data.subarray(0, frames * this._mels), this._pendingFrames * this._mels);
    this._pendingFrames += frames;
  }

  /** Drops all state; the next frames start a new stream at output 0. */
  reset(): void {
    this._pendingFrames = 0;
    this._stepsRun = 0;
    this._firstStep = 0;
    this._nextOutput = 0;
    this._state = zeroGeneratorState(this._spec);
  }

  /**
   * Runs the model on every complete step received. Returns null when no new output is final yet.
   * When more than `maxBacklogFrames` wait (the worker fell far behind), the oldest are dropped and
   * the state restarts from zeros: a short transient instead of an ever-growing delay.
   * @param run defines how to execute the model
   */
  async pumpAsync(run: StatefulGeneratorRunner): Promise<IGeneratedBlock | null> {
    const k = this._k;
    let dropped = 0;
    if (this._pendingFrames > this._maxBacklogFrames) {
      const dropSteps = Math.ceil((this._pendingFrames - this._maxBacklogFrames) / k);
      this._shiftPending(dropSteps * k);
      this._firstStep += this._stepsRun + dropSteps;
      this._stepsRun = 0;
      this._state = zeroGeneratorState(this._spec);
      // Outputs up to the new origin (+ lag) never get their context: count them as dropped.
      const resume = this._firstStep;
      dropped = Math.max(0, resume - this._nextOutput);
      this._nextOutput = Math.max(this._nextOutput, resume);
    }
    const steps = Math.floor(this._pendingFrames / k);
    if (steps === 0) return null;
    const frames = steps * k;
    const mel = this._pending.slice(0, frames * this._mels);
    const { lips, state } = await run(mel, frames, this._state);
    this._state = state;
    this._shiftPending(frames);
    const firstStep = this._firstStep + this._stepsRun;
    this._stepsRun += steps;
    // Run output i is lips frame (firstStep + i - lag); keep the final ones not emitted yet.
    const firstFrame = firstStep - this._lag;
    const from = Math.max(this._nextOutput, firstFrame);
    const to = firstFrame + steps; // exclusive
    if (to <= from) return dropped > 0 ? this._emptyBlock(dropped) : null;
    const displacements = lips.slice((from - firstFrame) * LIPS_VALUES, (to - firstFrame) * LIPS_VALUES);
    this._nextOutput = to;
    return { firstOutput: from, outputs: to - from, displacements, droppedOutputs: dropped };
  }

  private _emptyBlock(dropped: number): IGeneratedBlock {
    return { firstOutput: this._nextOutput, outputs: 0, displacements: new Float32Array(0), droppedOutputs: dropped };
  }

  private _shiftPending(frames: number): void {
    const n = Math.min(frames, this._pendingFrames);
    this._pending.copyWithin(0, n * this._mels, this._pendingFrames * this._mels);
    this._pendingFrames -= n;
  }
}

/**
 * The offline form of a stateful generator (bake, CLI): one run over the whole log-mel from zero
 * state. Output j is returned at index j as the window contract says; the last `outputLagFrames`
 * outputs, whose look-ahead lies past the input, are rest (zeros).
 */
export function statefulAsOfflineRunner(manifest: IGeneratorManifest, run: StatefulGeneratorRunner): GeneratorRunner {
  const spec = manifest.state;
  if (!spec) throw new Error('statefulAsOfflineRunner needs a manifest with generator.state.');
  return async (mel, frames) => {
    const { lips } = await run(mel, frames, zeroGeneratorState(spec));
    const outputs = Math.ceil(frames / manifest.melFramesPerOutputFrame);
    const aligned = new Float32Array(outputs * LIPS_VALUES);
    aligned.set(lips.subarray(Math.min(lips.length, spec.outputLagFrames * LIPS_VALUES)));
    return aligned;
  };
}
