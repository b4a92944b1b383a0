/**
 * Builds one `ITelemetrySample` from what the aggregator gathered over its span: the window scores
 * (PLRS, A/V offset), the speech and lip intensity sums, the latency and the system fields. Pure.
 */
import { aggregateWindowScores, type IWindowScore } from './aggregateWindowScores.ts';
import { estimateAvOffset } from './estimateAvOffset.ts';
import type { ITelemetrySample } from './telemetrySample.ts';
import type { ITelemetrySystem } from './telemetrySystem.ts';

/** What a sample is built from. */
export interface ITelemetrySampleInputs {
  readonly kind: 'live' | 'utterance';
  /** Audio-clock time the sample describes (the end of its span), s. */
  readonly timeSec: number;
  /** Window scores inside the span. */
  readonly windows: readonly IWindowScore[];
  /** Speech RMS² sum, its count, lip speed² sum (metres per frame), its count. */
  readonly sums: readonly [number, number, number, number] | readonly number[];
  /** Mean capture → applied latency, s (NaN when unknown). */
  readonly latencySec: number;
  /** Shifts of the windows' similarities, ms. */
  readonly shiftsMs: readonly number[];
  /** Windows a curve needs before an offset is reported. */
  readonly minOffsetWindows: number;
  /** |offset| above which `avOffsetWarning` is raised, ms. */
  readonly warnOffsetMs: number;
  /** Frame spacing, s. */
  readonly frameDurationSec: number;
  /** Rolling SLCC over the utterances so far (null before enough of them). */
  readonly slcc: number | null;
  /** System fields in force. */
  readonly system: ITelemetrySystem;
}

/**
 * @param i defines the span's scores, sums and system fields
 * @returns the sample (`avOffsetCorrectionMs` and `playoutMargin` null: the live sync monitor fills them in)
 */
export function buildTelemetrySample(i: ITelemetrySampleInputs): ITelemetrySample {
  const [rmsSq, rmsN, speedSq, speedN] = i.sums;
  const { kind, timeSec, windows, latencySec } = i;
  const zero = i.shiftsMs.indexOf(0);
  const agg = zero >= 0 ? aggregateWindowScores(windows, zero) : { plrs: null, curve: null, windows: 0 };
  const offset =
    agg.curve && agg.windows >= i.minOffsetWindows ? estimateAvOffset(agg.curve, i.shiftsMs) : null;
  const rms = rmsN > 0 ? Math.sqrt(rmsSq / rmsN) : 0;
  const speed = speedN > 0 ? Math.sqrt(speedSq / speedN) : NaN; // metres per frame
  const confidence = offset?.confidence ?? 0;
  return {
    kind,
    timeSec,
    plrs: finiteOrNull(agg.plrs),
    avOffsetMs: offset ? offset.offsetMs : null,
    avOffsetConfidence: confidence,
    avOffsetWarning: !!offset && Math.abs(offset.offsetMs) > i.warnOffsetMs && confidence >= 0.5,
    avOffsetCorrectionMs: null, // the behavior fills it in when its correction is on
    speechIntensityDb: rms > 0 ? 20 * Math.log10(rms) : null,
    lipIntensityMmPerSec: finiteOrNull((speed / i.frameDurationSec) * 1000),
    slcc: finiteOrNull(i.slcc),
    inference: i.system.inference,
    latencyMs: finiteOrNull(latencySec * 1000),
    playoutMargin: null, // the live sync monitor fills it in from the session's playout
    backend: i.system.backend,
    backendReason: i.system.backends.generator?.reason ?? null,
    backends: i.system.backends,
    wasmThreads: i.system.wasmThreads,
    droppedChunks: i.system.droppedChunks,
    queueDepth: i.system.queueDepth,
    workerRestarts: i.system.workerRestarts,
    workerGapMs: finiteOrNull(i.system.workerGapMs),
    scoredWindows: agg.windows,
  };
}

function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}
