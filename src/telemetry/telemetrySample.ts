/**
 * What the live sync monitor reports, a few times per second while speech is present, and once per
 * utterance as a summary. Every number is finite: fields that cannot be measured yet are `null`,
 * never NaN. Nothing is reported from silence.
 *
 * Speech is a frame speech RMS above 0.01 (−40 dBFS), held for a 300 ms hangover; an utterance needs
 * 100 ms of speech. Live samples cover the last 2 s of speech; utterance summaries (sent about 1 s
 * after the utterance ends, or at `stop()`) cover the whole utterance. The lips measured are read back
 * from the deformed avatar at the audio time being heard (what the viewer sees), on the 50 fps grid.
 */

import type { BackendReason, IBackendChoice } from '../models/providerGuard.ts';
import type { IPlayoutMargin } from '../playout/playoutTiming.ts';

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
  /**
   * Audio-clock time of the end of the measured window, seconds (AudioContext time): the newest frame
   * for live samples, the end of the last speech frame for utterance summaries.
   */
  readonly timeSec: number;
  /**
   * Lip readability: live PLRS, mean cosine similarity in [-1, 1] between the metric speech encoder's
   * embedding of the speech and the mesh encoder's embedding of the lips read back from the deformed
   * avatar (what the viewer sees). Higher is better. `null` until a full window was scored.
   */
  readonly plrs: number | null;
  /**
   * Temporal sync: estimated audio-visual offset, ms; positive = lips late. Argmax (parabola-refined)
   * of the representation's similarity over shifts of ±250 ms in 50 ms steps (`DEFAULT_SHIFT_STEP_MS`;
   * the parabola resolves between them), over at least three 200 ms windows. Closer to 0 is better; |offset| > 45 ms warns. For live microphones it is relative to
   * the captured speech; the microphone-to-lips delay is `latencyMs`.
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
  /**
   * Lips-delay correction in force from option `autoOffsetCorrection`, ms (positive = lips later), added
   * to `lipsDelayMs`; `null` when the option is off. `avOffsetMs` is measured with it applied.
   */
  readonly avOffsetCorrectionMs: number | null;
  /** Expressiveness: speech RMS of the window / utterance (pauses within it included), dBFS. */
  readonly speechIntensityDb: number | null;
  /** Expressiveness: lip-motion intensity (RMS of mean landmark speed), mm per second. */
  readonly lipIntensityMmPerSec: number | null;
  /**
   * Rolling SLCC over the session's last 20 utterances (speech RMS vs lip intensity per utterance),
   * Pearson r in [-1, 1]; higher = stronger coupling. `null` until 3 utterances.
   */
  readonly slcc: number | null;
  /**
   * Inference time per model name (`generator`; `speechEncoder` and `meshEncoder` when the models have
   * metric encoders), over each model's last 64 runs.
   */
  readonly inference: Readonly<Record<string, IInferenceTiming>>;
  /**
   * End-to-end latency estimate from audio capture to the applied frame, ms: the AudioContext time at
   * which a frame is applied minus the capture time of its speech, averaged over the window (for
   * playback sources this includes the deliberate playback delay). Lower is better.
   */
  readonly latencyMs: number | null;
  /**
   * How far the lips are held back beyond what their frames need, and why. Live sources (microphone,
   * media stream): the margin behind the fastest frame-block arrival of the last ~1 s, adaptive: the
   * blocks' arrival jitter (95th percentile minus minimum of their arrival lag), at least 5 ms (`floor`;
   * 20 ms over the first 10 blocks: `start`). Played sources: `processingMarginMs` inside the fixed audio
   * delay (`processing-margin`). Part of `latencyMs`. `null` before the session's playout exists.
   */
  readonly playoutMargin: IPlayoutMargin | null;
  /** Backend actually used by the generator session. */
  readonly backend: InferenceBackend | null;
  /**
   * Why the generator runs on `backend` (the provider guard: e.g. `software-adapter` when WebGPU is a CPU
   * rasterizer, `webgpu-too-slow`, `webgpu-fell-behind` after a handover to wasm while streaming).
   */
  readonly backendReason: BackendReason | null;
  /** Every loaded model's backend and the reason, with the numbers behind it (`generator`, `speechEncoder`, `meshEncoder`). */
  readonly backends: Readonly<Record<string, IBackendChoice>>;
  /** wasm threads in use (1 when not cross-origin isolated). */
  readonly wasmThreads: number;
  /**
   * Audio chunks dropped or coalesced by backpressure since start (generator outputs skipped when the
   * backlog grew, plus capture chunks folded into a running generator pass). Lower is better.
   */
  readonly droppedChunks: number;
  /** Work items waiting in the worker's queue now (ONNX runs queued or running). */
  readonly queueDepth: number;
  /** Times the inference worker crashed or hung and was restarted automatically since start. */
  readonly workerRestarts: number;
  /**
   * Frame gap of the last worker restart, ms: from the crash (or hang) being detected to the first
   * frame of the new worker; the avatar eased to rest meanwhile. `null` until a restart happened. A hang
   * is detected `workerHangTimeoutMs` after the worker stopped answering, which comes on top.
   */
  readonly workerGapMs: number | null;
}
