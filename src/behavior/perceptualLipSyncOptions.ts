/**
 * Options of `PerceptualLipSyncBehavior`: documented data with units in the names and defaults in
 * one frozen object; `validatePerceptualLipSyncOptions` merges and checks a partial set.
 */
import {
  ASSET_CAPTURE_PROCESSOR_FILE,
  ASSET_MODEL_MANIFEST_FILE,
  ASSET_WORKER_FILE,
} from '../assetLayout.ts';
import { InvalidOptionError } from '../errors.ts';
import type { ExecutionProvider } from '../models/onnxBackend.ts';
import type { LatencyMode } from '../playout/playoutTiming.ts';
import { DEFAULT_SMOOTHING_MS } from '../playout/smoothing.ts';
import type { IRigOptions } from '../rig/rigOptions.ts';

/** Options of `PerceptualLipSyncBehavior`. */
export interface IPerceptualLipSyncOptions {
  /**
   * URL of the folder `npx perceptual-lipsync assets <dir>` wrote (e.g. `'/lipsync/'` for
   * `public/lipsync/` in a Vite app). When set, `modelManifestUrl`, `wasmPaths`, `workerUrl` and
   * `captureProcessorUrl` default to the files in it, so no bundler has to find or emit them; options
   * given explicitly still win. Relative URLs resolve against the page.
   * @default undefined (each file at its own default)
   */
  assetBaseUrl: string | undefined;
  /**
   * URL of the models' `manifest.json`.
   * @default `models/manifest.json` next to the page, or in `assetBaseUrl` when that is set
   */
  modelManifestUrl: string;
  /** ONNX execution providers in order of preference. @default ['webgpu', 'wasm'] */
  executionProviders: ExecutionProvider[];
  /**
   * URL prefix (folder) of onnxruntime-web's `ort-wasm-simd-threaded.jsep.wasm`; its `.mjs` glue is fetched
   * from there too only with `numThreads` > 1 (otherwise the worker's embedded copy is used).
   * @default `assetBaseUrl` when set, else next to the worker bundle
   */
  wasmPaths: string | undefined;
  /**
   * wasm threads for inference (1 without cross-origin isolation). On a 2-core machine a second ORT
   * thread competes with the page and audio threads: bench/results/SUMMARY.md measured the worker
   * falling seconds behind with 2 and keeping up with 1, so 1 is the default. @default 1
   */
  numThreads: number;
  /**
   * URL of the worker bundle.
   * @default `worker.js` in `assetBaseUrl` when set, else `dist/worker.js` next to the library (found by
   * bundlers that understand `new URL('./worker.js', import.meta.url)`)
   */
  workerUrl: string | URL | undefined;
  /**
   * URL of the capture worklet bundle.
   * @default `capture-processor.js` in `assetBaseUrl` when set, else `dist/capture-processor.js` next to the library
   */
  captureProcessorUrl: string | URL | undefined;
  /** An AudioContext to use (left open on dispose); by default one is created and closed. */
  audioContext: AudioContext | undefined;
  /** Gain on the lip motion: 0 = still, 1 = as generated, > 1 exaggerated. @default 1 */
  intensity: number;
  /** Smoothing time constant of the lip motion, milliseconds (0 = off). @default 20 */
  smoothingMs: number;
  /**
   * For sources the behavior plays (URL, AudioBuffer, media element, audio node): delay the sound by
   * look-ahead + processing so lips land exactly on time. Live microphones are never delayed.
   * @default true
   */
  audioDelayCompensation: boolean;
  /**
   * Which generator head runs (models whose manifest has `latencyModes`; others always run their one
   * generator, reported as `balanced`): `live` (least look-ahead: lips soonest after the speech),
   * `balanced` (the manifest's `generator`, 40 ms look-ahead in the shipped models) or `playback` (most
   * look-ahead: the best lips, for sound that can wait). `auto` picks from the source at start: `live`
   * for speech heard as it happens (microphone, mediaStream, and any source whose sound the behavior does
   * not delay), `playback` for sources the behavior plays and delays (url, audioBuffer, mediaElement,
   * audioNode, babylonSound, pcmStream with `audioDelayCompensation` and `playAudio` on), whose delay
   * grows by the extra look-ahead so the lips stay on time. The head in force is
   * `PerceptualLipSyncBehavior.latencyHead`.
   * @default 'auto'
   */
  latencyMode: LatencyMode;
  /** Processing margin added to the model look-ahead for the playback delay, milliseconds. @default 80 */
  processingMarginMs: number;
  /** Play the source's sound through the speakers (playback sources only). @default true */
  playAudio: boolean;
  /**
   * For played sources: correct the lips delay automatically from telemetry's A/V offset estimate, gated by
   * its confidence (≥ 0.5, ≥ 5 scored windows, median of three estimates), 80 % of the measured offset per
   * step once the previous step has been measured, bounded to [−processingMarginMs / 2, +250] ms; the
   * correction in force is telemetry's `avOffsetCorrectionMs`. It corrects what telemetry can measure: the
   * lips against the sound the behavior plays, on the AudioContext's clock (a wrong `lipsDelayMs`, lips
   * shown late). Output latency the browser does not report (Bluetooth) happens after that clock, so
   * telemetry cannot see it: set `lipsDelayMs` for it. Needs models with metric encoders and a
   * telemetry subscriber. @default false
   */
  autoOffsetCorrection: boolean;
  /** Rig mapping options (landmark map, allowed morph targets, jaw bone) for ARKit/custom rigs. */
  rig: IRigOptions;
  /** Fetch attempts for model files, with exponential back-off. @default 3 */
  fetchAttempts: number;
  /**
   * The inference worker is pinged a few times per hang timeout; one that leaves a ping unanswered
   * this long is terminated as hung and restarted (like a crash). Longer than any single model run
   * on a loaded machine (1 s gave false alarms on a 2-core CI machine at load 13), short enough that
   * the avatar is not frozen for long; it rests meanwhile. Milliseconds. @default 3000
   */
  workerHangTimeoutMs: number;
  /**
   * Keep an initialised spare inference worker, so a crashed or hung worker is replaced in
   * milliseconds (frames resume well within 1 s) instead of after a cold start of onnxruntime-web and
   * the models (about 1 s on a desktop, 3–5 s measured on a loaded 2-core machine). Costs a second
   * worker's memory, and in headless Chromium 156 on a 2-core machine we measured more: with a spare
   * running, the page's renderer main thread stayed at ~100 % of a core (and V8's thread pool near
   * another) until the page closed, even after `stop()`. Off by default; measure it on your targets.
   * @default false
   */
  standbyWorker: boolean;
}

/** Defaults of `IPerceptualLipSyncOptions`. */
export const DEFAULT_PERCEPTUAL_LIPSYNC_OPTIONS: Readonly<IPerceptualLipSyncOptions> = Object.freeze({
  assetBaseUrl: undefined,
  modelManifestUrl: ASSET_MODEL_MANIFEST_FILE,
  executionProviders: ['webgpu', 'wasm'] as ExecutionProvider[],
  wasmPaths: undefined,
  numThreads: 1,
  workerUrl: undefined,
  captureProcessorUrl: undefined,
  audioContext: undefined,
  intensity: 1,
  smoothingMs: DEFAULT_SMOOTHING_MS,
  audioDelayCompensation: true,
  latencyMode: 'auto',
  processingMarginMs: 80,
  playAudio: true,
  autoOffsetCorrection: false,
  rig: {},
  fetchAttempts: 3,
  workerHangTimeoutMs: 3000,
  standbyWorker: false,
});

/**
 * Merges `options` over the defaults and checks every value. With `assetBaseUrl`, the asset URLs not given
 * explicitly point into that folder.
 * @throws InvalidOptionError naming the field, the value and the allowed range
 */
export function validatePerceptualLipSyncOptions(
  options: Partial<IPerceptualLipSyncOptions> = {},
): IPerceptualLipSyncOptions {
  const bad = (field: string, value: unknown, allowed: string): never => {
    throw new InvalidOptionError(
      `Option ${field} = ${JSON.stringify(value)} is invalid: expected ${allowed}.`,
    );
  };
  const base = options.assetBaseUrl;
  if (base !== undefined && (typeof base !== 'string' || base === '')) {
    bad(
      'assetBaseUrl',
      base,
      "a URL string of the folder 'perceptual-lipsync assets' wrote, e.g. '/lipsync/'",
    );
  }
  // A folder URL: 'lipsync' and 'lipsync/' both mean the folder (URL resolution would drop a last segment).
  const folder = base === undefined ? undefined : base.endsWith('/') ? base : `${base}/`;
  const fromBase: Partial<IPerceptualLipSyncOptions> =
    folder === undefined
      ? {}
      : {
          modelManifestUrl: folder + ASSET_MODEL_MANIFEST_FILE,
          wasmPaths: folder,
          workerUrl: folder + ASSET_WORKER_FILE,
          captureProcessorUrl: folder + ASSET_CAPTURE_PROCESSOR_FILE,
        };
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: IPerceptualLipSyncOptions = { ...DEFAULT_PERCEPTUAL_LIPSYNC_OPTIONS, ...fromBase, ...given };
  if (!Array.isArray(o.executionProviders) || o.executionProviders.length === 0) {
    bad('executionProviders', o.executionProviders, "a non-empty list of 'webgpu' | 'wasm'");
  }
  for (const ep of o.executionProviders) {
    if (ep !== 'webgpu' && ep !== 'wasm')
      bad('executionProviders', o.executionProviders, "'webgpu' or 'wasm' entries");
  }
  if (!(o.intensity >= 0 && o.intensity <= 4)) bad('intensity', o.intensity, 'a number in [0, 4]');
  if (!(o.smoothingMs >= 0 && o.smoothingMs <= 500))
    bad('smoothingMs', o.smoothingMs, 'milliseconds in [0, 500]');
  if (!(o.processingMarginMs >= 0 && o.processingMarginMs <= 1000)) {
    bad('processingMarginMs', o.processingMarginMs, 'milliseconds in [0, 1000]');
  }
  if (!(Number.isInteger(o.numThreads) && o.numThreads >= 1 && o.numThreads <= 16)) {
    bad('numThreads', o.numThreads, 'an integer in [1, 16]');
  }
  if (!(Number.isInteger(o.fetchAttempts) && o.fetchAttempts >= 1 && o.fetchAttempts <= 10)) {
    bad('fetchAttempts', o.fetchAttempts, 'an integer in [1, 10]');
  }
  if (!(o.workerHangTimeoutMs >= 100 && o.workerHangTimeoutMs <= 60000)) {
    bad('workerHangTimeoutMs', o.workerHangTimeoutMs, 'milliseconds in [100, 60000]');
  }
  if (!(['auto', 'live', 'balanced', 'playback'] as unknown[]).includes(o.latencyMode)) {
    bad('latencyMode', o.latencyMode, "'auto', 'live', 'balanced' or 'playback'");
  }
  if (typeof o.standbyWorker !== 'boolean') bad('standbyWorker', o.standbyWorker, 'true or false');
  if (typeof o.autoOffsetCorrection !== 'boolean')
    bad('autoOffsetCorrection', o.autoOffsetCorrection, 'true or false');
  if (typeof o.modelManifestUrl !== 'string' || o.modelManifestUrl === '') {
    bad('modelManifestUrl', o.modelManifestUrl, 'a URL string');
  }
  return o;
}
