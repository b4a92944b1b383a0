/**
 * Telemetry scoring cadence: how accurate and how fast the A/V offset estimate is, and what the metric
 * encoders cost, for each step between the shifts scored (`TelemetryScorer`'s `shiftStepMs`). Issue #13.
 *
 * What it runs: the trained encoders of models/manifest.json (onnxruntime-web wasm, one thread, as the
 * worker with `numThreads: 1`), on recorded human speech (the LibriVox sentences of pocketsphinx-testdata,
 * /usr/share/pocketsphinx/test/data/librivox) and the espeak-ng clip of the acceptance test
 * (test/fixtures/generated/offset-speech.wav). The lips are the generator's own (offline, the bake path),
 * shown 0 or 100 ms late. Scoring replays the live monitor: every 250 ms the last ≤ 2.5 s of lips of the
 * current utterance are scored against a 4 s mel history (embeddings cached by position, as in the worker),
 * only while speech is present (`SpeechSegmenter`: RMS > −40 dBFS, 300 ms hangover). An utterance's offset
 * is `estimateAvOffset` of its windows' mean curve (≥ 3 windows); a clip's is the median of its utterances'
 * (what test/browser/telemetry/offsetAccuracy.test.ts checks). PLRS matched = lips on their own speech,
 * mismatched = another clip's lips on this speech.
 *
 * Encoder cost is the summed run time of the speech and mesh encoder runs (one wasm thread, so wall time
 * of the runs ≈ CPU time), per second of speech scored and per second of audio.
 *
 * THE RULE (written before the numbers were looked at): the default step is the cheapest (fewest speech
 * windows encoded per second of speech) for which, on every clip, the clip offset is within ±35 ms of the
 * lips delay for both 0 and 100 ms (the acceptance bound), the median over clips and delays of
 * |clip offset − delay| is ≤ 20 ms (the issue's `telemetry-offset-error-ms` budget), the median per-utterance
 * |error| is at most 5 ms worse than at the 10 ms step, and the PLRS separation (matched − mismatched) is at
 * least 90 % of the 10 ms step's.
 *
 * Run: `nice -n 10 node --import tsx bench/telemetryCadence.ts [--steps 10,20,40,80] [--out bench/results/telemetry-cadence.json]`.
 * A measurement, not a test: it prints a table and writes the JSON.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readWav } from '../src/cli/readWav.ts';
import { FEATURES_V1 } from '../src/features/featureSpec.ts';
import { logMelSpectrogram } from '../src/features/logMelSpectrogram.ts';
import { resampleTo16k } from '../src/features/resampleTo16k.ts';
import { LIPS_V1_VALUES } from '../src/metrics/lipsV1Layout.ts';
import { createOfflineGeneratorRunner } from '../src/models/generatorRunners.ts';
import { generateLipsTrackAsync } from '../src/models/generateLipsTrack.ts';
import { validateModelManifest } from '../src/models/modelManifest.ts';
import { configureOnnxRuntime, createModelSessionAsync, type IModelSession } from '../src/models/onnxBackend.ts';
import { LIPS_V1 } from '../src/rig/lipsV1.ts';
import { aggregateWindowScores } from '../src/telemetry/aggregateWindowScores.ts';
import { estimateAvOffset } from '../src/telemetry/estimateAvOffset.ts';
import { SpeechSegmenter } from '../src/telemetry/speechSegmenter.ts';
import { TelemetryScorer, type ITelemetryWindowScore } from '../src/telemetry/telemetryScorer.ts';
import { runEncoderAsync } from '../src/worker/encoderRunner.ts';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'models/manifest.json' },
    steps: { type: 'string', default: '10,20,40,80' },
    human: { type: 'string', default: '/usr/share/pocketsphinx/test/data/librivox' },
    espeak: { type: 'string', default: 'test/fixtures/generated/offset-speech.wav' },
    out: { type: 'string', default: 'bench/results/telemetry-cadence.json' },
  },
});

const SR = FEATURES_V1.sampleRateHz;
const HOP = FEATURES_V1.hopLengthSamples;
const MEL_HOP_MS = (HOP * 1000) / SR;
const M = FEATURES_V1.melBands;
const TICK_MS = 250; // TELEMETRY_INTERVAL_MS
const REQUEST_FRAMES = 125; // the aggregator's scoreRequest: the last 2.5 s
const DELAYS_MS = [0, 100];

interface IClip {
  readonly name: string;
  readonly human: boolean;
  readonly mel: Float32Array;
  readonly melFrames: number;
  /** Lips-v1 displacements from neutral, `frames × 63`, frame j at audio time j / fps. */
  readonly lips: Float32Array;
  readonly frames: number;
  /** Utterances as [first, last] lips frames (inclusive). */
  readonly utterances: readonly (readonly [number, number])[];
  readonly durationSec: number;
}

const median = (v: readonly number[]): number => {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};

async function main(): Promise<void> {
  configureOnnxRuntime({ numThreads: 1 });
  const manifestPath = args.models!;
  const dir = join(manifestPath, '..');
  const manifest = validateModelManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
  const enc = manifest.metricEncoders;
  if (!enc) throw new Error(`${manifestPath} has no metricEncoders`);
  const g = manifest.generator;
  const k = g.melFramesPerOutputFrame;
  const fps = g.frameRateHz;
  const gen = await createModelSessionAsync(readFileSync(join(dir, g.file)), ['wasm'], 'generator');
  const speechSession = await createModelSessionAsync(readFileSync(join(dir, enc.speechFile)), ['wasm'], 'speech');
  const meshSession = await createModelSessionAsync(readFileSync(join(dir, enc.meshFile)), ['wasm'], 'mesh');

  const files: { path: string; human: boolean }[] = [];
  if (existsSync(args.human!))
    for (const f of readdirSync(args.human!).filter((f) => f.endsWith('.wav')).sort())
      files.push({ path: join(args.human!, f), human: true });
  if (existsSync(args.espeak!)) files.push({ path: args.espeak!, human: false });
  if (files.length === 0) throw new Error('no speech clips found');

  const clips: IClip[] = [];
  for (const f of files) {
    const wav = readWav(readFileSync(f.path), f.path);
    const x = wav.sampleRateHz === SR ? wav.samples : resampleTo16k(wav.samples, wav.sampleRateHz);
    const track = await generateLipsTrackAsync(x, g, createOfflineGeneratorRunner(g, { session: gen }));
    const lips = new Float32Array(track.points.length);
    for (let i = 0; i < lips.length; i++) lips[i] = track.points[i] - LIPS_V1.neutral[i % LIPS_V1_VALUES];
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
    clips.push({
      name: f.path.split('/').pop()!,
      human: f.human,
      mel: mel.data,
      melFrames: mel.frames,
      lips,
      frames: track.frames,
      utterances: utterances.filter(([a, b]) => b - a + 1 >= 5),
      durationSec: x.length / SR,
    });
  }

  let encoderMs = 0;
  let speechWindows = 0;
  let meshWindows = 0;
  const runners = {
    speech: (batch: Float32Array, n: number) => {
      speechWindows += n;
      return runEncoderAsync(
        { session: speechSession, inputName: enc.speechInputName, outputName: enc.speechOutputName, label: 'speechEncoder' },
        batch,
        [n, enc.speechWindowFrames, M],
        (ms) => (encoderMs += ms),
      );
    },
    mesh: (batch: Float32Array, n: number) => {
      meshWindows += n;
      return runEncoderAsync(
        { session: meshSession, inputName: enc.meshInputName, outputName: enc.meshOutputName, label: 'meshEncoder' },
        batch,
        [n, enc.meshWindowFrames, LIPS_V1_VALUES],
        (ms) => (encoderMs += ms),
      );
    },
  };

  /**
   * Replays the live monitor over `clip`'s speech with `lips` shown: returns the windows scored per
   * utterance, in the order they were scored.
   */
  async function replay(
    clip: IClip,
    lips: Float32Array,
    lipsFrames: number,
    stepMs: number,
  ): Promise<{ perUtterance: ITelemetryWindowScore[][]; zero: number; shiftsMs: readonly number[] }> {
    const scorer = new TelemetryScorer({
      melBands: M,
      melFramesPerLipsFrame: k,
      speechWindowFrames: enc!.speechWindowFrames,
      meshWindowFrames: enc!.meshWindowFrames,
      melHopMs: MEL_HOP_MS,
      shiftStepMs: stepMs,
    });
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
        if (a > last || b + 15 < last - REQUEST_FRAMES) continue; // not heard yet, or long over
        const W = enc!.meshWindowFrames;
        const first = Math.max(Math.floor(a / W) * W, last + 1 - REQUEST_FRAMES);
        const to = Math.min(last, b + 15); // the hangover
        if (to - first + 1 < W) continue;
        const frames = to - first + 1;
        const scored = await scorer.scoreAsync(
          first,
          frames,
          lips.subarray(first * LIPS_V1_VALUES, (first + frames) * LIPS_V1_VALUES),
          runners,
          96,
        );
        for (const w of scored) {
          // A window belongs to the utterance when it starts at or before its last speech frame.
          if (seen.has(w.startFrame) || w.startFrame > b) continue;
          seen.add(w.startFrame);
          perUtterance[u].push(w);
        }
      }
    }
    return { perUtterance, zero: scorer.zeroShiftIndex, shiftsMs: scorer.shiftsMs };
  }

  const delayed = (lips: Float32Array, frames: number, delayFrames: number): Float32Array => {
    const out = new Float32Array(frames * LIPS_V1_VALUES);
    for (let j = 0; j < frames; j++) {
      const src = Math.max(0, j - delayFrames);
      out.set(lips.subarray(src * LIPS_V1_VALUES, (src + 1) * LIPS_V1_VALUES), j * LIPS_V1_VALUES);
    }
    return out;
  };

  const steps = args.steps!.split(',').map(Number);
  const rows: Record<string, unknown>[] = [];
  const speechSec = clips.reduce((s, c) => s + c.utterances.reduce((t, [a, b]) => t + (b - a + 1) / fps, 0), 0);
  const audioSec = clips.reduce((s, c) => s + c.durationSec, 0);
  for (const stepMs of steps) {
    encoderMs = 0;
    speechWindows = 0;
    meshWindows = 0;
    const clipErrors: { clip: string; human: boolean; delayMs: number; offsetMs: number | null }[] = [];
    const uttErrors: number[] = [];
    const converge: Record<number, number[]> = { 3: [], 5: [], 10: [] };
    let matched = 0;
    let mismatched = 0;
    let nMatched = 0;
    let nMismatched = 0;
    let costMs = 0;
    let costSpeechWindows = 0;
    for (let c = 0; c < clips.length; c++) {
      const clip = clips[c];
      for (const delayMs of DELAYS_MS) {
        const before = encoderMs;
        const sw = speechWindows;
        const lips = delayed(clip.lips, clip.frames, Math.round((delayMs / 1000) * fps));
        const { perUtterance, zero, shiftsMs } = await replay(clip, lips, clip.frames, stepMs);
        if (delayMs === 0) {
          // Cost of one pass over the clip (the 100 ms pass encodes the same windows again).
          costMs += encoderMs - before;
          costSpeechWindows += speechWindows - sw;
        }
        const offsets: number[] = [];
        for (const ws of perUtterance) {
          const agg = aggregateWindowScores(ws, zero);
          if (delayMs === 0 && agg.plrs !== null) {
            matched += agg.plrs * agg.windows;
            nMatched += agg.windows;
          }
          if (agg.curve && agg.windows >= 3) {
            const est = estimateAvOffset(agg.curve, shiftsMs);
            if (est) {
              offsets.push(est.offsetMs);
              uttErrors.push(Math.abs(est.offsetMs - delayMs));
            }
          }
          for (const n of [3, 5, 10]) {
            if (ws.length < n) continue;
            const a = aggregateWindowScores(ws.slice(0, n), zero);
            const est = a.curve ? estimateAvOffset(a.curve, shiftsMs) : null;
            if (est) converge[n].push(Math.abs(est.offsetMs - delayMs));
          }
        }
        clipErrors.push({
          clip: clip.name,
          human: clip.human,
          delayMs,
          offsetMs: offsets.length ? median(offsets) : null,
        });
      }
      // Mismatched: the next clip's lips on this clip's speech.
      const other = clips[(c + 1) % clips.length];
      const n = Math.min(clip.frames, other.frames);
      const { perUtterance, zero } = await replay(clip, other.lips, n, stepMs);
      for (const ws of perUtterance) {
        const agg = aggregateWindowScores(ws, zero);
        if (agg.plrs !== null) {
          mismatched += agg.plrs * agg.windows;
          nMismatched += agg.windows;
        }
      }
    }
    const errs = clipErrors.map((e) => (e.offsetMs === null ? Infinity : Math.abs(e.offsetMs - e.delayMs)));
    const row = {
      stepMs,
      speechWindowsPerSpeechSec: costSpeechWindows / speechSec,
      encoderMsPerSpeechSec: costMs / speechSec,
      encoderCoresOnSpeech: costMs / 1000 / speechSec,
      encoderCoresPerAudioSec: costMs / 1000 / audioSec,
      clipErrorMedianMs: median(errs),
      clipErrorMaxMs: Math.max(...errs),
      clipsWithin35: errs.filter((e) => e <= 35).length,
      clipCount: errs.length,
      uttErrorMedianMs: median(uttErrors),
      utterances: uttErrors.length,
      convergeMedianErrMs: Object.fromEntries(Object.entries(converge).map(([n, v]) => [n, median(v)])),
      plrsMatched: matched / nMatched,
      plrsMismatched: mismatched / nMismatched,
      plrsSeparation: matched / nMatched - mismatched / nMismatched,
      clips: clipErrors,
    };
    rows.push(row);
    console.error(`step ${stepMs} ms done`);
  }

  const base = rows.find((r) => r.stepMs === 10);
  const passes = (r: (typeof rows)[number]): boolean =>
    (r.clipsWithin35 as number) === (r.clipCount as number) &&
    (r.clipErrorMedianMs as number) <= 20 &&
    (!base || (r.uttErrorMedianMs as number) <= (base.uttErrorMedianMs as number) + 5) &&
    (!base || (r.plrsSeparation as number) >= 0.9 * (base.plrsSeparation as number));
  const chosen = [...rows]
    .filter(passes)
    .sort((a, b) => (a.speechWindowsPerSpeechSec as number) - (b.speechWindowsPerSpeechSec as number))[0];

  console.log(
    `${clips.length} clips (${clips.filter((c) => c.human).length} human), ${audioSec.toFixed(1)} s audio, ` +
      `${speechSec.toFixed(1)} s in utterances; delays ${DELAYS_MS.join(', ')} ms; wasm 1 thread`,
  );
  console.log(
    '| step ms | speech win / s speech | encoder ms / s speech | cores on speech | clip err median / max ms | clips ±35 | utt err median ms | err after 3 / 5 / 10 windows ms | PLRS matched / mismatched | rule |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const cv = r.convergeMedianErrMs as Record<string, number>;
    console.log(
      `| ${r.stepMs} | ${(r.speechWindowsPerSpeechSec as number).toFixed(1)} | ${(r.encoderMsPerSpeechSec as number).toFixed(0)} | ` +
        `${(r.encoderCoresOnSpeech as number).toFixed(3)} | ${(r.clipErrorMedianMs as number).toFixed(1)} / ${(r.clipErrorMaxMs as number).toFixed(1)} | ` +
        `${r.clipsWithin35}/${r.clipCount} | ${(r.uttErrorMedianMs as number).toFixed(1)} (${r.utterances}) | ` +
        `${cv[3].toFixed(1)} / ${cv[5].toFixed(1)} / ${cv[10].toFixed(1)} | ` +
        `${(r.plrsMatched as number).toFixed(3)} / ${(r.plrsMismatched as number).toFixed(3)} | ${passes(r) ? (r === chosen ? 'CHOSEN' : 'pass') : 'fail'} |`,
    );
  }
  for (const r of rows)
    console.log(
      `step ${r.stepMs}: ` +
        (r.clips as { clip: string; delayMs: number; offsetMs: number | null }[])
          .map((c) => `${c.clip.replace(/sense_and_sensibility_01_austen_64kb-/, 'ss')}@${c.delayMs}=${c.offsetMs?.toFixed(0)}`)
          .join(' '),
    );
  writeFileSync(
    args.out!,
    JSON.stringify(
      { date: new Date().toISOString(), audioSec, speechSec, clips: clips.map((c) => c.name), rows, chosenStepMs: chosen?.stepMs ?? null },
      null,
      1,
    ) + '\n',
  );
  console.log(`chosen by the rule: ${chosen ? `${chosen.stepMs} ms` : 'none'}; wrote ${args.out}`);
  for (const s of [gen, speechSession, meshSession] as IModelSession[]) await s.releaseAsync();
}

await main();
