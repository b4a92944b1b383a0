/**
 * Browser benchmarks in real headless Chromium (puppeteer-core, Debian's /usr/bin/chromium): end-to-end
 * latency (microphone and playback paths), cost (inference per second of audio per provider, main-thread
 * ms per frame, worker CPU share, heap), a soak, and the baselines on the same audio. Node drives the
 * page (bench/pages/benchPage.ts) phase by phase and samples per-thread CPU time from /proc between phases.
 *
 * Run through `bench/run` (it makes the audio); directly:
 * `node --import tsx bench/browserBench.ts --soak-minutes 2 --models models/manifest.json --audio bench/tmp/audio`
 * Writes bench/results/browser.json.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { labelLiveOnsets, type IOnsetLabels } from './lib/onsetLabels.ts';
import {
  timingChain,
  type IChainFeatureSpec,
  type IChainGenerator,
  type IChainRaw,
} from './lib/timingChain.ts';

const { values: args } = parseArgs({
  options: {
    'soak-minutes': { type: 'string', default: '2' },
    // Only the soak (the 30-minute one runs alone, on a quiet machine), saved to --out.
    'soak-only': { type: 'boolean', default: false },
    models: { type: 'string', default: 'models/manifest.json' },
    audio: { type: 'string', default: 'bench/tmp/audio' },
    out: { type: 'string', default: 'bench/results/browser.json' },
    // `latency`: only the latency phases (mic, playback, baselines; a few minutes), no cost runs, no soak.
    only: { type: 'string' },
  },
});
const only = args.only ?? null;
if (only !== null && only !== 'latency') throw new Error(`--only ${only}: only 'latency' is known`);
const soakMinutes = Number(args['soak-minutes']);
// Outside bench/ so ESLint (which does not read .gitignore) skips the bundles.
const www = resolve('node_modules/.cache/perceptual-lipsync-bench/www');
const audioDir = resolve(args.audio!);
const manifestPath = resolve(args.models!);
// The timing chain's constants, from their one source: the feature spec src/features reads, and the manifest.
const featureSpec = JSON.parse(readFileSync('spec/features-v1.json', 'utf8')) as IChainFeatureSpec;
const generatorManifest = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { generator: IChainGenerator })
  .generator;

type PageBench = Record<string, (...a: never[]) => unknown>;

/** Bundles the page, the worker, the worklets and copies the assets into node_modules/.cache/perceptual-lipsync-bench/www. */
async function buildSite(): Promise<void> {
  mkdirSync(www, { recursive: true });
  const common = {
    bundle: true,
    format: 'esm' as const,
    target: 'es2022',
    logLevel: 'warning' as const,
    keepNames: true,
  };
  await build({
    ...common,
    entryPoints: { bench: 'bench/pages/benchPage.ts' },
    outdir: www,
    splitting: true,
    chunkNames: 'chunk-[hash]',
  });
  await build({
    ...common,
    entryPoints: {
      // The entries' own modules: src/worker.ts is a bare import that "sideEffects": false lets esbuild drop.
      worker: 'src/worker/lipSyncWorker.ts',
      'capture-processor': 'src/audio/captureProcessor.worklet.ts',
      'rms-envelope': 'bench/baselines/rmsEnvelope.worklet.ts',
      'ort-bench': 'bench/pages/ortBench.worker.ts',
    },
    outdir: www,
  });
  mkdirSync(join(www, 'ort'), { recursive: true });
  const ortDist = 'node_modules/onnxruntime-web/dist';
  for (const f of readdirSync(ortDist)) {
    if (/^ort-wasm.*\.(wasm|mjs)$/.test(f)) cpSync(join(ortDist, f), join(www, 'ort', f));
  }
  cpSync(dirname(manifestPath), join(www, 'models'), { recursive: true });
  cpSync('node_modules/@met4citizen/headaudio/dist', join(www, 'headaudio'), { recursive: true });
  cpSync(audioDir, join(www, 'audio'), { recursive: true });
  writeFileSync(
    join(www, 'index.html'),
    '<!doctype html><meta charset="utf-8"><script type="module" src="bench.js"></script>',
  );
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
};

/** Static server with cross-origin isolation (threaded wasm, SharedArrayBuffer, precise memory API). */
function serve(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = join(www, rel === '/' ? 'index.html' : rel);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    };
    if (!file.startsWith(www) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** CPU seconds per thread group of every process under `rootPid` (`type:threadName`). */
function threadCpu(rootPid: number): Record<string, number> {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited
    }
  }
  const pids = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, pp] of parent) {
      if (pids.has(pp) && !pids.has(pid)) {
        pids.add(pid);
        grew = true;
      }
    }
  }
  const out: Record<string, number> = {};
  for (const pid of pids) {
    let type = 'browser';
    try {
      const m = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      if (m) type = m[1];
      if (type === 'utility' && /AudioService/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')))
        type = 'audio-service';
      const ps = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const pf = ps.slice(ps.lastIndexOf(')') + 2).split(' ');
      out[`${type}:process`] = (out[`${type}:process`] ?? 0) + (Number(pf[11]) + Number(pf[12])) / 100;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8')
          .trim()
          .replace(/[0-9]+$/, '#');
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${type}:${comm}`;
        out[key] = (out[key] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
      }
    } catch {
      // exited
    }
  }
  return out;
}

function cpuDelta(a: Record<string, number>, b: Record<string, number>, wallSec: number) {
  const out: Record<string, { cpuSec: number; shareOfCore: number }> = {};
  for (const k of Object.keys(b)) {
    const d = b[k] - (a[k] ?? 0);
    if (d >= 0.05)
      out[k] = { cpuSec: Math.round(d * 100) / 100, shareOfCore: Math.round((d / wallSec) * 1000) / 1000 };
  }
  return Object.fromEntries(Object.entries(out).sort((x, y) => y[1].cpuSec - x[1].cpuSec));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function launch(micWav: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    protocolTimeout: 0,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-unsafe-webgpu',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
      '--autoplay-policy=no-user-gesture-required',
      '--enable-precise-memory-info',
      '--js-flags=--expose-gc',
    ],
  });
}

async function openPage(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('  [page error]', (e as Error).message));
  page.on('requestfailed', (r) => console.error('  [request failed]', r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('favicon.ico')) console.error('  [http]', r.status(), r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn')
      console.error(`  [page ${m.type()}]`, m.text().slice(0, 300));
  });
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => document.title === 'bench-ready', { timeout: 60000 });
  return page;
}

function call<T>(page: Page, fn: string, ...a: unknown[]): Promise<T> {
  return page.evaluate(
    (name, params) => (globalThis as unknown as { bench: PageBench }).bench[name](...(params as never[])),
    fn,
    a,
  ) as Promise<T>;
}

/** Runs one phase of `seconds`, returning the page's analysis, worker stats and CPU per thread group. */
async function phase(
  browser: Browser,
  page: Page,
  label: string,
  cfg: Record<string, unknown>,
  seconds: number,
) {
  console.log(`  phase ${label} (${seconds} s)`);
  const info = await call<Record<string, unknown>>(page, 'startAsync', cfg);
  await sleep(2000); // skip start-up (model load is done; first blocks, context warm-up)
  const pid = browser.process()!.pid!;
  const c0 = threadCpu(pid);
  const s0 = await call<Record<string, number> | null>(page, 'pollStatsAsync');
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const wall = (Date.now() - t0) / 1000;
  const s1 = await call<Record<string, number> | null>(page, 'pollStatsAsync');
  const c1 = threadCpu(pid);
  const heap = await call<unknown>(page, 'heap');
  const result = await call<Record<string, unknown>>(page, 'stopAsync');
  const restarted = !!s0 && !!s1 && s0.workerEpoch !== s1.workerEpoch;
  const worker =
    s0 && s1 && restarted
      ? {
          backend: s1.backend,
          wasmThreads: s1.wasmThreads,
          // The worker was restarted during the phase: its counters restarted too, and the audio of the
          // gap was lost. Not comparable: reported as the restart, with no dropped-chunk count.
          restartedDuringPhase: true,
          generatorRuns: null,
          droppedChunks: null,
          samplesReceived: null,
          samplesExpected: Math.round(wall * 16000),
        }
      : s0 && s1
        ? {
            backend: s1.backend,
            wasmThreads: s1.wasmThreads,
            generatorRuns: s1.generatorRuns - s0.generatorRuns,
            droppedChunks: s1.droppedChunks - s0.droppedChunks,
            samplesReceived: s1.samplesReceived - s0.samplesReceived,
            samplesExpected: Math.round(wall * 16000),
          }
        : null;
  return { label, config: cfg, info, wallSec: wall, ...result, worker, heap, cpu: cpuDelta(c0, c1, wall) };
}

async function soak(browser: Browser, page: Page, cfg: Record<string, unknown>, minutes: number) {
  console.log(`  soak ${minutes} min`);
  const cdp = await page.createCDPSession();
  const gcHeap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return call<{ usedJSHeapSize: number } | null>(page, 'heap');
  };
  const info = await call<Record<string, unknown>>(page, 'startAsync', cfg);
  await sleep(5000);
  const pid = browser.process()!.pid!;
  const c0 = threadCpu(pid);
  const s0 = await call<Record<string, number>>(page, 'pollStatsAsync');
  const ua0 = await call<unknown>(page, 'uaMemoryAsync');
  const samples: Record<string, unknown>[] = [];
  const perOnset = new Map<number, { t: number; ms: number | null }>();
  const t0 = Date.now();
  const end = t0 + minutes * 60000;
  let lastPerf = 0;
  while (Date.now() < end) {
    await sleep(Math.min(15000, Math.max(0, end - Date.now())));
    const a = await call<{ ours: { perOnset: { t: number; ms: number | null }[] } }>(page, 'analyse');
    for (const o of a.ours.perOnset)
      if (!perOnset.has(o.t) || perOnset.get(o.t)!.ms === null) perOnset.set(o.t, o);
    const lag = await call<{ now: number; lagMs: { p50: number | null } }>(page, 'lagSince', lastPerf);
    lastPerf = lag.now;
    await call(page, 'trimFrames', lag.now - 5000);
    const s = await call<Record<string, number>>(page, 'pollStatsAsync');
    const h = await gcHeap();
    samples.push({
      tSec: Math.round((Date.now() - t0) / 1000),
      heapUsedMB: h ? Math.round((h.usedJSHeapSize / 1048576) * 100) / 100 : null,
      lagP50Ms: lag.lagMs.p50,
      droppedChunks: s.droppedChunks - s0.droppedChunks,
      samplesReceived: s.samplesReceived - s0.samplesReceived,
    });
    console.log('   ', JSON.stringify(samples[samples.length - 1]));
  }
  const wall = (Date.now() - t0) / 1000;
  const c1 = threadCpu(pid);
  const ua1 = await call<unknown>(page, 'uaMemoryAsync');
  const last = await call<Record<string, unknown>>(page, 'stopAsync');
  await cdp.detach();
  const onsets = [...perOnset.values()].sort((a, b) => a.t - b.t);
  return {
    config: cfg,
    info,
    minutes,
    wallSec: wall,
    samples,
    onsets,
    uaMemoryStart: ua0,
    uaMemoryEnd: ua1,
    cpu: cpuDelta(c0, c1, wall),
    errors: last.errors,
  };
}

/** Which models are in use: the real ones under models/ (committed or not) or the tiny test generator. */
function modelInfo() {
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    generator: { file: string; parameters?: number; architecture?: string };
  };
  const card = join(dirname(manifestPath), 'MODEL_CARD.md');
  return {
    manifest: relative(process.cwd(), manifestPath),
    generatorParameters: m.generator.parameters ?? null,
    architecture: m.generator.architecture ?? null,
    cardStatus: existsSync(card) ? (/Status:[^\n]*/.exec(readFileSync(card, 'utf8'))?.[0] ?? null) : null,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  await buildSite();
  const server = await serve();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const models = 'models/manifest.json';
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    only,
    loadAverageStart: loadavg(),
    models: modelInfo(),
    phases: [] as unknown[],
  };
  const phases = results.phases as unknown[];
  const save = () => {
    mkdirSync(dirname(args.out!), { recursive: true });
    writeFileSync(args.out!, JSON.stringify(results, null, 1) + '\n');
  };
  // Default options (wasm 1 thread: the behavior's default numThreads), telemetry off unless named.
  const ours = (over: Record<string, unknown>) => ({
    manifestUrl: models,
    executionProviders: ['wasm'],
    numThreads: 1,
    source: 'mic',
    telemetry: false,
    ...over,
  });
  const labelsOf = (stimulus: string): IOnsetLabels | null => {
    const f = join(audioDir, `${stimulus}.labels.json`);
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as IOnsetLabels) : null;
  };
  /** One phase with its key, stimulus, load average and per-onset syllable labels. */
  const run = async (
    key: string,
    stimulus: string,
    label: string,
    cfg: Record<string, unknown>,
    seconds: number,
    opts: { spin?: boolean } = {},
  ) => {
    const loadStart = loadavg();
    // One core kept busy for the whole phase (model load included) by a process of our own.
    const spinner = opts.spin ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : null;
    try {
      const p = await phase(browser, page, label, cfg, seconds);
      const labels = labelsOf(stimulus);
      const analysis = (p as unknown as { analysis: Record<string, unknown> }).analysis;
      for (const subject of ['ours', 'rms', 'headaudio']) {
        const a = analysis[subject] as { perOnset: { t: number; label?: string | null }[] } | undefined;
        if (!a) continue;
        const l = labels
          ? labelLiveOnsets(
              a.perOnset.map((o) => o.t),
              labels,
            )
          : null;
        a.perOnset.forEach((o, i) => (o.label = l ? l[i] : stimulus === 'nasal' ? 'ma' : null));
      }
      const raw = analysis.chainRaw as IChainRaw | undefined;
      // The mic phases' stream is live: its outputs run one per run (worker info liveOutputsPerRun).
      const info = p.info as { outputsPerRun?: number; liveOutputsPerRun?: number; lookaheadMs?: number };
      const outputsPerRun = info.liveOutputsPerRun ?? info.outputsPerRun;
      // The head the phase's worker loaded (latencyMode), not the manifest's default generator.
      const gen =
        info.lookaheadMs === undefined
          ? generatorManifest
          : {
              ...generatorManifest,
              lookaheadMs: info.lookaheadMs,
              lookaheadFrames: Math.round(
                (info.lookaheadMs * featureSpec.sampleRateHz) / 1000 / featureSpec.hopLengthSamples,
              ),
            };
      if (raw && outputsPerRun !== undefined)
        analysis.timingChain = timingChain(raw, featureSpec, gen, outputsPerRun);
      return {
        key,
        stimulus,
        ...p,
        spinner: spinner ? { pid: spinner.pid } : null,
        loadAverage: { start: loadStart, end: loadavg() },
      };
    } finally {
      if (spinner) {
        spinner.kill('SIGKILL');
        await new Promise((r) => spinner.once('exit', r));
      }
    }
  };

  let browser: Browser;
  let page: Page;
  if (!args['soak-only']) await latencyCostAndBaselines();
  async function latencyCostAndBaselines(): Promise<void> {
    // 1. Lip-opening syllables "pa ta ka a" on the fake microphone (the latency budgets' stimuli).
    browser = await launch(join(audioDir, 'open.wav'));
    results.chromium = await browser.version();
    page = await openPage(browser, origin);
    phases.push(
      await run(
        'mic-open',
        'open',
        'mic open syllables: ours, default (wasm 1 thread, telemetry off)',
        ours({}),
        20,
      ),
    );
    save();
    phases.push(
      await run(
        'mic-open-telemetry',
        'open',
        'mic open syllables: ours, wasm 1 thread, telemetry on',
        ours({ telemetry: true }),
        15,
      ),
    );
    phases.push(
      await run(
        'mic-open-baselines',
        'open',
        'mic open syllables: baselines rms + headaudio',
        ours({ baselines: ['rms', 'headaudio'] }),
        15,
      ),
    );
    phases.push(
      await run(
        'mic-open-load',
        'open',
        'mic open syllables: ours, default, one core kept busy by a spinning process',
        ours({}),
        20,
        { spin: true },
      ),
    );
    phases.push(
      await run(
        'playback-open',
        'open',
        'playback open syllables: ours, default (audioNode source, delay compensation)',
        ours({ source: 'playback', wavUrl: 'audio/open.wav' }),
        12,
      ),
    );
    save();
    if (!only) {
      phases.push(
        await run(
          'mic-open-2threads',
          'open',
          'mic open syllables: ours, wasm 2 threads, telemetry on',
          ours({ numThreads: 2, telemetry: true }),
          12,
        ),
      );
      phases.push(
        await run(
          'playback-open-2threads',
          'open',
          'playback open syllables: ours, wasm 2 threads, telemetry on (audioNode source, delay compensation)',
          ours({ source: 'playback', wavUrl: 'audio/open.wav', numThreads: 2, telemetry: true }),
          12,
        ),
      );
      await costs();
    }
    await browser.close();

    // 1b. Worker CPU on continuous speech (soak.wav: sentences and syllables, 0.4 s pauses), telemetry off
    // and on: the open syllables above are mostly silence, where telemetry scores nothing (issue #13).
    browser = await launch(join(audioDir, 'soak.wav'));
    page = await openPage(browser, origin);
    phases.push(
      await run(
        'mic-continuous',
        'soak',
        'mic continuous speech: ours, default (wasm 1 thread, telemetry off)',
        ours({}),
        15,
      ),
    );
    phases.push(
      await run(
        'mic-continuous-telemetry',
        'soak',
        'mic continuous speech: ours, wasm 1 thread, telemetry on',
        ours({ telemetry: true }),
        15,
      ),
    );
    save();
    await browser.close();

    // 2. Bilabial-nasal onsets "ma": lips shut through /m/; reported apart from the budgets.
    browser = await launch(join(audioDir, 'nasal.wav'));
    page = await openPage(browser, origin);
    phases.push(await run('mic-nasal', 'nasal', 'mic nasal "ma": ours, default', ours({}), 12));
    phases.push(
      await run(
        'mic-nasal-baselines',
        'nasal',
        'mic nasal "ma": baselines rms + headaudio',
        ours({ baselines: ['rms', 'headaudio'] }),
        12,
      ),
    );
    phases.push(
      await run(
        'playback-nasal',
        'nasal',
        'playback nasal "ma": ours, default (audioNode source, delay compensation)',
        ours({ source: 'playback', wavUrl: 'audio/nasal.wav' }),
        10,
      ),
    );
    await browser.close();
    save();

    // 3. Click train on the fake microphone.
    browser = await launch(join(audioDir, 'clicks.wav'));
    page = await openPage(browser, origin);
    phases.push(await run('mic-clicks', 'clicks', 'mic clicks: ours, default', ours({}), 12));
    phases.push(
      await run(
        'mic-clicks-baselines',
        'clicks',
        'mic clicks: baselines rms + headaudio',
        ours({ baselines: ['rms', 'headaudio'] }),
        12,
      ),
    );
    await browser.close();
    save();
  }

  /** Inference cost per provider, per-model run times, HeadAudio on the real-speech clips (full run). */
  async function costs(): Promise<void> {
    const inference: unknown[] = [];
    for (const [ep, threads] of [
      ['wasm', 1],
      ['wasm', 2],
      ['webgpu', 1],
    ] as const) {
      console.log(`  inference ${ep} ${threads}`);
      const c0 = threadCpu(browser.process()!.pid!);
      const r = await call<Record<string, unknown>>(page, 'inferenceAsync', {
        manifestUrl: models,
        executionProviders: [ep],
        numThreads: threads,
        wavUrl: 'audio/speech.wav',
        seconds: ep === 'webgpu' ? 6 : 8,
      }).catch((e: Error): Record<string, unknown> => ({ provider: ep, error: e.message }));
      // CPU time of the renderer's worker threads over the call (warm-up included), per second of audio:
      // the honest cost on a loaded machine, where wall-clock run times include waiting for a core.
      // Process totals (not per thread): the worker has exited by now, and its threads' time stays in
      // the renderer process's counters.
      const cpu = cpuDelta(c0, threadCpu(browser.process()!.pid!), 1);
      const workerCpuSec = Object.entries(cpu)
        .filter(([k]) => k.startsWith('renderer:process'))
        .reduce((a, [, v]) => a + v.cpuSec, 0);
      const audioSec = typeof r.audioSec === 'number' ? r.audioSec + 0.5 : null;
      inference.push({
        ...r,
        workerCpuMsPerAudioSec: audioSec ? Math.round((workerCpuSec * 1000) / audioSec) : null,
        cpu,
      });
    }
    results.inference = inference;
    save();
    const modelRuns: unknown[] = [];
    for (const [ep, threads] of [
      ['wasm', 1],
      ['wasm', 2],
      ['webgpu', 1],
    ] as const) {
      console.log(`  model runs ${ep} ${threads}`);
      modelRuns.push(
        await call(page, 'modelRunsAsync', {
          manifestUrl: models,
          provider: ep,
          numThreads: threads,
          reps: ep === 'webgpu' ? 8 : 60,
          timeoutMs: 25000,
        }),
      );
    }
    results.modelRuns = modelRuns;
    save();
    const refs = join(audioDir, 'real', 'refs.json');
    if (existsSync(refs)) {
      // HeadAudio on the real-speech quality clips (bench/qualityBench.ts reads the tracks).
      const utts = (
        JSON.parse(readFileSync(refs, 'utf8')) as {
          utterances: { id: string; wav: string; frames: number }[];
        }
      ).utterances;
      console.log(`  headaudio on ${utts.length} real-speech clips (real time)`);
      const tracks = await call<Record<string, number[]>>(
        page,
        'realTracksAsync',
        utts.map((u) => ({ ...u, wav: `audio/real/${u.wav}` })),
      );
      writeFileSync('bench/tmp/headaudio-real.json', JSON.stringify({ headaudio: tracks }));
    }
  }

  if (!only) {
    // 4. Soak: continuous speech on the fake microphone through the full pipeline.
    browser = await launch(join(audioDir, 'soak.wav'));
    page = await openPage(browser, origin);
    // Wasm 1 thread, telemetry on: the soak also watches the telemetry path's memory.
    results.soak = await soak(browser, page, ours({ telemetry: true }), soakMinutes);
    await browser.close();
  }

  server.close();
  results.loadAverageEnd = loadavg();
  results.wallSec = Math.round((Date.now() - started) / 1000);
  save();
  console.log(`wrote ${args.out} in ${results.wallSec} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
