/**
 * Quality on real speech against reference (teacher) trajectories: lip-aperture Pearson r and MTM
 * (src/metrics) for our generator (offline, the `bake` code path), the loudness-envelope baseline
 * (offline, the same function as its worklet) and, when the browser bench recorded it, HeadAudio
 * (live in Chromium, sampled at 50 fps on the heard-audio clock).
 *
 * Input: bench/tmp/audio/real (bench/exportRealSplit.py). Run:
 * `node --import tsx bench/qualityBench.ts [--models models/manifest.json]`; writes bench/results/quality.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resampleTo16k } from '../src/features/resampleTo16k.ts';
import { pearson } from '../src/math/pearson.ts';
import { lipDistance } from '../src/metrics/lipDistance.ts';
import { meanTemporalMisalignment, overallMtm } from '../src/metrics/meanTemporalMisalignment.ts';
import { createOfflineGeneratorRunner } from '../src/models/generatorRunners.ts';
import { generateLipsTrackAsync } from '../src/models/generateLipsTrack.ts';
import { validateModelManifest } from '../src/models/modelManifest.ts';
import { configureOnnxRuntime, createModelSessionAsync } from '../src/models/onnxBackend.ts';
import { readWav } from '../src/cli/readWav.ts';
import { LIPS_V1 } from '../src/rig/lipsV1.ts';
import { rmsEnvelopeTrack } from './baselines/rmsEnvelope.ts';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'models/manifest.json' },
    real: { type: 'string', default: 'bench/tmp/audio/real' },
    browser: { type: 'string', default: 'bench/tmp/headaudio-real.json' },
    out: { type: 'string', default: 'bench/results/quality.json' },
  },
});

interface Ref {
  id: string;
  wav: string;
  fps: number;
  frames: number;
  lips: number[];
}

/** Lip aperture (inner-lip mid points) per frame of absolute lips-v1 points. */
function aperture(points: Float32Array | Float64Array, frames: number): Float64Array {
  return lipDistance({ data: points, frames, points: 21 }, 'lips-v1');
}

function absolute(displacements: ArrayLike<number>, frames: number): Float32Array {
  const out = new Float32Array(frames * 63);
  for (let f = 0; f < frames; f++)
    for (let j = 0; j < 63; j++) out[f * 63 + j] = LIPS_V1.neutral[j] + displacements[f * 63 + j];
  return out;
}

/** Pearson r at lags (frames, prediction shifted earlier by `lag`): r at 0 and the best over ±10 frames. */
function correlations(ref: ArrayLike<number>, pred: ArrayLike<number>) {
  const at = (lag: number) => {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < ref.length; i++) {
      const j = i + lag;
      if (j >= 0 && j < pred.length) {
        a.push(ref[i]);
        b.push(pred[j]);
      }
    }
    return pearson(a, b);
  };
  let best = { lagFrames: 0, r: at(0) ?? -2 };
  for (let lag = -10; lag <= 10; lag++) {
    const r = at(lag);
    if (r !== null && r > best.r) best = { lagFrames: lag, r };
  }
  return { r0: at(0), best };
}

function mean(v: (number | null)[]): number | null {
  const x = v.filter((a): a is number => a !== null && Number.isFinite(a));
  return x.length ? Math.round((x.reduce((a, b) => a + b, 0) / x.length) * 1000) / 1000 : null;
}

async function main(): Promise<void> {
  const refsPath = join(args.real!, 'refs.json');
  const refs = JSON.parse(readFileSync(refsPath, 'utf8')) as {
    source: string;
    seconds: number;
    utterances: Ref[];
  };
  const manifestPath = resolve(args.models!);
  const manifest = validateModelManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
  configureOnnxRuntime({ numThreads: 1 });
  const session = await createModelSessionAsync(
    readFileSync(resolve(dirname(manifestPath), manifest.generator.file)),
    ['wasm'],
    'generator',
  );
  const browser = existsSync(args.browser!)
    ? (JSON.parse(readFileSync(args.browser!, 'utf8')) as Record<string, Record<string, number[]>>)
    : null;
  const systems = ['ours', 'rms', ...(browser ? Object.keys(browser) : [])];
  const per: Record<
    string,
    { r0: (number | null)[]; best: number[]; lag: number[]; mtm: (number | null)[] }
  > = {};
  for (const s of systems) per[s] = { r0: [], best: [], lag: [], mtm: [] };
  for (const u of refs.utterances) {
    const wav = readWav(readFileSync(join(args.real!, u.wav)), u.wav);
    const x = wav.sampleRateHz === 16000 ? wav.samples : resampleTo16k(wav.samples, wav.sampleRateHz);
    const ref = aperture(absolute(u.lips, u.frames), u.frames);
    const track = await generateLipsTrackAsync(
      x,
      manifest.generator,
      createOfflineGeneratorRunner(manifest.generator, { session }),
    );
    const preds: Record<string, ArrayLike<number>> = {
      ours: aperture(absolute(track.displacements, track.frames), track.frames),
      rms: rmsEnvelopeTrack(x, 16000, u.fps),
    };
    for (const [name, tracks] of Object.entries(browser ?? {})) if (tracks[u.id]) preds[name] = tracks[u.id];
    for (const s of systems) {
      const p = preds[s];
      if (!p) continue;
      const n = Math.min(ref.length, p.length);
      const c = correlations(ref.subarray(0, n), Array.from(p).slice(0, n));
      per[s].r0.push(c.r0);
      per[s].best.push(c.best.r);
      per[s].lag.push(c.best.lagFrames);
      per[s].mtm.push(meanTemporalMisalignment(ref.subarray(0, n), Array.from(p).slice(0, n)).mtmFrames);
    }
  }
  await session.releaseAsync();
  const summary: Record<string, unknown> = {};
  for (const s of systems) {
    const m = overallMtm(per[s].mtm);
    summary[s] = {
      clips: per[s].r0.length,
      apertureR: mean(per[s].r0),
      apertureRBestLag: mean(per[s].best),
      meanBestLagMs: mean(per[s].lag.map((l) => l * 20)),
      mtmFrames: m === null ? null : Math.round(m * 1000) / 1000,
      mtmMs: m === null ? null : Math.round(m * 20 * 10) / 10,
    };
  }
  const result = {
    date: new Date().toISOString(),
    reference: `${refs.source} (teacher trajectories), ${refs.utterances.length} utterances, ${refs.seconds} s`,
    models: manifestPath,
    note: 'apertureR: Pearson r of inner-lip aperture vs the reference per clip, averaged; BestLag: best r over ±200 ms shifts (positive lag = prediction late). MTM: src/metrics meanTemporalMisalignment, mean of per-clip means, 20 ms frames.',
    summary,
  };
  writeFileSync(args.out!, JSON.stringify(result, null, 1) + '\n');
  console.log(JSON.stringify(summary, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
