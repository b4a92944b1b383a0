/**
 * The mic path's timing chain: each stage's share of the measured shown-lips lag (audio clock
 * `currentTime` minus the audio time of the lips shown, `onFrameObservable`'s `timeSec`; mean over applied
 * frames), summing to it exactly.
 *
 * Where the numbers come from:
 * - **constant**, from their one source, never copied: the feature spec (spec/features-v1.json, which
 *   src/features reads), the model manifest (look-ahead, mel frames per output step), the worker's info
 *   (outputs per run), the AudioContext (sample rate), the tap worklet (render quantum), the capture
 *   worklet (chunk size, from a probe instance) and `StreamingResampler.latencySamples`;
 * - **measured** through the public API and the worker's stats: generator run times (`getStats`), and
 *   the lag's own distribution: the playout target follows the frames' arrival lag with a fast attack and
 *   a slow release, so the lag's mean above its 5th percentile is what load spikes add to the buffer;
 * - **estimated**: the message hops (one main ↔ worker round trip);
 * - **measured remainder**: the rest of the lag. It holds what cannot be seen from outside src/: the
 *   playout's fixed margin behind the newest frame, the worker's queue wait, the audio callback's
 *   buffering and scheduling delays on a loaded machine, plus the error of the estimated stage.
 *
 * Render does not enter this lag: the playout target is set when frames arrive and `timeSec` is read in
 * the same render as `currentTime`. It delays the visible change instead (half a render interval on
 * average), which the onset latencies include; it is listed with that number and 0 ms of lag.
 */

/** Raw numbers from the bench page (`chainRaw` in bench/pages/benchPage.ts). */
export interface IChainRaw {
  frames: number;
  lagMeanMs: number | null;
  lagP50Ms: number | null;
  lagP5Ms: number | null;
  renderIntervalMeanMs: number | null;
  sampleRate: number;
  quantumFrames: number;
  resamplerLatencySamples16k: number;
  chunkSamples16k: number;
  probe: {
    rttMs: { p50: number | null };
    runMs: { mean: number | null; n: number };
    queueDepth: { mean: number | null };
  };
}

/** The feature spec fields the chain needs (spec/features-v1.json). */
export interface IChainFeatureSpec {
  sampleRateHz: number;
  frameLengthSamples: number;
  hopLengthSamples: number;
}

/** The generator manifest fields the chain needs (models/manifest.json `generator`). */
export interface IChainGenerator {
  melFramesPerOutputFrame: number;
  lookaheadFrames: number;
  lookaheadMs?: number;
  frameRateHz: number;
}

/** One stage: its share of the lag, ms, and how that number was obtained. */
export interface IChainStage {
  id: string;
  stage: string;
  ms: number;
  source: 'constant' | 'measured' | 'estimated' | 'measured remainder';
  how: string;
}

/** The chain and the totals it must add up to. */
export interface ITimingChain {
  stages: IChainStage[];
  /** Sum of the stages (equals `lagMeanMs` up to rounding). */
  sumMs: number;
  lagMeanMs: number;
  lagP50Ms: number | null;
  /** Stages fixed by the model and features (physics of this design): look-ahead, window, framing. */
  algorithmicMs: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Builds the chain from one phase's page numbers.
 * @param raw defines the page's numbers (null fields make the chain null)
 * @param spec defines the feature spec
 * @param gen defines the generator manifest
 * @param outputsPerRun defines the worker's outputs per generator run (worker info)
 * @returns the stages, or null when the phase had no frames with lips
 */
export function timingChain(
  raw: IChainRaw,
  spec: IChainFeatureSpec,
  gen: IChainGenerator,
  outputsPerRun: number,
): ITimingChain | null {
  if (raw.lagMeanMs === null || raw.lagP5Ms === null) return null;
  const sr = spec.sampleRateHz;
  const hop = spec.hopLengthSamples;
  const k = gen.melFramesPerOutputFrame;
  const lookaheadMs = gen.lookaheadMs ?? (gen.lookaheadFrames * hop * 1000) / sr;
  // Output j (time = start of mel frame j·k) is final once mel frame (j + look-ahead)·k + k − 1 is
  // complete: its last sample lies look-ahead + (k − 1) hops + one window after the frame's time.
  const lastSample = gen.lookaheadFrames * hop + (k - 1) * hop + spec.frameLengthSamples;
  const chunk = raw.chunkSamples16k;
  // Frame times sit on the output-step grid of the capture, chunk boundaries on the chunk grid: when
  // one grid contains the other, the wait for the chunk holding the last sample is fixed; else half a
  // chunk on average.
  const chunkWait =
    chunk > 0 ? ((k * hop) % chunk === 0 ? (chunk - (lastSample % chunk)) % chunk : chunk / 2) : 0;
  const stages: IChainStage[] = [
    {
      id: 'render-quantum',
      stage: 'render quantum',
      ms: (raw.quantumFrames / 2 / raw.sampleRate) * 1000,
      source: 'constant',
      how: `half a ${raw.quantumFrames}-frame quantum at ${raw.sampleRate} Hz on average (the worklet posts in the quantum that completes a chunk)`,
    },
    {
      id: 'resampler',
      stage: 'capture resampler',
      ms: (raw.resamplerLatencySamples16k / sr) * 1000,
      source: 'constant',
      how: `StreamingResampler(${raw.sampleRate} → ${sr}).latencySamples = ${raw.resamplerLatencySamples16k}`,
    },
    {
      id: 'chunking',
      stage: 'capture chunking',
      ms: (chunkWait / sr) * 1000,
      source: 'constant',
      how: `${chunk}-sample chunks (probe of the capture worklet): the frame's last sample waits ${chunkWait} samples for its chunk to fill`,
    },
    {
      id: 'mel-window',
      stage: 'mel window',
      ms: (spec.frameLengthSamples / sr) * 1000,
      source: 'constant',
      how: `frameLengthSamples ${spec.frameLengthSamples} at ${sr} Hz (a frame is stamped at its start)`,
    },
    {
      id: 'lookahead',
      stage: 'model look-ahead',
      ms: lookaheadMs,
      source: 'constant',
      how: `manifest generator.lookaheadMs (${gen.lookaheadFrames} mel frames)`,
    },
    {
      id: 'output-framing',
      stage: 'output framing (a step waits for its last mel frame)',
      ms: (((k - 1) * hop) / sr) * 1000,
      source: 'constant',
      how: `melFramesPerOutputFrame ${k}: ${k - 1} more hop(s) of ${(hop / sr) * 1000} ms`,
    },
    {
      id: 'batching',
      stage: 'worker batching',
      ms: ((outputsPerRun - 1) / gen.frameRateHz) * 1000,
      source: 'constant',
      how: `worker info outputsPerRun ${outputsPerRun}`,
    },
    {
      id: 'inference',
      stage: 'worker inference (generator run)',
      ms: raw.probe.runMs.mean ?? 0,
      source: 'measured',
      how: `mean of ${raw.probe.runMs.n} getStats().generatorRunMs; ONNX queue depth mean ${raw.probe.queueDepth.mean ?? '–'}`,
    },
    {
      id: 'message-hop',
      stage: 'message hops (worklet → worker → main)',
      ms: raw.probe.rttMs.p50 ?? 0,
      source: 'estimated',
      how: 'p50 of one main ↔ worker getStats round trip (two hops, behind whatever the worker runs)',
    },
    {
      id: 'jitter-growth',
      stage: 'playout jitter buffer: growth after late frames',
      ms: raw.lagMeanMs - raw.lagP5Ms,
      source: 'measured',
      how: `lag mean minus its 5th percentile (${r1(raw.lagP5Ms)} ms): the fast-attack, slow-release playout target above its floor`,
    },
  ];
  const known = stages.reduce((a, s) => a + s.ms, 0);
  stages.push(
    {
      id: 'remainder',
      stage:
        'measured remainder: playout margin behind the newest frame, worker queue wait, audio callback buffering, scheduling',
      ms: raw.lagMeanMs - known,
      source: 'measured remainder',
      how: 'the lag minus every stage above; not observable from outside src/ through the public API',
    },
    {
      id: 'render',
      stage: 'render',
      ms: 0,
      source: 'measured',
      how: `0 in this lag (timeSec and currentTime are read in the same render); the visible change waits half a render interval on average (${r1((raw.renderIntervalMeanMs ?? 0) / 2)} ms), inside the onset latencies`,
    },
  );
  const sum = stages.reduce((a, s) => a + s.ms, 0);
  const algorithmic = stages
    .filter((s) => ['mel-window', 'lookahead', 'output-framing'].includes(s.id))
    .reduce((a, s) => a + s.ms, 0);
  return {
    stages: stages.map((s) => ({ ...s, ms: r1(s.ms) })),
    sumMs: r1(sum),
    lagMeanMs: r1(raw.lagMeanMs),
    lagP50Ms: raw.lagP50Ms === null ? null : r1(raw.lagP50Ms),
    algorithmicMs: r1(algorithmic),
  };
}
