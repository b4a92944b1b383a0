/**
 * Writes `<dir>/budgets.json` from the same run's `<dir>/browser.json`: an array of
 * `{ id, value, unit, limit, holds, config }`, one per budget (issues #12 and #13), the same-run baselines,
 * the per-stimulus onset numbers and the mic path's timing chain (limit and holds null where there is no
 * budget). Every `config` names the phase it comes from and the load average over it.
 * Run: `node --import tsx bench/budgets.ts --dir bench/results --models models/manifest.json` (bench/run does).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { workerShare, type PhaseCpu } from './lib/cpuShare.ts';
import { percentile } from './lib/percentiles.ts';
import type { ITimingChain } from './lib/timingChain.ts';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: 'bench/results' },
    models: { type: 'string', default: 'models/manifest.json' },
  },
});
const dir = args.dir!;

/** One budget row of budgets.json. */
export interface IBudget {
  id: string;
  value: number | null;
  unit: string;
  limit: number | null;
  holds: boolean | null;
  config: Record<string, unknown>;
}

interface OnsetRow {
  t: number;
  ms: number | null;
  label?: string | null;
}
interface Subject {
  onsets: number;
  detected: number;
  perOnset: OnsetRow[];
}
interface Phase {
  key?: string;
  label: string;
  stimulus?: string;
  config: Record<string, unknown>;
  info: Record<string, unknown>;
  wallSec: number;
  analysis: Record<string, unknown> & {
    oursLagMs?: { p50: number | null; p95: number | null; n: number };
    timingChain?: ITimingChain | null;
  };
  worker: {
    droppedChunks: number | null;
    samplesReceived: number | null;
    samplesExpected: number;
    restartedDuringPhase?: boolean;
  } | null;
  errors?: string[];
  cpu: PhaseCpu;
  loadAverage?: { start: number[]; end: number[] };
}

const browser = JSON.parse(readFileSync(`${dir}/browser.json`, 'utf8')) as {
  date: string;
  only: string | null;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
  phases: Phase[];
};
const manifest = existsSync(args.models!)
  ? (JSON.parse(readFileSync(args.models!, 'utf8')) as { generator: { lookaheadMs?: number } })
  : null;
const phase = (key: string) => browser.phases.find((p) => p.key === key);
const r1 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10) / 10);

/** What every row says about where it was measured. */
function configOf(p: Phase, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    phase: p.label,
    stimulus: p.stimulus,
    source: p.config.source,
    executionProviders: p.config.executionProviders,
    numThreads: p.config.numThreads,
    telemetry: p.config.telemetry,
    ...(p.config.baselines ? { baselines: p.config.baselines } : {}),
    backend: p.info.backend ?? null,
    wasmThreads: p.info.threads ?? null,
    // The generator head the phase's worker loaded (latencyMode auto: live for the mic, playback for played sources).
    latencyHead: p.info.latencyHead ?? null,
    lookaheadMs: p.info.lookaheadMs ?? manifest?.generator.lookaheadMs ?? null,
    wallSec: Math.round(p.wallSec * 10) / 10,
    loadAverage: p.loadAverage ?? null,
    ...extra,
  };
}

/**
 * An onset statistic over the onsets of `subject` in `p` whose label passes `keep`. Undetected onsets (no
 * visible change within the search window) count as infinitely late, so a percentile that reaches one is
 * reported as null (not met), never computed over the detected ones only.
 */
function onsetStat(p: Phase | undefined, subject: string, q: number, opts: { abs?: boolean } = {}) {
  const s = p?.analysis[subject] as Subject | undefined;
  if (!p || !s) return null;
  const rows = s.perOnset;
  const vals = rows.map((o) => (o.ms === null ? Infinity : opts.abs ? Math.abs(o.ms) : o.ms));
  const value = vals.length ? percentile(vals, q) : null;
  // `percentile` drops non-finite values; recompute with them in place.
  const sorted = [...vals].sort((a, b) => a - b);
  const rank = (q / 100) * (sorted.length - 1);
  const touchesUndetected = sorted.length > 0 && !Number.isFinite(sorted[Math.ceil(rank)]);
  const bySyllable: Record<string, { n: number; undetected: number; p50: number | null; ms: number[] }> = {};
  for (const o of rows) {
    const k = o.label ?? 'unlabelled';
    const b = (bySyllable[k] ??= { n: 0, undetected: 0, p50: null, ms: [] });
    b.n++;
    if (o.ms === null) b.undetected++;
    else b.ms.push(opts.abs ? Math.abs(o.ms) : o.ms);
  }
  for (const b of Object.values(bySyllable)) b.p50 = r1(percentile(b.ms, 50));
  return {
    value: touchesUndetected ? null : r1(value),
    onsets: rows.length,
    undetected: rows.filter((o) => o.ms === null).length,
    bySyllable,
  };
}

const budgets: IBudget[] = [];
const add = (
  id: string,
  value: number | null,
  unit: string,
  limit: number | null,
  config: Record<string, unknown>,
  extraHolds = true,
) =>
  budgets.push({
    id,
    value,
    unit,
    limit,
    holds: limit === null ? null : value !== null && value <= limit && extraHolds,
    config,
  });

// Shown-lips lag behind the audio clock, mic source, default options.
const mic = phase('mic-open');
if (mic) {
  const lag = mic.analysis.oursLagMs;
  add('mic-live-lag-p50-ms', r1(lag?.p50 ?? null), 'ms', 60, configOf(mic, { frames: lag?.n ?? 0 }));
  add('mic-live-lag-p95-ms', r1(lag?.p95 ?? null), 'ms', null, configOf(mic, { frames: lag?.n ?? 0 }));
  const chain = mic.analysis.timingChain;
  if (chain) {
    add('mic-live-lag-mean-ms', chain.lagMeanMs, 'ms', null, configOf(mic, { sumOfStagesMs: chain.sumMs }));
    for (const s of chain.stages)
      add(`mic-live-lag-stage-${s.id}-ms`, s.ms, 'ms', null, {
        stage: s.stage,
        how: s.source,
        detail: s.how,
        phase: mic.label,
        loadAverage: mic.loadAverage ?? null,
      });
  }
}

// Onset latency on lip-opening stimuli, ours and the same-run baselines.
const base = phase('mic-open-baselines');
const oursOnset = onsetStat(mic, 'ours', 50);
const rmsOnset = onsetStat(base, 'rms', 50);
const haOnset = onsetStat(base, 'headaudio', 50);
if (mic && oursOnset)
  add(
    'mic-live-onset-p50-ms',
    oursOnset.value,
    'ms',
    null,
    configOf(mic, { ...oursOnset, value: undefined }),
  );
if (mic) {
  const p95 = onsetStat(mic, 'ours', 95);
  if (p95)
    add(
      'mic-live-onset-p95-ms',
      p95.value,
      'ms',
      null,
      configOf(mic, { onsets: p95.onsets, undetected: p95.undetected }),
    );
}
if (base && rmsOnset)
  add(
    'baseline-rms-mic-onset-p50-ms',
    rmsOnset.value,
    'ms',
    null,
    configOf(base, { ...rmsOnset, value: undefined }),
  );
if (base && haOnset)
  add(
    'baseline-headaudio-mic-onset-p50-ms',
    haOnset.value,
    'ms',
    null,
    configOf(base, { ...haOnset, value: undefined }),
  );
if (mic && base && oursOnset && rmsOnset)
  add(
    'mic-live-onset-excess-p50-ms',
    oursOnset.value !== null && rmsOnset.value !== null ? r1(oursOnset.value - rmsOnset.value) : null,
    'ms',
    40,
    {
      ...configOf(mic),
      definition:
        'ours onset p50 minus the loudness-envelope baseline onset p50, same lip-opening stimuli, same run',
      oursOnsetP50Ms: oursOnset.value,
      baselineRmsOnsetP50Ms: rmsOnset.value,
      baselinePhase: base.label,
      baselineLoadAverage: base.loadAverage ?? null,
    },
  );

// Clicks and bilabial-nasal onsets: reported beside the budgets, not in them.
for (const [key, baseKey, name] of [
  ['mic-clicks', 'mic-clicks-baselines', 'clicks'],
  ['mic-nasal', 'mic-nasal-baselines', 'nasal'],
] as const) {
  const p = phase(key);
  const b = phase(baseKey);
  const o = onsetStat(p, 'ours', 50);
  const r = onsetStat(b, 'rms', 50);
  const h = onsetStat(b, 'headaudio', 50);
  if (p && o)
    add(`mic-live-onset-${name}-p50-ms`, o.value, 'ms', null, configOf(p, { ...o, value: undefined }));
  if (b && r)
    add(
      `baseline-rms-mic-onset-${name}-p50-ms`,
      r.value,
      'ms',
      null,
      configOf(b, { ...r, value: undefined }),
    );
  if (b && h)
    add(
      `baseline-headaudio-mic-onset-${name}-p50-ms`,
      h.value,
      'ms',
      null,
      configOf(b, { ...h, value: undefined }),
    );
  if (o && r && p)
    add(
      `mic-live-onset-excess-${name}-p50-ms`,
      o.value !== null && r.value !== null ? r1(o.value - r.value) : null,
      'ms',
      null,
      configOf(p, { oursOnsetP50Ms: o.value, baselineRmsOnsetP50Ms: r.value }),
    );
}

// Playback: lips vs heard sound, |error| p95 over the lip-opening onsets.
const play = phase('playback-open');
const playErr = onsetStat(play, 'ours', 95, { abs: true });
if (play && playErr)
  add(
    'playback-error-abs-p95-ms',
    playErr.value,
    'ms',
    40,
    configOf(play, {
      ...playErr,
      value: undefined,
      signedP50Ms: onsetStat(play, 'ours', 50)?.value ?? null,
      playoutStates: play.analysis.playoutStates,
    }),
  );
const playNasal = phase('playback-nasal');
const playNasalErr = onsetStat(playNasal, 'ours', 95, { abs: true });
if (playNasal && playNasalErr)
  add(
    'playback-error-nasal-abs-p95-ms',
    playNasalErr.value,
    'ms',
    null,
    configOf(playNasal, { ...playNasalErr, value: undefined }),
  );

// Under load: one core kept busy by a spinning process for the whole phase.
const load = phase('mic-open-load');
if (load) {
  const dropped = load.worker?.droppedChunks ?? null;
  add(
    'mic-live-lag-p95-under-load-ms',
    r1(load.analysis.oursLagMs?.p95 ?? null),
    'ms',
    120,
    configOf(load, {
      droppedChunks: dropped,
      workerRestartedDuringPhase: load.worker?.restartedDuringPhase ?? false,
      errors: load.errors ?? [],
      lagP50Ms: r1(load.analysis.oursLagMs?.p50 ?? null),
      condition: '≤ 120 ms and 0 dropped chunks',
    }),
    dropped === 0,
  );
  add(
    'mic-live-dropped-chunks-under-load',
    dropped,
    'chunks',
    0,
    configOf(load, { workerRestartedDuringPhase: load.worker?.restartedDuringPhase ?? false }),
  );
}

// Worker CPU (issue #13): wasm 1 thread, mic syllables phase, default mode, telemetry on / off. The share
// covers every worker thread of the page over the phase's whole wall time, silences included: telemetry
// scores only while speech is present, so the stimulus decides much of the telemetry's cost.
const STIMULUS_TEXT: Record<string, string> = {
  open: 'open syllables: "pa", "ta", "ka", "a" x 4, each after its own silence (mostly silence; bench/makeAudio.sh)',
  soak: 'continuous speech: sentences and syllables with 0.4 s pauses (soak.wav; bench/makeAudio.sh)',
};
const cpuRow = (id: string, p: Phase, limit: number | null): void => {
  add(
    id,
    Math.round(workerShare(p.cpu) * 1000) / 1000,
    'cores',
    limit,
    configOf(p, {
      stimulusText: STIMULUS_TEXT[p.stimulus ?? ''] ?? p.stimulus ?? null,
      covers: 'all worker threads, whole phase',
    }),
  );
};
const tel = phase('mic-open-telemetry');
if (tel) cpuRow('worker-cpu-telemetry-on', tel, 0.25);
if (mic) cpuRow('worker-cpu-telemetry-off', mic, 0.12);
// The same on continuous speech: no budget (the budgets are on the syllables), for comparison.
const contTel = phase('mic-continuous-telemetry');
if (contTel) cpuRow('worker-cpu-telemetry-on-continuous', contTel, null);
const cont = phase('mic-continuous');
if (cont) cpuRow('worker-cpu-telemetry-off-continuous', cont, null);

// Issue #13: |telemetry offset − how late the lips were shown|, median over the acceptance clips (5 LibriVox
// sentences and the espeak-ng acceptance clip, lips 0 and 100 ms late), from bench/telemetryCadence.ts
// replaying the live scoring with the trained encoders at the default shift step (bench/run writes it).
const offsetFile = `${dir}/telemetry-offset.json`;
if (existsSync(offsetFile)) {
  const t = JSON.parse(readFileSync(offsetFile, 'utf8')) as {
    date: string;
    clips: string[];
    rows: { stepMs: number; clipErrorMedianMs: number; clipErrorMaxMs: number; clipCount: number }[];
  };
  const r = t.rows[0];
  if (r)
    add('telemetry-offset-error-ms', Math.round(r.clipErrorMedianMs * 10) / 10, 'ms', 20, {
      how: 'offline replay of the live scoring (bench/telemetryCadence.ts --steps default --delays 0,100)',
      shiftStepMs: r.stepMs,
      clips: t.clips,
      clipDelayPairs: r.clipCount,
      maxErrorMs: Math.round(r.clipErrorMaxMs * 10) / 10,
      date: t.date,
    });
}

const out = {
  date: browser.date,
  only: browser.only ?? null,
  loadAverageStart: browser.loadAverageStart,
  loadAverageEnd: browser.loadAverageEnd ?? null,
};
// The array is the file (issue #12's format); the run's facts ride on each row's config.
for (const b of budgets) b.config = { ...b.config, run: out };
writeFileSync(`${dir}/budgets.json`, JSON.stringify(budgets, null, 1) + '\n');
console.log(`wrote ${dir}/budgets.json (${budgets.length} rows)`);
for (const b of budgets.filter((x) => x.limit !== null))
  console.log(`  ${b.id}: ${b.value ?? '–'} ${b.unit} (limit ${b.limit}) ${b.holds ? 'holds' : 'misses'}`);
