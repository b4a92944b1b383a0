/**
 * The only demo file that talks to `PerceptualLipSyncBehavior`: creates it with the demo's settings,
 * attaches it to a mesh, starts sources and relays its events to plain callbacks for the HUD.
 */
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { PerceptualLipSyncBehavior } from '../../src/index.ts';
import type { ITelemetrySample, LipSyncSource, LipSyncState } from '../../src/index.ts';

/** What the demo's switches control. */
export interface IDemoLipSyncSettings {
  /** ONNX execution providers, in order of preference. */
  executionProviders: ('webgpu' | 'wasm')[];
  /** Gain on the lip motion (live). */
  intensity: number;
  /** Smoothing time constant, ms (applies at the next start). */
  smoothingMs: number;
  /** Delay played sound so lips land on time (applies at the next start). */
  audioDelayCompensation: boolean;
}

/** Callbacks the demo listens to. */
export interface IDemoLipSyncEvents {
  /** The behavior's state changed. */
  onState(state: LipSyncState): void;
  /** Any error the behavior reports (rig, model, audio source, worker). */
  onError(error: Error): void;
  /** lips-v1 points (21 × 3, metres) of the frame shown now. */
  onFrame(points: Float32Array, timeSec: number): void;
  /** A live or per-utterance telemetry sample. */
  onTelemetry(sample: ITelemetrySample): void;
}

/** Where the served demo keeps the built assets (see scripts/demo). */
const ASSETS = new URL('./', import.meta.url);

/**
 * Owns one behavior at a time; re-creates it when a construction-time setting changed.
 */
export class DemoLipSync {
  private _behavior: PerceptualLipSyncBehavior | null = null;
  private _mesh: AbstractMesh | null = null;
  private _builtWith = '';
  private _lastError: Error | null = null;

  /**
   * @param audioContext defines the context the behavior runs in (the demo creates its playback nodes in it)
   * @param events defines the callbacks
   */
  constructor(
    readonly audioContext: AudioContext,
    private readonly _events: IDemoLipSyncEvents,
  ) {}

  /**
   * Attaches a fresh behavior to `mesh` and reports the rig it found.
   * @returns a one-line rig summary, or the rig error's message
   */
  attach(mesh: AbstractMesh, settings: IDemoLipSyncSettings): { ok: boolean; message: string } {
    this._mesh = mesh;
    const b = this._rebuild(settings);
    const rig = b.rig;
    if (!rig) return { ok: false, message: this._lastError?.message ?? 'rig not detected' };
    const jaw = rig.jaw ? `jaw "${rig.jaw.nodeName}"` : 'no jaw';
    return {
      ok: true,
      message: `${rig.kind} rig on "${mesh.name}": ${rig.morphs.length} mouth shapes, ${jaw}`,
    };
  }

  /** The behavior in use (null before `attach`): for scripts that watch its frames. */
  get behavior(): PerceptualLipSyncBehavior | null {
    return this._behavior;
  }

  /** Starts a source, re-creating the behavior first if a construction-time setting changed. */
  async startAsync(source: LipSyncSource, settings: IDemoLipSyncSettings): Promise<void> {
    if (!this._mesh) throw new Error('DemoLipSync: attach a mesh first');
    const b =
      this._key(settings) === this._builtWith && this._behavior ? this._behavior : this._rebuild(settings);
    b.setIntensity(settings.intensity);
    await b.startAsync(source);
  }

  /** Stops the running source (the behavior stays attached). */
  stop(): void {
    this._behavior?.stop();
  }

  /** Live gain on the lip motion. */
  setIntensity(intensity: number): void {
    this._behavior?.setIntensity(intensity);
  }

  /** Detaches and disposes the behavior. */
  dispose(): void {
    this._dispose();
    this._mesh = null;
  }

  private _key(s: IDemoLipSyncSettings): string {
    return JSON.stringify([s.executionProviders, s.smoothingMs, s.audioDelayCompensation]);
  }

  private _dispose(): void {
    if (!this._behavior) return;
    this._mesh?.removeBehavior(this._behavior);
    this._behavior.dispose();
    this._behavior = null;
  }

  private _rebuild(settings: IDemoLipSyncSettings): PerceptualLipSyncBehavior {
    this._dispose();
    this._lastError = null;
    const b = new PerceptualLipSyncBehavior({
      assetBaseUrl: ASSETS.href, // what `perceptual-lipsync assets` copied next to the bundle (scripts/demo)
      audioContext: this.audioContext,
      executionProviders: settings.executionProviders,
      intensity: settings.intensity,
      smoothingMs: settings.smoothingMs,
      audioDelayCompensation: settings.audioDelayCompensation,
    });
    b.onStateChangedObservable.add((change) => this._events.onState(change.state));
    b.onErrorObservable.add((e) => {
      this._lastError = e;
      this._events.onError(e);
    });
    b.onFrameObservable.add((f) => this._events.onFrame(f.points, f.timeSec));
    b.onTelemetryObservable.add((t) => this._events.onTelemetry(t));
    // Attach now: a scene with pending data (a glb being loaded) would otherwise defer attach.
    this._mesh?.addBehavior(b, true);
    this._behavior = b;
    this._builtWith = this._key(settings);
    return b;
  }
}
