/**
 * Main-thread half of the live sync monitor (pure: no DOM, no Babylon, no worker). It receives the
 * generated frames' speech RMS, the lips read back from the avatar each render, the worker's window
 * scores and system counters, and turns them into `ITelemetrySample`s: a live one per `takeSamples`
 * while speech is present, and one summary per utterance.
 *
 * Timeline: everything is on the stream's 50 fps output-frame grid (frame j at the audio-clock time of
 * its speech). Lips are recorded at the time of the speech being heard, so lips shown late appear as a
 * positive offset.
 */
import { lipIntensity } from '../metrics/lipIntensity.ts';
import type { VertexSequence } from '../metrics/vertexSequence.ts';
import type { IWindowScore } from './aggregateWindowScores.ts';
import { buildTelemetrySample } from './buildTelemetrySample.ts';
import { LipsGridRecorder } from './lipsGridRecorder.ts';
import { RollingSlcc } from './rollingSlcc.ts';
import { SpeechSegmenter, type ISpeechSegmenterOptions } from './speechSegmenter.ts';
import type { ITelemetrySample } from './telemetrySample.ts';
import { NO_TELEMETRY_SYSTEM, type ITelemetrySystem } from './telemetrySystem.ts';

/** Window scores as the worker returns them. */
export interface ITelemetryScores {
  /** Shifts of `similarities`, ms, ascending, evenly spaced, including 0. */
  readonly shiftsMs: readonly number[];
  readonly windows: readonly IWindowScore[];
}

/** A lips range to score (what `scoreRequest` asks the worker for). */
export interface ITelemetryScoreRequest {
  /** Audio-clock time of grid frame `firstFrame`, s. */
  readonly firstTimeSec: number;
  /** Grid index of the first frame. */
  readonly firstFrame: number;
  readonly frames: number;
  /** `frames × 63` lips-v1 displacements, metres (a new array: transfer it). */
  readonly lips: Float32Array;
}

/** Options of `TelemetryAggregator`. */
export interface ITelemetryAggregatorOptions {
  /** Speech gating (threshold on frame speech RMS, hangover). */
  readonly segmenter: Partial<ISpeechSegmenterOptions>;
  /** Span of a live sample's PLRS, offset and intensities, s. @default 2 */
  readonly liveWindowSec: number;
  /** Lips frames per mesh window (manifest `meshWindowFrames`). @default 10 */
  readonly meshWindowFrames: number;
  /** Windows a curve needs before an offset is reported. @default 3 */
  readonly minOffsetWindows: number;
  /** How long after an utterance ends its summary waits for late window scores, s. @default 0.8 */
  readonly utteranceSettleSec: number;
  /** |offset| above which `avOffsetWarning` is raised (with confidence ≥ 0.5), ms. @default 45 */
  readonly warnOffsetMs: number;
}

/** Defaults of `ITelemetryAggregatorOptions`. */
export const DEFAULT_TELEMETRY_AGGREGATOR_OPTIONS: Readonly<ITelemetryAggregatorOptions> = Object.freeze({
  segmenter: {},
  liveWindowSec: 2,
  meshWindowFrames: 10,
  minOffsetWindows: 3,
  utteranceSettleSec: 0.8,
  warnOffsetMs: 45,
});

interface Utterance {
  readonly id: number;
  readonly start: number;
  end: number; // last speech frame (inclusive), set on close
  closed: boolean;
  // Sums up to the current frame, and committed at the last speech frame (drops the trailing hangover).
  rmsSq: number;
  rmsN: number;
  speedSq: number;
  speedN: number;
  committed: [number, number, number, number];
  readonly windows: IWindowScore[];
}

interface ScoredWindow {
  readonly score: IWindowScore;
  readonly utterance: number;
}

const LIPS_VALUES = 63;
const RING = 512;
/** Frames (50 fps) a recorded frame waits for its speech RMS before it is processed as silence. */
const MAX_RMS_WAIT = 50;
/** Turns one stream's frames, read-back lips and window scores into telemetry samples. */
export class TelemetryAggregator {
  private readonly _o: ITelemetryAggregatorOptions;
  private readonly _lips = new LipsGridRecorder({ capacityFrames: RING });
  private readonly _segmenter: SpeechSegmenter;
  private readonly _threshold: number;
  private readonly _slcc = new RollingSlcc();
  // Per grid frame, ring-indexed: speech RMS (from the generated blocks), then, once processed,
  // lip speed (metres per frame), voiced flag and utterance id.
  private readonly _rms = new Float32Array(RING);
  private readonly _rmsIndex = new Float64Array(RING).fill(NaN);
  private readonly _speed = new Float32Array(RING);
  private readonly _voiced = new Uint8Array(RING);
  private readonly _utt = new Int32Array(RING).fill(-1);
  private readonly _latency = new Float32Array(RING).fill(NaN);
  private _next = -1; // next grid frame to process
  private _rmsNewest = -1; // newest grid frame whose speech RMS arrived
  private _utterance: Utterance | null = null;
  private readonly _pending: Utterance[] = [];
  private _nextUtteranceId = 0;
  private readonly _scored = new Map<number, ScoredWindow>();
  private _shiftsMs: readonly number[] = [];
  private _system: ITelemetrySystem = NO_TELEMETRY_SYSTEM;
  private readonly _pair: VertexSequence = { data: new Float32Array(2 * LIPS_VALUES), frames: 2, points: 21 };
  private readonly _allPoints = Array.from({ length: 21 }, (_, i) => i);

  /** @param options defines gating, spans and thresholds */
  constructor(options: Partial<ITelemetryAggregatorOptions> = {}) {
    this._o = { ...DEFAULT_TELEMETRY_AGGREGATOR_OPTIONS, ...options };
    this._segmenter = new SpeechSegmenter(this._o.segmenter);
    this._threshold = this._o.segmenter.thresholdRms ?? 0.01;
  }

  /** True while the newest processed frame is inside an utterance. */
  get inSpeech(): boolean {
    return this._segmenter.active;
  }

  /**
   * Takes the speech RMS of a block of generated frames (and fixes the frame grid on the first one).
   * @param firstTimeSec defines the audio-clock time of the block's first frame
   * @param frameDurationSec defines the frame spacing, s
   * @param speechRms defines one linear RMS per frame
   */
  onFrames(firstTimeSec: number, frameDurationSec: number, speechRms: ArrayLike<number>): void {
    this._lips.setGrid(firstTimeSec, frameDurationSec);
    const first = this._lips.indexOf(firstTimeSec);
    for (let f = 0; f < speechRms.length; f++) {
      const j = first + f;
      if (j < 0) continue;
      this._rms[j % RING] = speechRms[f];
      this._rmsIndex[j % RING] = j;
      this._rmsNewest = Math.max(this._rmsNewest, j);
    }
  }

  /**
   * Records the lips shown for the speech heard at `audioTimeSec` and processes completed grid frames.
   * @param audioTimeSec defines the audio-clock time of the speech being heard
   * @param lipsDisplacement defines the read-back lips as lips-v1 displacements (63 values, metres)
   * @param latencySec defines capture → applied latency of this frame, s
   */
  recordFrame(audioTimeSec: number, lipsDisplacement: ArrayLike<number>, latencySec: number): void {
    if (!this._lips.hasGrid) return;
    this._lips.record(audioTimeSec, lipsDisplacement);
    const latest = this._lips.latestIndex;
    if (latest < 0) return;
    if (Number.isFinite(latencySec)) this._latency[latest % RING] = latencySec;
    if (this._next < 0) this._next = latest;
    // After a long stall only the last ring's worth can still be processed.
    if (latest - this._next >= RING) this._next = latest - RING + 1;
    // A frame is processed once its speech RMS has arrived: when the generator runs late, the gating
    // waits (up to MAX_RMS_WAIT frames) rather than calling the speech silence.
    for (; this._next <= latest; this._next++) {
      const j = this._next;
      if (this._rmsIndex[j % RING] !== j && latest - j < MAX_RMS_WAIT && !(this._rmsNewest > j)) break;
      this._process(j);
    }
  }

  /**
   * The recent lips to score: up to `maxFrames` contiguous recorded frames ending at the newest one,
   * or null when they hold no speech (nothing to score in silence).
   * @param maxFrames defines the longest range, frames. @default 2.5 s worth
   */
  scoreRequest(maxFrames = Math.round(2.5 / 0.02)): ITelemetryScoreRequest | null {
    const last = this._next - 1;
    if (last < 0) return null;
    let first = last;
    let speech = false;
    while (first - 1 >= 0 && last - first + 1 < Math.min(maxFrames, RING) && this._lips.has(first - 1))
      first--;
    // Start at the first mesh window holding speech: silent windows would only be dropped.
    const W = this._o.meshWindowFrames;
    for (let j = first; j <= last && !speech; j++) {
      if (this._utt[j % RING] >= 0) {
        speech = true;
        first = Math.max(first, Math.floor(j / W) * W);
      }
    }
    if (!speech || !this._lips.has(first)) return null;
    const frames = last - first + 1;
    const lips = new Float32Array(frames * LIPS_VALUES);
    for (let j = first; j <= last; j++) lips.set(this._lips.frame(j)!, (j - first) * LIPS_VALUES);
    return { firstTimeSec: this._lips.timeOf(first), firstFrame: first, frames, lips };
  }

  /**
   * Takes window scores (windows already taken are ignored; silent windows are dropped).
   * @param scores defines the worker's results
   */
  addScores(scores: ITelemetryScores): void {
    this._shiftsMs = scores.shiftsMs;
    const W = this._o.meshWindowFrames;
    for (const w of scores.windows) {
      if (this._scored.has(w.startFrame) || w.startFrame < this._next - RING) continue;
      let voiced = 0;
      let utt = -1;
      for (let j = w.startFrame; j < w.startFrame + W; j++) {
        voiced += this._voiced[j % RING];
        if (this._utt[j % RING] >= 0) utt = this._utt[j % RING];
      }
      if (voiced * 2 < W || utt < 0) continue; // PLRS and offset are measured on speech only
      this._scored.set(w.startFrame, { score: w, utterance: utt });
      const u = this._utterance?.id === utt ? this._utterance : this._pending.find((p) => p.id === utt);
      u?.windows.push(w);
    }
    for (const k of this._scored.keys()) if (k < this._next - RING) this._scored.delete(k);
  }

  /** Sets the system fields reported from now on. */
  setSystem(system: ITelemetrySystem): void {
    this._system = system;
  }

  /**
   * The samples due now: utterance summaries whose settle time has passed, then a live sample when
   * the newest frame is inside an utterance. Nothing during silence.
   * @returns samples in time order (often empty)
   */
  takeSamples(): ITelemetrySample[] {
    const out: ITelemetrySample[] = [];
    const last = this._next - 1;
    if (last < 0) return out;
    const nowSec = this._lips.timeOf(last + 1);
    while (
      this._pending.length > 0 &&
      nowSec >= this._lips.timeOf(this._pending[0].end + 1) + this._o.utteranceSettleSec
    ) {
      out.push(this._summary(this._pending.shift()!));
    }
    if (this._segmenter.active) out.push(this._live(last));
    return out;
  }

  /**
   * Closes the open utterance and returns every pending summary now (the stream is stopping).
   * @returns the summaries, in time order
   */
  flush(): ITelemetrySample[] {
    if (this._utterance) this._close(this._utterance);
    const out = this._pending.splice(0).map((u) => this._summary(u));
    this._segmenter.reset();
    return out;
  }

  private _process(j: number): void {
    const slot = j % RING;
    const rms = this._rmsIndex[slot] === j ? this._rms[slot] : 0;
    const event = this._segmenter.push(rms);
    const a = this._lips.frame(j - 1);
    const b = this._lips.frame(j);
    let speed = NaN;
    if (a && b) {
      (this._pair.data as Float32Array).set(a, 0);
      (this._pair.data as Float32Array).set(b, LIPS_VALUES);
      speed = lipIntensity(this._pair, { indices: this._allPoints });
    }
    this._speed[slot] = speed;
    this._voiced[slot] = event === 'speech' && rms > this._threshold ? 1 : 0;
    if (event === 'speech' && !this._utterance) {
      this._utterance = {
        id: this._nextUtteranceId++,
        start: j,
        end: j,
        closed: false,
        rmsSq: 0,
        rmsN: 0,
        speedSq: 0,
        speedN: 0,
        committed: [0, 0, 0, 0],
        windows: [],
      };
    }
    const u = this._utterance;
    this._utt[slot] = event === 'speech' && u ? u.id : -1;
    if (event === 'speech' && u) {
      u.rmsSq += rms * rms;
      u.rmsN++;
      if (Number.isFinite(speed)) {
        u.speedSq += speed * speed;
        u.speedN++;
      }
      if (this._voiced[slot]) {
        u.end = j;
        u.committed = [u.rmsSq, u.rmsN, u.speedSq, u.speedN];
      }
    } else if (event === 'end' && u) {
      this._close(u);
    }
  }

  private _close(u: Utterance): void {
    this._utterance = null;
    u.closed = true;
    if (this._segmenter.utteranceCounts) this._pending.push(u);
    for (let j = u.end + 1; j < this._next; j++) if (this._utt[j % RING] === u.id) this._utt[j % RING] = -1;
  }

  private _live(last: number): ITelemetrySample {
    const frames = Math.max(1, Math.round(this._o.liveWindowSec / this._lips.frameDurationSec));
    const from = Math.max(0, last - frames + 1, last - RING + 1);
    let rmsSq = 0;
    let rmsN = 0;
    let speedSq = 0;
    let speedN = 0;
    let latency = 0;
    let latencyN = 0;
    for (let j = from; j <= last; j++) {
      const s = j % RING;
      if (this._utt[s] >= 0) {
        const rms = this._rmsIndex[s] === j ? this._rms[s] : 0;
        rmsSq += rms * rms;
        rmsN++;
        if (Number.isFinite(this._speed[s])) {
          speedSq += this._speed[s] * this._speed[s];
          speedN++;
        }
      }
      if (Number.isFinite(this._latency[s])) {
        latency += this._latency[s];
        latencyN++;
      }
    }
    // The newest windows scored (scores lag the playout by the speech look-ahead of the widest shift).
    const W = this._o.meshWindowFrames;
    const recent = [...this._scored.values()]
      .filter((w) => w.score.startFrame > last - 2 * frames)
      .sort((x, y) => x.score.startFrame - y.score.startFrame)
      .slice(-Math.max(1, Math.round(frames / W)))
      .map((w) => w.score);
    return this._sample(
      'live',
      this._lips.timeOf(last + 1),
      recent,
      [rmsSq, rmsN, speedSq, speedN],
      latencyN ? latency / latencyN : NaN,
    );
  }

  private _summary(u: Utterance): ITelemetrySample {
    const [rmsSq, rmsN, speedSq, speedN] = u.committed;
    const si = rmsN > 0 ? Math.sqrt(rmsSq / rmsN) : NaN;
    const li = speedN > 0 ? Math.sqrt(speedSq / speedN) : NaN;
    if (si > 0) this._slcc.add(si, li);
    let latency = 0;
    let latencyN = 0;
    for (let j = Math.max(u.start, this._next - RING); j <= u.end; j++) {
      const v = this._latency[j % RING];
      if (Number.isFinite(v)) {
        latency += v;
        latencyN++;
      }
    }
    const windows = u.windows.filter((w) => w.startFrame <= u.end);
    return this._sample(
      'utterance',
      this._lips.timeOf(u.end + 1),
      windows,
      u.committed,
      latencyN ? latency / latencyN : NaN,
    );
  }

  private _sample(
    kind: 'live' | 'utterance',
    timeSec: number,
    windows: readonly IWindowScore[],
    sums: readonly [number, number, number, number] | number[],
    latencySec: number,
  ): ITelemetrySample {
    return buildTelemetrySample({
      kind,
      timeSec,
      windows,
      sums,
      latencySec,
      shiftsMs: this._shiftsMs,
      minOffsetWindows: this._o.minOffsetWindows,
      warnOffsetMs: this._o.warnOffsetMs,
      frameDurationSec: this._lips.frameDurationSec,
      slcc: this._slcc.value(),
      system: this._system,
    });
  }
}
