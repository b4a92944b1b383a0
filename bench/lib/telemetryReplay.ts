/**
 * Replays live telemetry offline (bench/telemetryCadence.ts and the node test of the default cadence):
 * the trained encoders of a models manifest on onnxruntime-web wasm (one thread), the generator's own lips
 * (offline, the bake path) shown late by a known delay, and the live monitor's scoring rhythm: every 250 ms
 * the last ≤ 2.5 s of lips of the current utterance scored against a 4 s mel history (embeddings cached by
 * position, as in the worker), only while speech is present (`SpeechSegmenter`). An utterance's offset is
 * `estimateAvOffset` of its windows' mean curve (≥ 3 windows); a clip's is the median of its utterances'
 * (what test/browser/telemetry/offsetAccuracy.test.ts checks).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav } from '../../src/cli/readWav.ts';
import { FEATURES_V1 } from '../../src/features/featureSpec.ts';
import { logMelSpectrogram } from '../../src/features/logMelSpectrogram.ts';
import { resampleTo16k } from '../../src/features/resampleTo16k.ts';
import { LIPS_V1_VALUES } from '../../src/metrics/lipsV1Layout.ts';
import { createOfflineGeneratorRunner } from '../../src/models/generatorRunners.ts';
import { generateLipsTrackAsync } from '../../src/models/generateLipsTrack.ts';
import { validateModelManifest, type IModelManifest } from '../../src/models/modelManifest.ts';
import {
  configureOnnxRuntime,
  createModelSessionAsync,
  type IModelSession,
} from '../../src/models/onnxBackend.ts';
import { aggregateWindowScores } from '../../src/telemetry/aggregateWindowScores.ts';
import { estimateAvOffset } from '../../src/telemetry/estimateAvOffset.ts';
import { SpeechSegmenter } from '../../src/telemetry/speechSegmenter.ts';
import {
  TelemetryScorer,
  type ITelemetryEncoderRunners,
  type ITelemetryWindowScore,
} from '../../src/telemetry/telemetryScorer.ts';
import { runEncoderAsync } from '../../src/worker/encoderRunner.ts';

const SR = FEATURES_V1.sampleRateHz;
const HOP = FEATURES_V1.hopLengthSamples;
const MEL_HOP_MS = (HOP * 1000) / SR;
const M = FEATURES_V1.melBands;
const TICK_MS = 250; // TELEMETRY_INTERVAL_MS
const REQUEST_FRAMES = 125; // the aggregator's scoreRequest: the last 2.5 s
const HANGOVER_FRAMES = 15;

/** Loaded models and counters of the encoder work done. */
export interface ITelemetryReplayModels {
  readonly manifest: IModelManifest;
  readonly generator: IModelSession;
  readonly runners: ITelemetryEncoderRunners;
  /** Encoder run time (speech + mesh), ms, and windows encoded, since load. */
  readonly counters: { encoderMs: number; speechWindows: number; meshWindows: number };
  releaseAsync(): Promise<void>;
}

/** One clip ready to replay. */
export interface ITelemetryClip {
  readonly name: string;
  readonly mel: Float32Array;
  readonly melFrames: number;
  /** Lips-v1 displacements from neutral, `frames × 63`, frame j at audio time j / fps. */
  readonly lips: Float32Array;
  readonly frames: number;
  /** Utterances as [first, last speech] lips frames (inclusive). */
  readonly utterances: readonly (readonly [number, number])[];
  readonly durationSec: number;
}

/**
 * @param manifestPath defines the models manifest (with `metricEncoders`)
 * @returns the generator and encoder sessions (wasm, one thread)
 * @throws Error when the manifest has no metric encoders
 */
export async function loadTelemetryReplayModelsAsync(manifestPath: string): Promise<ITelemetryReplayModels> {
  configureOnnxRuntime({ numThreads: 1 });
  const dir = join(manifestPath, '..');
  const manifest = validateModelManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
  const enc = manifest.metricEncoders;
  if (!enc) throw new Error(`${manifestPath} has no metricEncoders`);
  const file = (f: string) => readFileSync(join(dir, f));
  const generator = await createModelSessionAsync(file(manifest.generator.file), ['wasm'], 'generator');
  const speech = await createModelSessionAsync(file(enc.speechFile), ['wasm'], 'speechEncoder');
  const mesh = await createModelSessionAsync(file(enc.meshFile), ['wasm'], 'meshEncoder');
  const counters = { encoderMs: 0, speechWindows: 0, meshWindows: 0 };
  const onRun = (ms: number) => (counters.encoderMs += ms);
  const runners: ITelemetryEncoderRunners = {
    speech: (batch, n) => {
      counters.speechWindows += n;
      const names = { inputName: enc.speechInputName, outputName: enc.speechOutputName };
      return runEncoderAsync(
        { session: speech, ...names, label: 'speechEncoder' },
        batch,
        [n, enc.speechWindowFrames, M],
        onRun,
      );
    },
    mesh: (batch, n) => {
      counters.meshWindows += n;
      const names = { inputName: enc.meshInputName, outputName: enc.meshOutputName };
      return runEncoderAsync(
        { session: mesh, ...names, label: 'meshEncoder' },
        batch,
        [n, enc.meshWindowFrames, LIPS_V1_VALUES],
        onRun,
      );
    },
  };
  return {
    manifest,
    generator,
    runners,
    counters,
    async releaseAsync() {
      for (const s of [generator, speech, mesh]) await s.releaseAsync();
    },
  };
}

/**
 * Reads a wav, makes its log-mel, the generator's lips and the utterances.
 * @param path defines the wav file
 * @param models defines the loaded models
 * @returns the clip
 */
export async function prepareTelemetryClipAsync(
  path: string,
  models: ITelemetryReplayModels,
): Promise<ITelemetryClip> {
  const g = models.manifest.generator;
  const wav = readWav(readFileSync(path), path);
  const x = wav.sampleRateHz === SR ? wav.samples : resampleTo16k(wav.samples, wav.sampleRateHz);
  const track = await generateLipsTrackAsync(
    x,
    g,
    createOfflineGeneratorRunner(g, { session: models.generator }),
  );
  const lips = track.displacements;
  const mel = logMelSpectrogram(x, FEATURES_V1);
  const seg = new SpeechSegmenter();
  const utterances: [number, number][] = [];
  let start = -1;
  let lastSpeech = -1;
  for (let j = 0; j < track.frames; j++) {
    const ev = seg.push(track.speechRms[j]);
    if (ev === 'speech') {
      if (start < 0) start = j;
      if (track.speechRms[j] > 0.01) lastSpeech = j;
    } else if (start >= 0) {
      utterances.push([start, lastSpeech]);
      start = -1;
    }
  }
  if (start >= 0) utterances.push([start, Math.max(start, lastSpeech)]);
  return {
    name: path.split('/').pop()!,
    mel: mel.data,
    melFrames: mel.frames,
    lips,
    frames: track.frames,
    utterances: utterances.filter(([a, b]) => b - a + 1 >= 5),
    durationSec: x.length / SR,
  };
}

/**
 * The lips shown `delayFrames` late (frame j shows frame j − delay; the first frame before that).
 * @param lips defines `frames × 63` lips
 * @param frames defines the frame count
 * @param delayFrames defines the delay, frames
 * @returns the delayed lips
 */
export function delayedLips(lips: Float32Array, frames: number, delayFrames: number): Float32Array {
  const out = new Float32Array(frames * LIPS_V1_VALUES);
  for (let j = 0; j < frames; j++) {
    const src = Math.max(0, j - delayFrames);
    out.set(lips.subarray(src * LIPS_V1_VALUES, (src + 1) * LIPS_V1_VALUES), j * LIPS_V1_VALUES);
  }
  return out;
}

/** What one replay scored. */
export interface ITelemetryReplay {
  /** Windows scored per utterance, in the order they were scored. */
  readonly perUtterance: ITelemetryWindowScore[][];
  readonly zeroShiftIndex: number;
  readonly shiftsMs: readonly number[];
}

/**
 * Replays the live monitor over `clip`'s speech with `lips` shown.
 * @param clip defines the speech
 * @param lips defines the lips shown, `lipsFrames × 63`
 * @param lipsFrames defines their frame count
 * @param models defines the encoders
 * @param shiftStepMs defines the scorer's shift step, ms (undefined: the scorer's default)
 * @returns the windows per utterance
 */
export async function replayTelemetryAsync(
  clip: ITelemetryClip,
  lips: Float32Array,
  lipsFrames: number,
  models: ITelemetryReplayModels,
  shiftStepMs?: number,
): Promise<ITelemetryReplay> {
  const enc = models.manifest.metricEncoders!;
  const k = models.manifest.generator.melFramesPerOutputFrame;
  const fps = models.manifest.generator.frameRateHz;
  const scorer = new TelemetryScorer({
    melBands: M,
    melFramesPerLipsFrame: k,
    speechWindowFrames: enc.speechWindowFrames,
    meshWindowFrames: enc.meshWindowFrames,
    melHopMs: MEL_HOP_MS,
    ...(shiftStepMs === undefined ? {} : { shiftStepMs }),
  });
  const W = enc.meshWindowFrames;
  const perUtterance: ITelemetryWindowScore[][] = clip.utterances.map(() => []);
  const seen = new Set<number>();
  let melFed = 0;
  const tickFrames = Math.round((TICK_MS / 1000) * fps);
  // Ticks until the last utterance's windows at the largest shift have their speech.
  const endFrame = Math.min(lipsFrames, clip.frames) + Math.ceil(0.5 * fps);
  for (let t = tickFrames; t < endFrame + tickFrames; t += tickFrames) {
    const melTo = Math.min(clip.melFrames, t * k);
    if (melTo > melFed) {
      scorer.appendMel(melFed, clip.mel.subarray(melFed * M, melTo * M), melTo - melFed);
      melFed = melTo;
    }
    const last = Math.min(t, lipsFrames, clip.frames) - 1;
    for (let u = 0; u < clip.utterances.length; u++) {
      const [a, b] = clip.utterances[u];
      if (a > last || b + HANGOVER_FRAMES < last - REQUEST_FRAMES) continue; // not heard yet, or long over
      const first = Math.max(Math.floor(a / W) * W, last + 1 - REQUEST_FRAMES);
      const to = Math.min(last, b + HANGOVER_FRAMES);
      if (to - first + 1 < W) continue;
      const frames = to - first + 1;
      const view = lips.subarray(first * LIPS_V1_VALUES, (first + frames) * LIPS_V1_VALUES);
      for (const w of await scorer.scoreAsync(first, frames, view, models.runners, 96)) {
        // A window belongs to the utterance when it starts at or before its last speech frame.
        if (seen.has(w.startFrame) || w.startFrame > b) continue;
        seen.add(w.startFrame);
        perUtterance[u].push(w);
      }
    }
  }
  return { perUtterance, zeroShiftIndex: scorer.zeroShiftIndex, shiftsMs: scorer.shiftsMs };
}

/**
 * Each utterance's offset (≥ 3 windows, optionally only its first `firstWindows`), ms; null where none.
 * @param replay defines the replay
 * @param firstWindows defines how many of each utterance's first windows to pool (all by default)
 * @returns one entry per utterance
 */
export function utteranceOffsets(replay: ITelemetryReplay, firstWindows = Infinity): (number | null)[] {
  return replay.perUtterance.map((ws) => {
    if (ws.length < Math.min(3, firstWindows) || ws.length < 3) return null;
    const agg = aggregateWindowScores(ws.slice(0, firstWindows), replay.zeroShiftIndex);
    return agg.curve && agg.windows >= 3
      ? (estimateAvOffset(agg.curve, replay.shiftsMs)?.offsetMs ?? null)
      : null;
  });
}

/**
 * The clip's offset as the acceptance test takes it: the median of its utterances' offsets.
 * @param replay defines the replay
 * @returns the offset, ms, or null when no utterance measured one
 */
export function clipOffsetMs(replay: ITelemetryReplay): number | null {
  const v = utteranceOffsets(replay).filter((x): x is number => x !== null);
  return v.length === 0 ? null : median(v);
}

/** Median (NaN when empty). */
export function median(v: readonly number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}
