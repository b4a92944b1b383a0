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
 * AMENDED after the first run (steps 10/20/40/80/100, delays 0/100): that run chose 100 ms, whose grid holds
 * both test delays exactly, so it could not see what happens between grid points. The delays are now
 * 0/50/100/150 ms (off the 40, 80 and 100 ms grids) and 50 ms is a candidate; the rule is otherwise the same.
 * With them 100 ms fails (a 150 ms delay reads as 200 ms, the edge of its ±200 ms range) and 80 ms fails the
 * "≤ 5 ms worse" clause; 50 ms is chosen. Both runs are in bench/results/telemetry-cadence.md.
 *
 * Run: `nice -n 10 node --import tsx bench/telemetryCadence.ts [--steps 10,20,40,80] [--delays 0,100] [--out bench/results/telemetry-cadence.json]`
 * (`--delays 0,50,100,150`: delays off the coarse steps' grid, a check that the rule's 0/100 ms does not make).
 * A measurement, not a test: it prints a table and writes the JSON.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aggregateWindowScores } from '../src/telemetry/aggregateWindowScores.ts';
import { estimateAvOffset } from '../src/telemetry/estimateAvOffset.ts';
import { DEFAULT_SHIFT_STEP_MS } from '../src/telemetry/telemetryScorer.ts';
import {
  delayedLips,
  loadTelemetryReplayModelsAsync,
  median,
  prepareTelemetryClipAsync,
  replayTelemetryAsync,
  utteranceOffsets,
  type ITelemetryClip,
} from './lib/telemetryReplay.ts';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'models/manifest.json' },
    steps: { type: 'string', default: '10,20,40,50,80,100' },
    human: { type: 'string', default: '/usr/share/pocketsphinx/test/data/librivox' },
    espeak: { type: 'string', default: 'test/fixtures/generated/offset-speech.wav' },
    delays: { type: 'string', default: '0,50,100,150' },
    out: { type: 'string', default: 'bench/results/telemetry-cadence.json' },
  },
});

const DELAYS_MS = args.delays!.split(',').map(Number);

async function main(): Promise<void> {
  const models = await loadTelemetryReplayModelsAsync(args.models!);
  const fps = models.manifest.generator.frameRateHz;
  const files: { path: string; human: boolean }[] = [];
  if (existsSync(args.human!))
    for (const f of readdirSync(args.human!)
      .filter((f) => f.endsWith('.wav'))
      .sort())
      files.push({ path: join(args.human!, f), human: true });
  if (existsSync(args.espeak!)) files.push({ path: args.espeak!, human: false });
  if (files.length === 0) throw new Error('no speech clips found');
  const clips: (ITelemetryClip & { human: boolean })[] = [];
  for (const f of files) clips.push({ ...(await prepareTelemetryClipAsync(f.path, models)), human: f.human });
  const c0 = models.counters;

  // `--steps default`: only the scorer's default (bench/run's telemetry-offset-error-ms budget).
  const steps = args.steps === 'default' ? [DEFAULT_SHIFT_STEP_MS] : args.steps!.split(',').map(Number);
  const rows: Record<string, unknown>[] = [];
  const speechSec = clips.reduce(
    (s, c) => s + c.utterances.reduce((t, [a, b]) => t + (b - a + 1) / fps, 0),
    0,
  );
  const audioSec = clips.reduce((s, c) => s + c.durationSec, 0);
  for (const stepMs of steps) {
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
        const before = c0.encoderMs;
        const sw = c0.speechWindows;
        const lips = delayedLips(clip.lips, clip.frames, Math.round((delayMs / 1000) * fps));
        const replay = await replayTelemetryAsync(clip, lips, clip.frames, models, stepMs);
        if (delayMs === DELAYS_MS[0]) {
          // Cost of one pass over the clip (each delay encodes the same speech windows again).
          costMs += c0.encoderMs - before;
          costSpeechWindows += c0.speechWindows - sw;
        }
        if (delayMs === 0) {
          for (const ws of replay.perUtterance) {
            const agg = aggregateWindowScores(ws, replay.zeroShiftIndex);
            if (agg.plrs !== null) {
              matched += agg.plrs * agg.windows;
              nMatched += agg.windows;
            }
          }
        }
        const offsets = utteranceOffsets(replay).filter((x): x is number => x !== null);
        for (const o of offsets) uttErrors.push(Math.abs(o - delayMs));
        for (const n of [3, 5, 10]) {
          for (const ws of replay.perUtterance) {
            if (ws.length < n) continue;
            const a = aggregateWindowScores(ws.slice(0, n), replay.zeroShiftIndex);
            const est = a.curve ? estimateAvOffset(a.curve, replay.shiftsMs) : null;
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
      const replay = await replayTelemetryAsync(
        clip,
        other.lips,
        Math.min(clip.frames, other.frames),
        models,
        stepMs,
      );
      for (const ws of replay.perUtterance) {
        const agg = aggregateWindowScores(ws, replay.zeroShiftIndex);
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
          .map(
            (c) =>
              `${c.clip.replace(/sense_and_sensibility_01_austen_64kb-/, 'ss')}@${c.delayMs}=${c.offsetMs?.toFixed(0)}`,
          )
          .join(' '),
    );
  writeFileSync(
    args.out!,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        audioSec,
        speechSec,
        clips: clips.map((c) => c.name),
        rows,
        chosenStepMs: chosen?.stepMs ?? null,
      },
      null,
      1,
    ) + '\n',
  );
  console.log(`chosen by the rule: ${chosen ? `${chosen.stepMs} ms` : 'none'}; wrote ${args.out}`);
  await models.releaseAsync();
}

await main();
