/**
 * @file The browser benchmark page (bundled by bench/browserBench.ts into node_modules/.cache/perceptual-lipsync-bench/www/). It exposes
 * `window.bench`, driven phase by phase from Node over puppeteer, so Node can sample per-thread CPU
 * time between phases. Subjects: our `PerceptualLipSyncBehavior` on the demo avatar, and the
 * baselines (loudness envelope, HeadAudio) on the same audio.
 *
 * Clocks: the onset tap (an AudioWorklet) stamps each sharp onset with the audio-clock time at which
 * the sample reached the worklet (render timeline). Each applied frame is stamped with
 * `performance.now()`, mapped to the audio clock through `AudioContext.getOutputTimestamp()`
 * (output timeline, what is heard) and, adding the measured render-ahead (currentTime − output
 * time), to the render timeline.
 */
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { proxy } from 'comlink';
import { HeadAudio } from '@met4citizen/headaudio/modules/headaudio.mjs';
import { createDemoAvatar, type DemoAvatar } from '../../examples/avatar/createDemoAvatar.ts';
import { PerceptualLipSyncBehavior } from '../../src/behavior/perceptualLipSyncBehavior.ts';
import { CAPTURE_PROCESSOR_NAME } from '../../src/audio/captureProcessorName.ts';
import { StreamingResampler } from '../../src/features/resampleTo16k.ts';
import { innerLipAperture } from '../../src/rig/lipsV1.ts';
import { acquireLipSyncWorkerAsync, liveLipSyncWorkerCount } from '../../src/worker/lipSyncWorkerClient.ts';
import type { ILipSyncWorkerClient } from '../../src/worker/lipSyncWorkerClient.ts';
import type { WorkerStats } from '../../src/worker/frames.ts';
import { detectOnsets } from '../lib/onsetDetector.ts';
import { percentile, summarize } from '../lib/percentiles.ts';

/** Mouth-opening weight of each Oculus viseme (HeadAudio output → one aperture signal). */
const VISEME_OPENING: Record<string, number> = {
  viseme_aa: 1,
  viseme_O: 0.8,
  viseme_E: 0.7,
  viseme_I: 0.5,
  viseme_U: 0.4,
  viseme_DD: 0.4,
  viseme_kk: 0.4,
  viseme_RR: 0.4,
  viseme_nn: 0.3,
  viseme_CH: 0.3,
  viseme_SS: 0.3,
  viseme_TH: 0.3,
  viseme_FF: 0.15,
  viseme_PP: 0,
  viseme_sil: 0,
};

type Subject = 'ours' | 'rms' | 'headaudio';

interface FrameRecord {
  /** performance.now() when applied, ms. */
  perf: number;
  /** Heard audio-clock time at that moment (output timeline), s. */
  outSec: number;
  /** The subject's mouth opening (ours: inner-lip aperture in m; baselines: [0, 1]). */
  value: number;
  /** Ours: audio clock (currentTime) minus the audio-clock time of the lips shown, s. */
  lagSec?: number;
  /** Ours: audio-clock time of the speech whose lips are shown (the frame event's `timeSec`), s. */
  srcSec?: number;
  /** Ours: audio clock (`currentTime`) when the frame was applied, s. */
  curSec?: number;
  /** Ours: audio-clock time of the newest lips frame received (the frame event's `lipsTimeSec`), s. */
  newestSec?: number;
}

interface PhaseConfig {
  /** Manifest URL (absolute or page-relative). */
  manifestUrl: string;
  executionProviders: ('webgpu' | 'wasm')[];
  numThreads: number;
  /** 'mic': the fake microphone; 'playback': `wavUrl` played through the behavior's delay compensation. */
  source: 'mic' | 'playback';
  wavUrl?: string;
  /** Loop the playback source (soak). */
  loop?: boolean;
  /** Subscribe to telemetry (adds the encoders' work and the per-frame read-back). */
  telemetry: boolean;
  /** The behavior's processing margin for playback sources, ms (default: the behavior's default). */
  processingMarginMs?: number;
  /** Baselines to run instead of ours. */
  baselines?: Subject[];
}

const page = {
  engine: null as NullEngine | null,
  scene: null as Scene | null,
  avatar: null as DemoAvatar | null,
  ctx: null as AudioContext | null,
  behavior: null as PerceptualLipSyncBehavior | null,
  statsClient: null as ILipSyncWorkerClient | null,
  stream: null as MediaStream | null,
  nodes: [] as AudioNode[],
  headAudio: null as HeadAudio | null,
  rafId: 0,
  frames: { ours: [], rms: [], headaudio: [] } as Record<Subject, FrameRecord[]>,
  frameCostMs: [] as number[],
  playoutStates: {} as Record<string, number>,
  renderAheadSec: [] as number[],
  onsetsSec: [] as number[],
  rmsOpening: 0,
  visemes: {} as Record<string, number>,
  playback: null as {
    startSec: number;
    delaySec: number;
    onsetsInBufferSec: number[];
    durationSec: number;
    loop: boolean;
  } | null,
  config: null as PhaseConfig | null,
  frameStart: 0,
  stats: [] as { perf: number; stats: WorkerStats }[],
  /** Worker probe during ours' phases: getStats round trips, generator run times, ONNX queue depth. */
  probe: { rttMs: [] as number[], runMs: [] as number[], queueDepth: [] as number[], runsSeen: -1 },
  probeTimer: 0 as ReturnType<typeof setInterval> | 0,
  /** Stats clients rejoined after the worker was restarted under them. */
  workerEpoch: 0,
  /** Render quantum (frames per `process()` call) the tap worklet saw. */
  quantumFrames: 0,
  /** Samples per chunk the capture worklet posts (a probe instance of the same processor). */
  chunkSamples: 0,
  telemetry: [] as unknown[],
  errors: [] as string[],
};

function outClock(ctx: AudioContext, perf: number): number {
  const ts = ctx.getOutputTimestamp();
  return (ts.contextTime ?? 0) + (perf - (ts.performanceTime ?? perf)) / 1000;
}

function behaviorInit(cfg: PhaseConfig) {
  return {
    manifestUrl: new URL(cfg.manifestUrl, location.href).href,
    executionProviders: cfg.executionProviders,
    wasmPaths: new URL('ort/', location.href).href,
    numThreads: cfg.numThreads,
    fetchAttempts: 3,
  };
}

const workerUrl = new URL('worker.js', location.href).href;

async function startAsync(
  cfg: PhaseConfig,
): Promise<{ workers: number; backend: string | null; threads: number; outputsPerRun?: number }> {
  page.config = cfg;
  page.frames = { ours: [], rms: [], headaudio: [] };
  page.frameCostMs = [];
  page.playoutStates = {};
  page.renderAheadSec = [];
  page.onsetsSec = [];
  page.stats = [];
  page.probe = { rttMs: [], runMs: [], queueDepth: [], runsSeen: -1 };
  page.telemetry = [];
  page.playback = null;
  const engine = (page.engine = new NullEngine());
  const scene = (page.scene = new Scene(engine));
  const avatar = (page.avatar = createDemoAvatar(scene));
  avatar.idle = false;
  const ctx = (page.ctx = new AudioContext({ latencyHint: 'interactive' }));
  if (ctx.state !== 'running') await ctx.resume();
  await ctx.audioWorklet.addModule(new URL('rms-envelope.js', location.href));
  // The onset tap doubles as the loudness-envelope baseline (same worklet, one window per 20 ms).
  const tap = new AudioWorkletNode(ctx, 'bench-rms-envelope');
  tap.port.onmessage = (e: MessageEvent<{ onsetSec?: number; opening?: number; quantumFrames?: number }>) => {
    if (e.data.quantumFrames !== undefined) page.quantumFrames = e.data.quantumFrames;
    if (e.data.onsetSec !== undefined) page.onsetsSec.push(e.data.onsetSec);
    if (e.data.opening !== undefined) page.rmsOpening = e.data.opening;
  };
  page.nodes.push(tap);
  const baselines = cfg.baselines ?? [];
  let source: AudioNode;
  if (cfg.source === 'mic') {
    page.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    source = ctx.createMediaStreamSource(page.stream);
  } else {
    const bytes = await (await fetch(cfg.wavUrl!)).arrayBuffer();
    const buffer = await ctx.decodeAudioData(bytes);
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    src.loop = cfg.loop ?? false;
    source = src;
    page.playback = {
      startSec: 0,
      delaySec: 0,
      onsetsInBufferSec: detectOnsets(buffer.getChannelData(0), buffer.sampleRate),
      durationSec: buffer.duration,
      loop: src.loop,
    };
  }
  page.nodes.push(source);
  source.connect(tap);
  if (baselines.includes('headaudio')) {
    await ctx.audioWorklet.addModule(new URL('headaudio/headworklet.min.mjs', location.href));
    const ha = new HeadAudio(ctx, {
      processorOptions: {},
      parameterData: { vadGateActiveDb: -40, vadGateInactiveDb: -60 },
    });
    await ha.loadModel(new URL('headaudio/model-en-mixed.bin', location.href).href);
    page.visemes = {};
    ha.onvalue = (k, v) => {
      page.visemes[k] = v;
    };
    source.connect(ha);
    page.headAudio = ha;
  }
  let info: {
    workers: number;
    backend: string | null;
    threads: number;
    outputsPerRun?: number;
    latencyHead?: string;
    lookaheadMs?: number;
  } = {
    workers: 0,
    backend: null,
    threads: 0,
  };
  if (baselines.length === 0) {
    const b = (page.behavior = new PerceptualLipSyncBehavior({
      ...behaviorInit(cfg),
      modelManifestUrl: behaviorInit(cfg).manifestUrl,
      workerUrl,
      captureProcessorUrl: new URL('capture-processor.js', location.href).href,
      audioContext: ctx,
      ...(cfg.processingMarginMs !== undefined ? { processingMarginMs: cfg.processingMarginMs } : {}),
    }));
    avatar.face.addBehavior(b, true);
    b.onErrorObservable.add((e) => page.errors.push(`${e.name}: ${e.message}`));
    // Frame cost: from the first before-render observer to the behavior's frame event (playout +
    // solve + apply, plus the telemetry read-back when telemetry is subscribed).
    scene.onBeforeRenderObservable.add(
      () => {
        page.frameStart = performance.now();
      },
      undefined,
      true,
    );
    b.onFrameObservable.add((f) => {
      const perf = performance.now();
      page.frameCostMs.push(perf - page.frameStart);
      page.playoutStates[f.playout] = (page.playoutStates[f.playout] ?? 0) + 1;
      const cur = ctx.currentTime;
      page.frames.ours.push({
        perf,
        outSec: outClock(ctx, perf),
        value: innerLipAperture(f.points),
        lagSec: cur - f.timeSec,
        srcSec: f.timeSec,
        curSec: cur,
        newestSec: f.lipsTimeSec,
      });
    });
    if (cfg.telemetry) b.onTelemetryObservable.add((t) => page.telemetry.push(t));
    if (cfg.source === 'mic') {
      // The behavior opens the microphone itself; hand it a clone of the tap's stream (same source,
      // same samples), so the onsets the tap sees are the ones the behavior captures.
      const original = navigator.mediaDevices.getUserMedia;
      const tapStream = page.stream!;
      navigator.mediaDevices.getUserMedia = async () => tapStream.clone();
      try {
        await b.startAsync({ kind: 'microphone' });
      } finally {
        navigator.mediaDevices.getUserMedia = original;
      }
    } else {
      await b.startAsync({ kind: 'audioNode', node: source });
    }
    // The stats client joins the behavior's shared worker (same URL + init key): no second worker.
    // The head is part of that key: the one the behavior resolved from `latencyMode` for this source.
    page.statsClient = await acquireLipSyncWorkerAsync(workerUrl, {
      ...behaviorInit(cfg),
      latencyHead: b.latencyHead ?? 'balanced',
    });
    const w = page.statsClient.info;
    info = {
      workers: liveLipSyncWorkerCount(),
      backend: w.backend,
      threads: w.wasmThreads,
      outputsPerRun: w.outputsPerRun,
      latencyHead: w.latencyHead,
      lookaheadMs: w.lookaheadMs,
    };
    if (page.playback) {
      // The delay the behavior put between the tap and the speakers (its own number, not a copy of its
      // formula): look-ahead + analysis window + chunk + batching + smoothing lead + processing margin.
      const graph = (b as unknown as { _playbackGraph: { delaySec: number } | null })._playbackGraph;
      if (!graph) throw new Error('playback phase without a delay-compensated graph');
      page.playback.delaySec = graph.delaySec;
    } else {
      await probeChunkSizeAsync(ctx, source);
      startWorkerProbe();
    }
  } else if (page.playback) {
    source.connect(ctx.destination);
  }
  if (page.playback) {
    page.playback.startSec = ctx.currentTime + 0.3;
    (source as AudioBufferSourceNode).start(page.playback.startSec);
  }
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    page.renderAheadSec.push(ctx.currentTime - outClock(ctx, now));
    page.scene?.onBeforeRenderObservable.notifyObservers(scene);
    if (baselines.includes('rms')) {
      page.frames.rms.push({ perf: now, outSec: outClock(ctx, now), value: page.rmsOpening });
    }
    if (page.headAudio) {
      page.headAudio.update(now - last);
      let v = 0;
      for (const [k, x] of Object.entries(page.visemes)) v += (VISEME_OPENING[k] ?? 0) * x;
      const p = performance.now();
      page.frames.headaudio.push({ perf: p, outSec: outClock(ctx, p), value: v });
    }
    last = now;
    page.rafId = requestAnimationFrame(tick);
  };
  page.rafId = requestAnimationFrame(tick);
  return info;
}

/**
 * Samples per chunk of the capture worklet: a second instance of the same processor (loaded by the
 * behavior) on the same source, until its first chunk arrives (≤ 1 s); then it is stopped.
 */
async function probeChunkSizeAsync(ctx: AudioContext, source: AudioNode): Promise<void> {
  const node = new AudioWorkletNode(ctx, CAPTURE_PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 1 });
  const channel = new MessageChannel();
  const first = new Promise<number>((resolve) => {
    channel.port1.onmessage = (e: MessageEvent<{ samples: Float32Array }>) => resolve(e.data.samples.length);
    setTimeout(() => resolve(0), 1000);
  });
  node.port.postMessage({ type: 'connect', port: channel.port2 }, [channel.port2]);
  source.connect(node);
  node.connect(ctx.destination); // silent output: keeps the graph pulling the node, as the behavior does
  page.chunkSamples = await first;
  node.port.postMessage({ type: 'stop' });
  source.disconnect(node);
  node.disconnect();
  channel.port1.close();
}

/**
 * Every 250 ms while ours runs: one `getStats` round trip to the shared worker (the message hop, twice,
 * behind whatever the worker is running), the generator run times since the last poll, the ONNX queue.
 */
function startWorkerProbe(): void {
  const poll = async () => {
    const client = page.statsClient;
    if (!client) return;
    const t = performance.now();
    const s = await client.api.getStats().catch(() => null);
    if (!s) return; // restarted worker: pollStatsAsync rejoins
    page.probe.rttMs.push(performance.now() - t);
    page.probe.queueDepth.push(s.queueDepth);
    if (page.probe.runsSeen >= 0) {
      const fresh = Math.min(s.generatorRuns - page.probe.runsSeen, s.generatorRunMs.length);
      page.probe.runMs.push(...s.generatorRunMs.slice(s.generatorRunMs.length - fresh));
    }
    page.probe.runsSeen = s.generatorRuns;
  };
  page.probeTimer = setInterval(() => void poll().catch(() => undefined), 250);
}

/** Worker counters now (ours only), with a timestamp. */
async function pollStatsAsync(): Promise<(WorkerStats & { workerEpoch: number }) | null> {
  if (!page.statsClient) return null;
  let stats: WorkerStats;
  try {
    stats = await page.statsClient.api.getStats();
  } catch (e) {
    // The worker was restarted under us (the behavior's hang watchdog on a loaded machine): join the
    // new one. Its counters start from zero, so the phase reports the restart instead of a difference.
    page.errors.push(`bench stats client: ${(e as Error).message}; rejoined the worker`);
    page.workerEpoch++;
    const old = page.statsClient;
    page.statsClient = null;
    await old.releaseAsync().catch(() => undefined);
    page.statsClient = await acquireLipSyncWorkerAsync(workerUrl, behaviorInit(page.config!));
    page.probe.runsSeen = -1;
    stats = await page.statsClient.api.getStats();
  }
  page.stats.push({ perf: performance.now(), stats });
  return { ...stats, workerEpoch: page.workerEpoch };
}

/** Main-thread JS heap (needs --enable-precise-memory-info for exact numbers). */
function heap(): { usedJSHeapSize: number; totalJSHeapSize: number } | null {
  const m = (performance as unknown as { memory?: { usedJSHeapSize: number; totalJSHeapSize: number } })
    .memory;
  return m ? { usedJSHeapSize: m.usedJSHeapSize, totalJSHeapSize: m.totalJSHeapSize } : null;
}

/** Page + workers memory (cross-origin isolated pages only); null when unavailable or slow. */
async function uaMemoryAsync(timeoutMs = 20000): Promise<unknown> {
  const f = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<unknown> })
    .measureUserAgentSpecificMemory;
  if (!f) return { unavailable: 'performance.measureUserAgentSpecificMemory is not defined' };
  return Promise.race([
    f.call(performance),
    new Promise((r) => setTimeout(() => r({ unavailable: `no result within ${timeoutMs} ms` }), timeoutMs)),
  ]);
}

interface OnsetResult {
  onsetSec: number;
  latencyMs: number | null;
  peakChange: number;
}

/**
 * First applied change after each onset: the first frame whose value differs from the mean of the
 * pre-onset frames by more than `delta`. `clockOf` maps a frame to the timeline the onsets are on.
 */
function onsetLatencies(
  onsets: number[],
  frames: FrameRecord[],
  clockOf: (f: FrameRecord) => number,
  delta: number,
  window: { preFrom: number; preTo: number; searchFrom: number; searchTo: number },
  selectOf: (f: FrameRecord) => number = clockOf,
): OnsetResult[] {
  const out: OnsetResult[] = [];
  for (const t of onsets) {
    const pre = frames.filter((f) => selectOf(f) >= t + window.preFrom && selectOf(f) < t + window.preTo);
    const post = frames.filter(
      (f) => selectOf(f) >= t + window.searchFrom && selectOf(f) <= t + window.searchTo,
    );
    if (pre.length < 3 || post.length < 3) continue;
    const base = pre.reduce((a, f) => a + f.value, 0) / pre.length;
    let peak = 0;
    let hit: FrameRecord | null = null;
    for (const f of post) {
      const d = Math.abs(f.value - base);
      peak = Math.max(peak, d);
      if (!hit && d > delta) hit = f;
    }
    out.push({ onsetSec: t, latencyMs: hit ? (clockOf(hit) - t) * 1000 : null, peakChange: peak });
  }
  return out;
}

/** Change thresholds: ours in metres of inner-lip aperture, baselines in opening units. */
const DELTA: Record<Subject, number> = { ours: 0.0005, rms: 0.05, headaudio: 0.05 };

function analyse() {
  const ctx = page.ctx!;
  const renderAhead = summarize(page.renderAheadSec).p50 ?? 0;
  const subjects = (page.config?.baselines?.length ? page.config.baselines : ['ours']) as Subject[];
  const result: Record<string, unknown> = {
    renderAheadSec: summarize(page.renderAheadSec),
    sampleRate: ctx.sampleRate,
    baseLatencySec: ctx.baseLatency,
    outputLatencySec: ctx.outputLatency,
  };
  for (const s of subjects) {
    const frames = page.frames[s];
    let onsets: OnsetResult[];
    let mode: string;
    if (page.playback && s === 'ours') {
      // Playback: the onset is heard at start + position + delay (output timeline); compare with the
      // heard time at which the lips changed. Lips may lead, so search from 150 ms before.
      const p = page.playback;
      const heard: number[] = [];
      const end = ctx.currentTime;
      for (let k = 0; ; k++) {
        const base = p.startSec + k * p.durationSec + p.delaySec;
        if (base > end || (!p.loop && k > 0)) break;
        for (const o of p.onsetsInBufferSec) if (base + o < end - 0.6) heard.push(base + o);
      }
      onsets = onsetLatencies(heard, frames, (f) => f.outSec, DELTA[s], {
        preFrom: -0.35,
        preTo: -0.15,
        searchFrom: -0.15,
        searchTo: 0.5,
      });
      mode = 'heard-error';
    } else {
      // Microphone (and baselines): onset on the render timeline (arrival in the worklet); frames
      // mapped to the render timeline through the measured render-ahead.
      const onsetsSec = page.onsetsSec.filter((t) => t < ctx.currentTime - 0.6);
      // Ours: frames are picked by the audio time of the lips they show (srcSec), so a playout lag
      // longer than the onset spacing still pairs each onset with the lips generated from it.
      onsets = onsetLatencies(
        onsetsSec,
        frames,
        (f) => f.outSec + renderAhead,
        DELTA[s],
        { preFrom: -0.25, preTo: 0, searchFrom: 0, searchTo: 0.6 },
        s === 'ours' ? (f) => f.srcSec ?? f.outSec + renderAhead : undefined,
      );
      mode = 'capture-to-applied';
    }
    const lat = onsets.map((o) => o.latencyMs).filter((x): x is number => x !== null);
    const gaps: number[] = [];
    for (let i = 1; i < frames.length; i++) gaps.push(frames[i].perf - frames[i - 1].perf);
    result[s] = {
      mode,
      onsets: onsets.length,
      detected: lat.length,
      latencyMs: summarize(lat),
      perOnset: onsets.map((o) => ({
        t: Math.round(o.onsetSec * 1000) / 1000,
        ms: o.latencyMs === null ? null : Math.round(o.latencyMs * 10) / 10,
        peak: Math.round(o.peakChange * 1e5) / 1e5,
      })),
      frames: frames.length,
      frameIntervalMs: summarize(gaps),
    };
  }
  result.frameCostMs = summarize(page.frameCostMs);
  result.playoutStates = page.playoutStates;
  const ours = page.frames.ours;
  result.oursApertureMm = summarize(ours.map((f) => f.value * 1000));
  // The shown-lips lag is over frames that show lips (as the timing chain's): renders before the first
  // frame block show the rest pose, whatever playout target they were sampled at.
  result.oursLagMs = summarize(
    ours
      .filter((f) => f.lagSec !== undefined && f.newestSec !== undefined && Number.isFinite(f.newestSec))
      .map((f) => f.lagSec! * 1000),
  );
  result.tapOnsetsSec = page.onsetsSec.map((t) => Math.round(t * 10000) / 10000);
  if (!page.playback && ours.length) result.chainRaw = chainRaw(ctx, ours);
  return result;
}

/**
 * What the timing chain (bench/lib/timingChain.ts) needs from the page, over the applied frames that had
 * lips (`lipsTimeSec` finite): the shown-lips lag (audio clock minus the time shown), its mean and low
 * percentile (the playout target's floor, reached between load spikes), the render interval, the
 * render quantum, the capture chunk size, the capture resampler's delay and the worker probe.
 */
function chainRaw(ctx: AudioContext, frames: FrameRecord[]) {
  const withLips = frames.filter((f) => f.newestSec !== undefined && Number.isFinite(f.newestSec));
  const lag = withLips.map((f) => (f.curSec! - f.srcSec!) * 1000);
  const gaps: number[] = [];
  for (let i = 1; i < frames.length; i++) gaps.push(frames[i].perf - frames[i - 1].perf);
  return {
    frames: withLips.length,
    lagMeanMs: summarize(lag).mean,
    lagP50Ms: summarize(lag).p50,
    lagP5Ms: percentile(lag, 5),
    renderIntervalMeanMs: summarize(gaps).mean,
    sampleRate: ctx.sampleRate,
    baseLatencySec: ctx.baseLatency,
    quantumFrames: page.quantumFrames,
    resamplerLatencySamples16k: new StreamingResampler(ctx.sampleRate, 16000).latencySamples,
    chunkSamples16k: page.chunkSamples,
    probe: {
      rttMs: summarize(page.probe.rttMs),
      runMs: summarize(page.probe.runMs),
      queueDepth: summarize(page.probe.queueDepth),
    },
  };
}

async function stopAsync() {
  if (page.probeTimer) clearInterval(page.probeTimer);
  page.probeTimer = 0;
  const analysis = analyse();
  cancelAnimationFrame(page.rafId);
  const telemetry = page.telemetry.slice(-3);
  page.behavior?.dispose();
  page.behavior = null;
  await page.statsClient?.releaseAsync();
  page.statsClient = null;
  page.headAudio?.disconnect();
  page.headAudio = null;
  for (const n of page.nodes.splice(0)) n.disconnect();
  page.stream?.getTracks().forEach((t) => t.stop());
  page.stream = null;
  await page.ctx?.close();
  page.ctx = null;
  page.avatar?.dispose();
  page.scene?.dispose();
  page.engine?.dispose();
  page.avatar = null;
  page.scene = null;
  page.engine = null;
  return { analysis, telemetry, errors: page.errors.splice(0) };
}

/**
 * Streams a wav through a fresh worker at real-time pace (10 ms chunks, `pushAudio`), and returns the
 * generator's run times: inference ms per second of audio on the given provider and threads.
 */
async function inferenceAsync(cfg: {
  manifestUrl: string;
  executionProviders: ('webgpu' | 'wasm')[];
  numThreads: number;
  wavUrl: string;
  seconds: number;
}) {
  const init = { ...behaviorInit({ ...cfg, source: 'mic', telemetry: false }), fetchAttempts: 2 };
  const client = await acquireLipSyncWorkerAsync(workerUrl, init);
  const bytes = await (await fetch(cfg.wavUrl)).arrayBuffer();
  const off = new OfflineAudioContext(1, 16000, 16000);
  const audio = (await off.decodeAudioData(bytes)).getChannelData(0);
  let frames = 0;
  await client.api.openPushStream(
    1,
    proxy((b: { frames: number }) => {
      frames += b.frames;
    }),
  );
  // Warm-up (wasm compile, WebGPU shader compile): 0.5 s of audio, then wait for its frames (≤ 120 s).
  const warmStart = performance.now();
  for (let i = 0; i < 50; i++) {
    void client.api.pushAudio(1, {
      samples: audio.slice(i * 160, i * 160 + 160),
      firstSample: i * 160,
      contextTimeSec: i / 100,
    });
  }
  while (frames < 20 && performance.now() - warmStart < 120000) await new Promise((r) => setTimeout(r, 100));
  const warmUpMs = performance.now() - warmStart;
  const runMs: number[] = [];
  let seenRuns = (await client.api.getStats()).generatorRuns;
  const collect = async () => {
    const s = await client.api.getStats();
    const fresh = s.generatorRuns - seenRuns;
    runMs.push(...s.generatorRunMs.slice(Math.max(0, s.generatorRunMs.length - fresh)));
    seenRuns = s.generatorRuns;
    return s;
  };
  const chunk = 160;
  const total = Math.floor(cfg.seconds * 100);
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const off0 = (i * chunk) % (audio.length - chunk);
    const samples = audio.slice(off0, off0 + chunk);
    void client.api.pushAudio(1, { samples, firstSample: (i + 50) * chunk, contextTimeSec: (i + 50) / 100 });
    if (i % 25 === 24) await collect();
    const wait = t0 + (i + 1) * 10 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await new Promise((r) => setTimeout(r, 300));
  const s = await collect();
  const wallSec = (performance.now() - t0) / 1000;
  await client.api.closeStream(1);
  await client.releaseAsync();
  const sum = runMs.reduce((a, b) => a + b, 0);
  return {
    backend: client.info.backend,
    wasmThreads: client.info.wasmThreads,
    audioSec: total / 100,
    wallSec,
    warmUpMs,
    runs: runMs.length,
    runMs: summarize(runMs),
    inferenceMsPerAudioSec: sum / (total / 100),
    framesOut: frames,
    droppedChunks: s.droppedChunks,
  };
}

/** Per-model run time, one worker per provider/thread setting (bench/pages/ortBench.worker.ts). */
async function modelRunsAsync(cfg: {
  manifestUrl: string;
  provider: 'webgpu' | 'wasm';
  numThreads: number;
  reps: number;
  timeoutMs: number;
}) {
  const w = new Worker(new URL('ort-bench.js', location.href), { type: 'module' });
  const result = await new Promise((resolve) => {
    // SwiftShader WebGPU can take minutes on a loaded machine: report a timeout instead of hanging.
    setTimeout(
      () => resolve({ provider: cfg.provider, error: `no result within ${cfg.timeoutMs} ms` }),
      cfg.timeoutMs,
    );
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => resolve({ provider: cfg.provider, error: e.message });
    w.postMessage({
      ...cfg,
      manifestUrl: new URL(cfg.manifestUrl, location.href).href,
      wasmPaths: new URL('ort/', location.href).href,
    });
  });
  w.terminate();
  return result;
}

/** Soak snapshot: lag of the shown lips behind the audio clock, p50 over frames since `sinceMs`. */
function lagSince(sinceMs: number) {
  const lags = page.frames.ours
    .filter((f) => f.perf >= sinceMs && f.lagSec !== undefined)
    .map((f) => f.lagSec! * 1000);
  return { now: performance.now(), lagMs: summarize(lags) };
}

/** Drops frame records older than `beforeMs` (long soaks), keeping the last 5 s for onset analysis. */
function trimFrames(beforeMs: number) {
  for (const k of Object.keys(page.frames) as Subject[])
    page.frames[k] = page.frames[k].filter((f) => f.perf >= beforeMs);
  if (page.frameCostMs.length > 20000) page.frameCostMs = page.frameCostMs.slice(-20000);
  if (page.renderAheadSec.length > 20000) page.renderAheadSec = page.renderAheadSec.slice(-20000);
  // Four live samples a second: the 30-minute soak of 2026-11-22 kept all ~7,200 (~3 MB of the +3.3 MB
  // main-thread heap it measured, estimated from a sample's size).
  if (page.telemetry.length > 1000) page.telemetry = page.telemetry.slice(-1000);
}

/**
 * HeadAudio on the quality clips, live in real time: each clip plays into HeadAudio; its aperture
 * (viseme weights × VISEME_OPENING) is sampled per animation frame against the heard audio time and
 * resampled to the reference's 50 fps grid (value shown at each frame's centre).
 */
async function realTracksAsync(utts: { id: string; wav: string; frames: number }[]) {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.audioWorklet.addModule(new URL('headaudio/headworklet.min.mjs', location.href));
  const ha = new HeadAudio(ctx, {
    processorOptions: {},
    parameterData: { vadGateActiveDb: -40, vadGateInactiveDb: -60 },
  });
  await ha.loadModel(new URL('headaudio/model-en-mixed.bin', location.href).href);
  const visemes: Record<string, number> = {};
  ha.onvalue = (k, v) => {
    visemes[k] = v;
  };
  const tracks: Record<string, number[]> = {};
  for (const u of utts) {
    const buffer = await ctx.decodeAudioData(
      await (await fetch(new URL(u.wav, location.href))).arrayBuffer(),
    );
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(ha);
    const t0 = ctx.currentTime + 0.2;
    src.start(t0);
    const rec: { t: number; v: number }[] = [];
    await new Promise<void>((done) => {
      let last = performance.now();
      const tick = () => {
        const now = performance.now();
        ha.update(now - last);
        last = now;
        let v = 0;
        for (const [k, x] of Object.entries(visemes)) v += (VISEME_OPENING[k] ?? 0) * x;
        const t = outClock(ctx, now) - t0;
        rec.push({ t, v });
        if (t > buffer.duration + 0.3) done();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    src.disconnect();
    const track: number[] = [];
    let i = 0;
    for (let j = 0; j < u.frames; j++) {
      const tc = (j + 0.5) / 50;
      while (i + 1 < rec.length && rec[i + 1].t <= tc) i++;
      track.push(rec[i].t <= tc ? rec[i].v : 0);
    }
    tracks[u.id] = track;
  }
  ha.disconnect();
  await ctx.close();
  return tracks;
}

const bench = {
  realTracksAsync,
  lagSince,
  trimFrames,
  analyse,
  startAsync,
  stopAsync,
  pollStatsAsync,
  heap,
  uaMemoryAsync,
  inferenceAsync,
  modelRunsAsync,
};
(globalThis as unknown as { bench: typeof bench }).bench = bench;
document.title = 'bench-ready';
