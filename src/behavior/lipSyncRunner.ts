/**
 * The behavior's state machine: runs one `LipSyncSession` at a time and moves between the states
 * (`idle` → `loading` → `running` ⇄ `suspended`, `recovering` while a crashed worker is replaced, `error`
 * when a session fails), reporting each change and every error on the behavior's observables.
 */
import type { Observable } from '@babylonjs/core/Misc/observable.js';
import type { LipSyncError } from '../errors.ts';
import type { LatencyHead } from '../models/modelManifest.ts';
import type { ISampledLips } from '../playout/sessionPlayout.ts';
import type { ITelemetrySample } from '../telemetry/telemetrySample.ts';
import type { AttachedRig } from './attachedRig.ts';
import { LipSyncSession } from './lipSyncSession.ts';
import { BROWSER_SESSION_DEPS, type ILipSyncSessionDeps } from './lipSyncSessionDeps.ts';
import type { LipSyncSource } from './lipSyncSource.ts';
import {
  toLipSyncBackendInfo,
  type ILipSyncBackendInfo,
  type ILipSyncStateChange,
  type LipSyncState,
} from './lipSyncState.ts';
import type { IPerceptualLipSyncOptions } from './perceptualLipSyncOptions.ts';

/** The behavior's observables and rig, as the runner reports to and rests them. */
export interface ILipSyncRunnerTarget {
  readonly onStateChanged: Observable<ILipSyncStateChange>;
  readonly onError: Observable<Error>;
  readonly onTelemetry: Observable<ITelemetrySample>;
  /** Puts the avatar's mouth at rest. */
  rest(): void;
  /** Stops the behavior (a finite source has played out). */
  stop(): void;
}

/** One session at a time, and the state machine around it. */
export class LipSyncRunner {
  private _state: LipSyncState = 'idle';
  /** Where the current (or last) session's models run; null before they loaded. */
  private _backend: ILipSyncBackendInfo | null = null;
  /** The generator head the current (or last) session's models run; null before they loaded. */
  private _latencyHead: LatencyHead | null = null;
  private _session: LipSyncSession | null = null;
  private readonly _target: ILipSyncRunnerTarget;
  private readonly _options: IPerceptualLipSyncOptions;
  private readonly _deps: ILipSyncSessionDeps;

  /**
   * @param options defines the behavior's options
   * @param target defines the observables and the rig's rest
   * @param deps defines the sessions' effects (the browser's by default)
   */
  constructor(
    options: IPerceptualLipSyncOptions,
    target: ILipSyncRunnerTarget,
    deps: ILipSyncSessionDeps = BROWSER_SESSION_DEPS,
  ) {
    this._options = options;
    this._target = target;
    this._deps = deps;
  }

  /** Current state. */
  get state(): LipSyncState {
    return this._state;
  }

  /** Where the current (or last) session's models run (see `ILipSyncStateChange.backend`). */
  get backend(): ILipSyncBackendInfo | null {
    return this._backend;
  }

  /** The generator head the current (or last) session's models run (see `ILipSyncStateChange.latencyHead`). */
  get latencyHead(): LatencyHead | null {
    return this._latencyHead;
  }

  /** The running session, or null. */
  get session(): LipSyncSession | null {
    return this._session;
  }

  /**
   * Starts a session (the previous one must be stopped).
   * @param source defines the speech source
   * @param intensity defines the gain in force
   * @param renderLoop defines where the render observer goes
   * @param render defines the per-render callback
   * @throws LipSyncError; the state is then `error` unless the start was superseded
   */
  async startAsync(
    source: LipSyncSource,
    intensity: number,
    renderLoop: { add(callback: () => void): { remove(): void } | null },
    render: () => void,
  ): Promise<void> {
    const t = this._target;
    const session = new LipSyncSession(
      {
        options: this._options,
        isCurrent: (s) => this._session === s,
        setState: (state) => this._setState(state),
        notifyError: (error) => t.onError.notifyObservers(error),
        fail: (s, error) => {
          if (this._session === s) this._fail(error);
        },
        stop: (s) => {
          if (this._session === s) t.stop();
        },
        onContextStateChange: () => this._onContextStateChange(),
        telemetryWanted: () => t.onTelemetry.hasObservers(),
        emitTelemetry: (sample) => t.onTelemetry.notifyObservers(sample),
      },
      this._deps,
    );
    this._session = session;
    this._backend = null; // this session's models are not loaded yet
    this._latencyHead = null;
    this._setState('loading');
    try {
      await session.startAsync(source, intensity, renderLoop, render);
    } catch (e) {
      const err = e as LipSyncError;
      if (this._session === session) {
        this._session = null;
        this._setState('error');
        t.onError.notifyObservers(err);
      }
      throw err;
    }
  }

  /**
   * One render of the running session (see `LipSyncSession.render`).
   * @param rig defines the attached rig
   * @param intensity defines the gain in force
   * @param lipsDelayMs defines the user's extra lips delay, ms
   * @param lips defines where the lips shown are written
   * @returns where the lips were sampled, or null when nothing was shown
   */
  render(rig: AttachedRig, intensity: number, lipsDelayMs: number, lips: Float32Array): ISampledLips | null {
    return (
      this._session?.render(rig, intensity, lipsDelayMs, lips, this._target.onTelemetry.hasObservers()) ??
      null
    );
  }

  /** Stops the running session: summaries of the utterances it heard, then `idle`. Idempotent. */
  stop(): void {
    const t = this._target;
    // Summaries of utterances that ended (or are cut off) now, with the scores that have arrived.
    const summaries = t.onTelemetry.hasObservers() ? (this._session?.monitor?.flush() ?? []) : [];
    if (!this._end('idle')) return;
    for (const sample of summaries) t.onTelemetry.notifyObservers(sample);
  }

  private _fail(err: LipSyncError): void {
    if (this._end('error')) this._target.onError.notifyObservers(err);
  }

  /** Tears the running session down and rests the avatar; false when none was running. */
  private _end(state: 'idle' | 'error'): boolean {
    const session = this._session;
    if (!session) return false;
    this._session = null;
    session.teardown();
    this._target.rest();
    this._setState(state);
    return true;
  }

  private _onContextStateChange(): void {
    const session = this._session;
    const ctx = session?.lease?.context;
    if (!ctx || !session) return;
    if (ctx.state !== 'running') {
      // Nothing is heard while suspended, and the clock stands still: rest now (see `suspend`).
      session.playout?.suspend();
      this._target.rest();
      if (this._state === 'running') this._setState('suspended');
    } else if (this._state === 'suspended') this._setState('running');
  }

  private _setState(state: LipSyncState): void {
    // The session's worker (a replacement after a crash may have chosen differently) once it has loaded.
    const info = this._session?.worker?.info;
    if (info) {
      this._backend = toLipSyncBackendInfo(info) ?? this._backend;
      // The head the worker loaded, not the one asked for: a manifest without it loads `balanced`.
      this._latencyHead = info.latencyHead;
    }
    if (state === this._state) return;
    const previousState = this._state;
    this._state = state;
    this._target.onStateChanged.notifyObservers({
      state,
      previousState,
      backend: this._backend,
      latencyHead: this._latencyHead,
    });
  }
}
