/**
 * What the live sync monitor reports, a few times per second while speech is present, and once per
 * utterance as a summary. Every number is finite: fields that cannot be measured yet are `null`,
 * never NaN. Nothing is reported from silence.
 */

/** Execution backend an ONNX session actually runs on. */
export type InferenceBackend = 'webgpu' | 'wasm';

/** Timing statistics of one model's inference runs, milliseconds. */
export interface IInferenceTiming {
  /** Median run time over the last window, ms. Lower is better. */
  readonly p50Ms: number;
  /** 95th-percentile run time over the last window, ms. Lower is better. */
  readonly p95Ms: number;
  /** Runs measured in the window. */
  readonly runs: number;
}

/** One live telemetry update (`PerceptualLipSyncBehavior.onTelemetryObservable`). */
export interface ITelemetrySample {
  /** `"live"` for rolling updates, `"utterance"` for the summary after a stretch of speech ends. */
  readonly kind: 'live' | 'utterance';
  /** Audio-clock time of the end of the measured window, seconds (AudioContext time). */
  readonly timeSec: number;
  /**
   * Lip readability: live PLRS, mean cosine similarity in [-1, 1] between the metric speech encoder's
   * embedding of the speech and the mesh encoder's embedding of the lips read back from the deformed
   * avatar (what the viewer sees). Higher is better. `null` until a full window was scored.
   */
  readonly plrs: number | null;
  /**
   * Temporal sync: estimated audio-visual offset, ms; positive = lips late. Argmax of the
   * representation's similarity over shifts of ±250 ms. Closer to 0 is better; |offset| > 45 ms warns.
   */
  readonly avOffsetMs: number | null;
  /**
   * 200 ms speech windows scored by the metric encoders behind `plrs` and `avOffsetMs` (0 when the
   * models have no metric encoders; the offset needs at least 3).
   */
  readonly scoredWindows: number;
  /** Confidence of `avOffsetMs` in [0, 1] (peak prominence of the offset curve); 0 when `avOffsetMs` is null. */
  readonly avOffsetConfidence: number;
  /** True when |avOffsetMs| > 45 ms with confidence ≥ 0.5. */
  readonly avOffsetWarning: boolean;
  /** Expressiveness: speech RMS of the window / utterance, dBFS. */
  readonly speechIntensityDb: number | null;
  /** Expressiveness: lip-motion intensity (RMS of mean landmark speed), mm per second. */
  readonly lipIntensityMmPerSec: number | null;
  /** Rolling SLCC over the session's utterances, Pearson r in [-1, 1]; higher = stronger coupling. */
  readonly slcc: number | null;
  /** Inference time per model name (e.g. `generator`, `speechEncoder`, `meshEncoder`). */
  readonly inference: Readonly<Record<string, IInferenceTiming>>;
  /** End-to-end latency estimate from audio capture to the applied frame, ms. Lower is better. */
  readonly latencyMs: number | null;
  /** Backend actually used by the generator session. */
  readonly backend: InferenceBackend | null;
  /** wasm threads in use (1 when not cross-origin isolated). */
  readonly wasmThreads: number;
  /** Audio chunks dropped or coalesced by backpressure since start. Lower is better. */
  readonly droppedChunks: number;
  /** Work items waiting in the worker's queue now. */
  readonly queueDepth: number;
}
