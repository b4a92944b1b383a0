/**
 * Life cycle of a `PerceptualLipSyncBehavior`, and what `onStateChangedObservable` reports with each change.
 */
import type { LatencyHead } from '../models/modelManifest.ts';
import type { ExecutionProvider } from '../models/onnxBackend.ts';
import type { BackendReason, IBackendChoice } from '../models/providerGuard.ts';

/**
 * Life cycle of a `PerceptualLipSyncBehavior`:
 * `idle` (attached or not, no source) → `loading` (worker and models) → `running` → `idle` on `stop()`;
 * `suspended` while the AudioContext is suspended (the avatar rests, no frames);
 * `recovering` while a crashed or hung inference worker is replaced (the avatar eases to rest; back to
 * `running` on its own); `error` after a fatal error such as a lost input device (everything is
 * released; a new `startAsync` recovers).
 */
export type LipSyncState = 'idle' | 'loading' | 'running' | 'suspended' | 'recovering' | 'error';

/** Where inference runs and why (the provider guard's choice), as the models were loaded. */
export interface ILipSyncBackendInfo {
  /** The generator's backend (the one that moves the lips). */
  readonly backend: ExecutionProvider;
  /**
   * Why the generator runs on `backend`: e.g. `software-adapter` when WebGPU is a CPU rasterizer,
   * `webgpu-too-slow`, `no-webgpu`, `only-provider` (see `BackendReason`).
   */
  readonly reason: BackendReason;
  /** Every loaded model's backend and reason, with the numbers behind it (`generator`, `speechEncoder`, `meshEncoder`). */
  readonly models: Readonly<Record<string, IBackendChoice>>;
}

/** One state change (`PerceptualLipSyncBehavior.onStateChangedObservable`). */
export interface ILipSyncStateChange {
  /** The new state. */
  readonly state: LipSyncState;
  /** The state before this change. */
  readonly previousState: LipSyncState;
  /**
   * Where inference runs: `null` while no models are loaded yet (`loading`, an `error` during loading,
   * `idle` before the first start). After a stop or an error it still says where the last session ran.
   */
  readonly backend: ILipSyncBackendInfo | null;
  /**
   * The generator head the models run (option `latencyMode`, resolved from the source; `balanced` when the
   * models have no such head): `null` while no models are loaded yet, like `backend`, and after a stop or
   * an error still the last session's.
   */
  readonly latencyHead: LatencyHead | null;
}

/**
 * The backend info of a loaded worker.
 * @param info defines the worker's `initAsync` report (its `backends`)
 * @returns the info, or null when the generator's choice is missing
 */
export function toLipSyncBackendInfo(info: {
  readonly backends: Readonly<Record<string, IBackendChoice>>;
}): ILipSyncBackendInfo | null {
  const generator = info.backends.generator;
  if (!generator) return null;
  return { backend: generator.backend, reason: generator.reason, models: info.backends };
}
