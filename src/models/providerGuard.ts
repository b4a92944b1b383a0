/**
 * Rules of the provider guard (pure: no ORT, no DOM): which execution provider a model runs on, and when a
 * running WebGPU session must hand over to wasm. A provider is kept only if it keeps up with real time;
 * a software WebGPU adapter (SwiftShader, llvmpipe: a CPU rasterizer) is never tried, because there
 * WebGPU is slower than wasm by two orders of magnitude. Measured in headless Chromium 156 with
 * SwiftShader on a loaded 2-core machine, shipped generator, one 20 ms step: first WebGPU run 9.5 s
 * (shader compilation), then ~160 ms per step (8x slower than real time); wasm ~2 ms per step.
 */
import type { ExecutionProvider } from './onnxBackend.ts';

/** What a WebGPU adapter says of itself (`GPUAdapter.info`). */
export interface IGpuAdapterFacts {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for a fallback (software) adapter. */
  readonly isFallbackAdapter: boolean;
}

/**
 * Why a model runs on its backend:
 * - `only-provider`: the one provider asked for (no alternative to compare with);
 * - `faster`: it kept up with real time and was the faster of the providers tried;
 * - `no-webgpu`: the browser has no WebGPU (`navigator.gpu`) or no adapter;
 * - `software-adapter`: WebGPU's adapter is a CPU rasterizer (SwiftShader, llvmpipe…);
 * - `webgpu-failed`: creating or running the WebGPU session failed (error, or no answer in time);
 * - `webgpu-too-slow`: WebGPU did not keep up with real time in its trial runs;
 * - `webgpu-fell-behind`: WebGPU was chosen, then fell behind real time while streaming.
 */
export type BackendReason =
  | 'only-provider'
  | 'faster'
  | 'no-webgpu'
  | 'software-adapter'
  | 'webgpu-failed'
  | 'webgpu-too-slow'
  | 'webgpu-fell-behind';

/** The backend one model runs on, and why. */
export interface IBackendChoice {
  /** The provider the model runs on. */
  readonly backend: ExecutionProvider;
  /** Why that one (see `BackendReason`). */
  readonly reason: BackendReason;
  /** One sentence with the numbers behind the reason, for logs and telemetry. */
  readonly detail: string;
}

/** Timed trial runs of one provider on the same input. */
export interface IProviderTrial {
  readonly backend: ExecutionProvider;
  /** The first run (includes WebGPU shader compilation), ms. */
  readonly firstRunMs: number;
  /** The runs after the first, ms. */
  readonly runMs: readonly number[];
}

/** Thresholds of the guard. */
export interface IProviderGuardLimits {
  /** Creating a session may take this long, ms. @default 3000 */
  readonly creationTimeoutMs: number;
  /** The first (compiling) run may take this long, ms. @default 2000 */
  readonly firstRunTimeoutMs: number;
  /**
   * A provider keeps up when its median run takes at most this fraction of the audio it covers: the rest
   * of real time is left for the other models, message hops and a loaded machine. @default 0.5
   */
  readonly keepUpFraction: number;
  /** Runs in the running watch's window. @default 16 */
  readonly watchRuns: number;
  /**
   * A chosen WebGPU session hands over to wasm when the median of the watch window exceeds this fraction
   * of real time (it is falling behind). @default 0.9
   */
  readonly fallBehindFraction: number;
}

/** Default thresholds. */
export const DEFAULT_PROVIDER_GUARD_LIMITS: Readonly<IProviderGuardLimits> = Object.freeze({
  creationTimeoutMs: 3000,
  firstRunTimeoutMs: 2000,
  keepUpFraction: 0.5,
  watchRuns: 16,
  fallBehindFraction: 0.9,
});

const SOFTWARE_RASTERIZERS = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i;

/**
 * Says why a WebGPU adapter must not be used, or null when it looks like a hardware GPU.
 * @param adapter defines the adapter's facts, or null when `requestAdapter()` found none
 * @returns the reason and a sentence, or null
 */
export function rejectWebGpuAdapter(
  adapter: IGpuAdapterFacts | null,
): { reason: BackendReason; detail: string } | null {
  if (!adapter) return { reason: 'no-webgpu', detail: 'navigator.gpu found no WebGPU adapter' };
  const name = [adapter.vendor, adapter.architecture, adapter.device, adapter.description]
    .filter((s) => s)
    .join(' ');
  if (adapter.isFallbackAdapter || SOFTWARE_RASTERIZERS.test(name)) {
    return {
      reason: 'software-adapter',
      detail: `the WebGPU adapter (${name || 'unnamed'}) is a software rasterizer running on the CPU`,
    };
  }
  return null;
}

/** Median of a non-empty list (NaN when empty). */
function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Picks the provider of a model from timed trials: among those that keep up with real time (median run ≤
 * `keepUpFraction` of the audio a run covers, first run within its timeout), the fastest median; when
 * none keeps up, the fastest anyway (wasm on a machine too slow for either still beats a frozen avatar).
 * @param trials defines the trials, in the user's order of preference (ties go to the earlier one)
 * @param audioMsPerRun defines how much audio one trial run covers, ms (20 for one generator step)
 * @param limits defines the thresholds
 * @returns the choice with its reason
 * @throws RangeError when `trials` is empty
 */
export function chooseProvider(
  trials: readonly IProviderTrial[],
  audioMsPerRun: number,
  limits: IProviderGuardLimits = DEFAULT_PROVIDER_GUARD_LIMITS,
): IBackendChoice {
  if (trials.length === 0) throw new RangeError('chooseProvider needs at least one trial');
  const describe = (t: IProviderTrial) =>
    `${t.backend} ${median(t.runMs).toFixed(2)} ms per run for ${audioMsPerRun} ms of audio (first run ${t.firstRunMs.toFixed(0)} ms)`;
  if (trials.length === 1) {
    return { backend: trials[0].backend, reason: 'only-provider', detail: describe(trials[0]) };
  }
  const keepsUp = (t: IProviderTrial) =>
    t.firstRunMs <= limits.firstRunTimeoutMs && median(t.runMs) <= limits.keepUpFraction * audioMsPerRun;
  const candidates = trials.filter(keepsUp);
  const pool = candidates.length > 0 ? candidates : trials;
  let best = pool[0];
  for (const t of pool) if (median(t.runMs) < median(best.runMs)) best = t;
  const others = trials.filter((t) => t !== best).map(describe);
  const gpu = trials.find((t) => t.backend === 'webgpu');
  if (best.backend !== 'webgpu' && gpu && !keepsUp(gpu)) {
    return {
      backend: best.backend,
      reason: 'webgpu-too-slow',
      detail: `${describe(gpu)} does not keep up with real time; ${describe(best)}`,
    };
  }
  return { backend: best.backend, reason: 'faster', detail: `${describe(best)}; vs ${others.join(', ')}` };
}

/**
 * Watches a chosen WebGPU session's runs while streaming: `record` answers true once the median of the
 * last `watchRuns` runs exceeds `fallBehindFraction` of the audio they covered (a GPU busy with other
 * work, a throttled laptop), so the caller hands the stream over to wasm at the next run.
 */
export class RealTimeWatch {
  private readonly _ratios: number[] = [];

  /**
   * @param limits defines the window and threshold
   */
  constructor(private readonly _limits: IProviderGuardLimits = DEFAULT_PROVIDER_GUARD_LIMITS) {}

  /**
   * Records one run.
   * @param runMs defines the run's duration, ms
   * @param audioMs defines the audio it covered, ms (runs covering none are ignored)
   * @returns true when the session is falling behind real time
   */
  record(runMs: number, audioMs: number): boolean {
    if (!(audioMs > 0) || !Number.isFinite(runMs)) return false;
    this._ratios.push(runMs / audioMs);
    if (this._ratios.length > this._limits.watchRuns) this._ratios.shift();
    return this._ratios.length === this._limits.watchRuns && median(this._ratios) > this._limits.fallBehindFraction;
  }

  /** The median run time over audio time of the window (NaN before the first run). */
  get medianRatio(): number {
    return median(this._ratios);
  }
}
