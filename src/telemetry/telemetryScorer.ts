/**
 * Worker side of the live sync monitor: a bounded log-mel history per stream and the metric encoders
 * run over it. For each 200 ms mesh window of lips read back from the avatar, it scores the cosine
 * similarity against the speech windows at every shift of ±250 ms (`shiftStepMs` steps). Embeddings are
 * cached by position, so each speech and mesh window is encoded once however often it is rescored.
 * The encoders are injected (`ITelemetryEncoderRunners`), so this runs in Node tests without ORT.
 */
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';

/** Runs the metric encoders (batched). Outputs are `n × D` embeddings, any norm. */
export interface ITelemetryEncoderRunners {
  /** Embeds `n` speech windows, `n × speechWindowFrames × melBands` log-mel values. */
  speech(batch: Float32Array, n: number): Promise<Float32Array>;
  /** Embeds `n` mesh windows, `n × meshWindowFrames × 63` lips-v1 displacements (metres). */
  mesh(batch: Float32Array, n: number): Promise<Float32Array>;
}

/** Geometry of `TelemetryScorer`. */
export interface ITelemetryScorerOptions {
  /** Mel bands per frame (features-v1: 80). */
  readonly melBands: number;
  /** Mel frames per lips frame (2: 100 Hz features, 50 fps lips); lips frame j is aligned to mel frame j·k. */
  readonly melFramesPerLipsFrame: number;
  /** Mel frames per speech-encoder window (manifest `speechWindowFrames`). */
  readonly speechWindowFrames: number;
  /** Lips frames per mesh-encoder window (manifest `meshWindowFrames`); also the window stride (PLRS). */
  readonly meshWindowFrames: number;
  /** Mel frame hop, ms (features-v1: 10); the shift step. */
  readonly melHopMs: number;
  /** Largest shift tried either way, ms. @default 250 */
  readonly maxShiftMs?: number;
  /**
   * Step between the shifts tried, ms: a multiple of `melHopMs`. Speech windows are encoded only at
   * shifts of the mesh windows, so a coarser step encodes fewer of them (10 ms: every mel frame starts
   * one, 20× overlap of the 200 ms windows). The offset between steps comes from the parabola through
   * the curve's peak. @default `DEFAULT_SHIFT_STEP_MS`
   */
  readonly shiftStepMs?: number;
  /** Mel frames of history kept. @default 400 (4 s) */
  readonly historyMelFrames?: number;
}

/** One mesh window scored at every shift. */
export interface ITelemetryWindowScore {
  /** Stream lips-frame index of the window's first frame (a multiple of `meshWindowFrames`). */
  readonly startFrame: number;
  /**
   * Cosine similarity per shift, in `shiftsMs` order: entry i compares the lips window with the speech
   * window that starts `shiftsMs[i]` earlier than the lips' own time (so a peak at +d = lips d ms late).
   */
  readonly similarities: Float32Array;
}

const LIPS_VALUES = LIPS_V1_VALUES;

/**
 * Default step between the shifts scored, ms: 50 ms encodes a fifth of the speech windows of 10 ms steps
 * (21 instead of 106 per second of speech) and measured lips delays of 0–150 ms on human speech as well
 * (median clip error 3.4 vs 4.6 ms). Chosen by a rule written before the numbers, bench/telemetryCadence.ts;
 * 50 ms divides the 200 ms mesh-window stride, so consecutive windows share their speech windows.
 */
export const DEFAULT_SHIFT_STEP_MS = 50;

/** Scores read-back lips against one stream's speech. Not thread-safe: one `scoreAsync` at a time. */
export class TelemetryScorer {
  /** Shifts tried, ms, ascending (negative = lips early). */
  readonly shiftsMs: readonly number[];
  private readonly _o: Required<ITelemetryScorerOptions>;
  private readonly _shifts: Int32Array; // in mel frames
  private readonly _mel: Float32Array;
  private _melEnd = 0; // absolute index one past the newest mel frame
  private readonly _speech = new Map<number, Float32Array>(); // mel start -> embedding
  private readonly _mesh = new Map<number, Float32Array>(); // lips start -> embedding

  /**
   * @param options defines the window geometry
   * @throws RangeError for non-positive sizes
   */
  constructor(options: ITelemetryScorerOptions) {
    this._o = { maxShiftMs: 250, historyMelFrames: 400, shiftStepMs: DEFAULT_SHIFT_STEP_MS, ...options };
    const o = this._o;
    for (const k of [
      'melBands',
      'melFramesPerLipsFrame',
      'speechWindowFrames',
      'meshWindowFrames',
    ] as const) {
      if (!(Number.isInteger(o[k]) && o[k] >= 1))
        throw new RangeError(`TelemetryScorer: ${k} must be a positive integer, got ${o[k]}`);
    }
    if (!(o.melHopMs > 0)) throw new RangeError(`TelemetryScorer: melHopMs must be > 0, got ${o.melHopMs}`);
    const step = o.shiftStepMs / o.melHopMs;
    if (!(Number.isInteger(step) && step >= 1))
      throw new RangeError(
        `TelemetryScorer: shiftStepMs must be a positive multiple of melHopMs (${o.melHopMs}), got ${o.shiftStepMs}`,
      );
    const maxSteps = Math.floor(Math.round(o.maxShiftMs / o.melHopMs) / step);
    this._shifts = Int32Array.from({ length: 2 * maxSteps + 1 }, (_, i) => (i - maxSteps) * step);
    this.shiftsMs = Array.from(this._shifts, (s) => s * o.melHopMs);
    this._mel = new Float32Array(o.historyMelFrames * o.melBands);
  }

  /** Index of shift 0 in `shiftsMs`. */
  get zeroShiftIndex(): number {
    return (this._shifts.length - 1) / 2;
  }

  /** Absolute index one past the newest mel frame held. */
  get melFramesReceived(): number {
    return this._melEnd;
  }

  /**
   * Appends log-mel frames of the stream (consecutive; a jump forward leaves a gap that is never scored).
   * @param firstFrame defines the absolute index of the first frame
   * @param data defines `frames × melBands` values
   * @param frames defines the frame count
   */
  appendMel(firstFrame: number, data: Float32Array, frames: number): void {
    const { melBands: B, historyMelFrames: H } = this._o;
    if (firstFrame > this._melEnd) {
      // A gap: the frames in it must not be read as valid history.
      for (let f = this._melEnd; f < Math.min(firstFrame, this._melEnd + H); f++)
        this._mel.fill(NaN, (f % H) * B, (f % H) * B + B);
    }
    for (let f = 0; f < frames; f++) {
      const slot = (firstFrame + f) % H;
      this._mel.set(data.subarray(f * B, f * B + B), slot * B);
    }
    this._melEnd = Math.max(this._melEnd, firstFrame + frames);
    const oldest = this._melEnd - H;
    for (const p of this._speech.keys()) if (p < oldest) this._speech.delete(p);
  }

  /**
   * Scores every complete mesh window inside the lips range whose speech windows at all shifts are in
   * the history. Windows that still wait for speech are left out (send them again later).
   * @param firstLipsFrame defines the stream lips-frame index of `lips` frame 0
   * @param frames defines the lips frame count
   * @param lips defines `frames × 63` lips-v1 displacements (metres)
   * @param run defines the encoders
   * @param maxNewSpeechWindows defines the most speech windows encoded by this call (bounds its cost)
   * @returns the scored windows, oldest first
   */
  async scoreAsync(
    firstLipsFrame: number,
    frames: number,
    lips: Float32Array,
    run: ITelemetryEncoderRunners,
    maxNewSpeechWindows = 256,
  ): Promise<ITelemetryWindowScore[]> {
    const {
      melFramesPerLipsFrame: k,
      meshWindowFrames: W,
      speechWindowFrames: S,
      historyMelFrames: H,
    } = this._o;
    const minShift = this._shifts[0];
    const maxShift = this._shifts[this._shifts.length - 1];
    const oldest = Math.max(0, this._melEnd - H);
    // Windows whose every shifted speech window lies in the history.
    const windows: number[] = [];
    for (let a = Math.ceil(firstLipsFrame / W) * W; a + W <= firstLipsFrame + frames; a += W) {
      if (a < 0) continue;
      const lo = k * a - maxShift;
      const hi = k * a - minShift + S;
      if (
        lo >= oldest &&
        hi <= this._melEnd &&
        this._finiteLips(lips, (a - firstLipsFrame) * LIPS_VALUES, W)
      ) {
        windows.push(a);
      }
    }
    if (windows.length === 0) return [];
    // Speech windows to encode (newest windows first when the budget is short).
    const needSpeech: number[] = [];
    const wanted = new Set<number>();
    for (let w = windows.length - 1; w >= 0; w--) {
      for (const s of this._shifts) {
        const p = k * windows[w] - s;
        if (!this._speech.has(p) && !wanted.has(p) && this._finiteMel(p, S)) {
          wanted.add(p);
          needSpeech.push(p);
        }
      }
    }
    needSpeech.length = Math.min(needSpeech.length, maxNewSpeechWindows);
    if (needSpeech.length > 0) {
      const emb = await run.speech(this._speechBatch(needSpeech), needSpeech.length);
      const d = emb.length / needSpeech.length;
      needSpeech.forEach((p, i) => this._speech.set(p, emb.slice(i * d, (i + 1) * d)));
    }
    const needMesh = windows.filter((a) => !this._mesh.has(a));
    if (needMesh.length > 0) {
      const batch = new Float32Array(needMesh.length * W * LIPS_VALUES);
      needMesh.forEach((a, i) => {
        const from = (a - firstLipsFrame) * LIPS_VALUES;
        batch.set(lips.subarray(from, from + W * LIPS_VALUES), i * W * LIPS_VALUES);
      });
      const emb = await run.mesh(batch, needMesh.length);
      const d = emb.length / needMesh.length;
      needMesh.forEach((a, i) => this._mesh.set(a, emb.slice(i * d, (i + 1) * d)));
    }
    const newest = windows[windows.length - 1];
    for (const a of this._mesh.keys()) if (a < newest - H) this._mesh.delete(a); // H mel frames = 2H lips frames back: long rescored
    const out: ITelemetryWindowScore[] = [];
    for (const a of windows) {
      const m = this._mesh.get(a)!;
      const sims = new Float32Array(this._shifts.length);
      let complete = true;
      this._shifts.forEach((s, i) => {
        const e = this._speech.get(k * a - s);
        if (!e) complete = false;
        else sims[i] = cosine(m, e);
      });
      if (complete && sims.every(Number.isFinite)) out.push({ startFrame: a, similarities: sims });
    }
    return out;
  }

  /** Forgets the history and the cached embeddings. */
  reset(): void {
    this._melEnd = 0;
    this._speech.clear();
    this._mesh.clear();
  }

  private _speechBatch(starts: readonly number[]): Float32Array {
    const { melBands: B, speechWindowFrames: S, historyMelFrames: H } = this._o;
    const batch = new Float32Array(starts.length * S * B);
    starts.forEach((p, i) => {
      for (let f = 0; f < S; f++) {
        const slot = (p + f) % H;
        batch.set(this._mel.subarray(slot * B, slot * B + B), (i * S + f) * B);
      }
    });
    return batch;
  }

  private _finiteMel(p: number, frames: number): boolean {
    const { melBands: B, historyMelFrames: H } = this._o;
    for (let f = p; f < p + frames; f++) if (!Number.isFinite(this._mel[(f % H) * B])) return false;
    return true;
  }

  private _finiteLips(lips: Float32Array, from: number, frames: number): boolean {
    for (let i = from; i < from + frames * LIPS_VALUES; i++) if (!Number.isFinite(lips[i])) return false;
    return true;
  }
}

/** Cosine similarity; 0 when either vector is zero (an encoder must not make NaN of it). */
function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
