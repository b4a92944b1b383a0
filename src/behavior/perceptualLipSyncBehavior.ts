/**
 * `PerceptualLipSyncBehavior`: attach to an avatar's head mesh, start a speech source, and the avatar
 * lip-syncs to it in real time. The composition root: options, observables, attach/detach and the public
 * methods; each job is a unit of its own stage (session lifecycle `lipSyncSession`, worker restarts
 * `workerSupervisor`, playout timing `playout/playoutTiming`, telemetry `telemetry/liveSyncMonitor`).
 */
import type { Behavior } from '@babylonjs/core/Behaviors/behavior.js';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { Observable } from '@babylonjs/core/Misc/observable.js';
import type { PcmChunk } from '../audio/decodePcmChunk.ts';
import { LipSyncError } from '../errors.ts';
import type { LatencyHead } from '../models/modelManifest.ts';
import { describeRig } from '../rig/applyRigPose.ts';
import type { IRigDescription } from '../rig/rigDescription.ts';
import type { ITelemetrySample } from '../telemetry/telemetrySample.ts';
import { AttachedRig } from './attachedRig.ts';
import { bakeLipSyncAsync, type IBakedLipSync } from './bakeLipSync.ts';
import { lipSyncFrameEvent, type ILipSyncFrameEvent } from './lipSyncFrameEvent.ts';
import { LipSyncRunner } from './lipSyncRunner.ts';
import { pushAudioToSession } from './lipSyncSession.ts';
import type { LipSyncBakeSource, LipSyncSource } from './lipSyncSource.ts';
import type { ILipSyncBackendInfo, ILipSyncStateChange, LipSyncState } from './lipSyncState.ts';
import { PendingAttach } from './pendingAttach.ts';
import {
  validatePerceptualLipSyncOptions,
  type IPerceptualLipSyncOptions,
} from './perceptualLipSyncOptions.ts';

export type { ILipSyncFrameEvent } from './lipSyncFrameEvent.ts';

/**
 * Lip-syncs the attached mesh to speech.
 *
 * ```ts
 * const lipSync = new PerceptualLipSyncBehavior({ modelManifestUrl: '/models/manifest.json' });
 * head.addBehavior(lipSync);
 * await lipSync.startAsync({ kind: 'microphone' });
 * lipSync.onTelemetryObservable.add((t) => console.log(t.plrs, t.avOffsetMs));
 * ```
 * @see https://github.com/babylon-perceptual-lipsync#readme
 */
export class PerceptualLipSyncBehavior implements Behavior<AbstractMesh> {
  /** Behavior name, as Babylon lists it. */
  readonly name = 'PerceptualLipSync';
  /** The mesh this behavior is attached to, or null. */
  attachedNode: AbstractMesh | null = null;
  /** Gain on the lip motion (0 still, 1 as generated); takes effect on the next frame. @default 1 */
  intensity: number;
  /**
   * Extra delay of the lips behind the sound, milliseconds (positive = lips later, negative = earlier);
   * takes effect on the next frame. Use it to calibrate audio output latency the browser does not
   * report (Bluetooth headsets): telemetry's `avOffsetMs` shows the residual offset to correct.
   * Non-finite values count as 0. @default 0
   */
  lipsDelayMs = 0;

  private readonly _options: IPerceptualLipSyncOptions;
  private _rig: AttachedRig | null = null;
  private _rigDescription: IRigDescription | null = null;
  private _rigError: Error | null = null;
  /** The lips shown, as lips-v1 displacements from neutral (playout → solver), and as positions. */
  private readonly _lips = new Float32Array(63);
  private readonly _points = new Float32Array(63);
  /** Babylon's deferred attach (added while the scene loads), which `startAsync`/`bakeAsync` wait for. */
  private readonly _pendingAttach = new PendingAttach();
  /** Aborted by `stop()`: ends the starts still waiting for the deferred attach. */
  private _attachWaitAbort = new AbortController();

  private readonly _onStateChanged = new Observable<ILipSyncStateChange>();
  private readonly _onError = new Observable<Error>();
  private readonly _onFrame = new Observable<ILipSyncFrameEvent>();
  private readonly _onTelemetry = new Observable<ITelemetrySample>();
  /** One session at a time, and the state machine. */
  private readonly _runner: LipSyncRunner;

  /**
   * @param options defines models, providers, gain, smoothing and rig options (all optional)
   * @throws InvalidOptionError for out-of-range values
   */
  constructor(options: Partial<IPerceptualLipSyncOptions> = {}) {
    this._options = validatePerceptualLipSyncOptions(options);
    this._runner = new LipSyncRunner(this._options, {
      onStateChanged: this._onStateChanged,
      onError: this._onError,
      onTelemetry: this._onTelemetry,
      rest: () => this.attachedNode && this._rig?.rest(),
      stop: () => this.stop(),
    });
    this.intensity = this._options.intensity;
  }

  /**
   * Fires on every state change with the new state, the previous one and where inference runs (the
   * provider guard's backend and reason; `null` until the models loaded): `(e) => e.state === 'running'`.
   */
  get onStateChangedObservable(): Observable<ILipSyncStateChange> {
    return this._onStateChanged;
  }
  /** Fires with typed errors (`LipSyncError` subclasses, `UnsupportedRigError`). */
  get onErrorObservable(): Observable<Error> {
    return this._onError;
  }
  /** Fires once per rendered frame while running. */
  get onFrameObservable(): Observable<ILipSyncFrameEvent> {
    return this._onFrame;
  }
  /** Live sync-quality telemetry (see `ITelemetrySample`). */
  get onTelemetryObservable(): Observable<ITelemetrySample> {
    return this._onTelemetry;
  }
  /** Current state. */
  get state(): LipSyncState {
    return this._runner.state;
  }
  /** Where inference runs (generator backend and reason, per-model backends); null until the models loaded. */
  get backend(): ILipSyncBackendInfo | null {
    return this._runner.backend;
  }
  /** The generator head running (option `latencyMode`, resolved at start); null until the models loaded. */
  get latencyHead(): LatencyHead | null {
    return this._runner.latencyHead;
  }
  /** The AudioContext in use while started (create playback nodes in it), else null. */
  get audioContext(): AudioContext | null {
    return this._runner.session?.lease?.context ?? null;
  }
  /**
   * The played source's nodes before the delay and after the output gate, and the delay (tests record
   * what is captured and what is heard); null when not started or not a played source.
   * @internal
   */
  get _playbackGraph(): { source: AudioNode; output: AudioNode; delaySec: number; underruns: number } | null {
    return this._runner.session?.playbackGraph() ?? null;
  }
  /** The rig the solver drives, once attached to a supported mesh. */
  get rig(): IRigDescription | null {
    return this._rigDescription;
  }
  /** Options in force (validated copy). */
  get options(): Readonly<IPerceptualLipSyncOptions> {
    return this._options;
  }

  /**
   * Babylon calls this when the behavior is added. The attach may follow later: `addBehavior` defers it
   * until `scene.onDataLoadedObservable` while the scene is still loading; `startAsync` waits for it.
   */
  init(): void {
    if (!this.attachedNode) this._pendingAttach.expect();
  }

  /**
   * Reads the mesh's rig (FLAME auto-detected; ARKit/custom via options or mesh metadata) and prepares
   * the solver. An unsupported rig is reported on `onErrorObservable`; `startAsync` then rejects.
   */
  attach(mesh: AbstractMesh): void {
    if (this.attachedNode) this.detach();
    this.attachedNode = mesh;
    this._pendingAttach.attached();
    try {
      this._rigDescription = describeRig(mesh, this._options.rig);
      this._rig = new AttachedRig(mesh, this._rigDescription);
      this._rigError = null;
    } catch (e) {
      // Keep the original class (UnsupportedRigError) so callers can tell rig problems apart.
      this._rigError = e instanceof Error ? e : new LipSyncError(String(e));
      this._onError.notifyObservers(this._rigError);
    }
  }

  /** Stops lip sync and forgets the mesh. Idempotent. */
  detach(): void {
    if (!this.attachedNode) {
      this._pendingAttach.removed(); // removed before Babylon's deferred attach came
      return;
    }
    this.stop();
    this._rig = null;
    this._rigDescription = null;
    this._rigError = null;
    this.attachedNode = null;
  }

  /**
   * Starts lip-syncing to a source; a running source is stopped first. When the browser keeps the
   * AudioContext suspended (autoplay policy: no user gesture yet), start finishes in state `suspended`
   * and lip sync begins when the context resumes (call `audioContext.resume()` from a gesture).
   * @param source defines the speech source
   * @throws LipSyncError (AudioSourceError, ModelLoadError, UnsupportedRigError…); the behavior stays usable
   */
  async startAsync(source: LipSyncSource): Promise<void> {
    const { mesh } = await this._attachedAsync('startAsync');
    this.stop();
    await this._runner.startAsync(source, this.intensity, mesh.getScene().onBeforeRenderObservable, () =>
      this._renderFrame(),
    );
  }

  /**
   * Bakes pre-recorded dialogue offline: the same worker, models, gain (`intensity`), smoothing
   * (`smoothingMs`) and rig solver as live lip sync, run over the whole clip at once. Independent of
   * `startAsync` (a running stream keeps running; the bake uses its own solver state). `lipsDelayMs` is
   * not applied: frame 0 is audio time 0, so start the group when the sound starts.
   *
   * ```ts
   * const { track, animationGroup } = await lipSync.bakeAsync({ kind: 'url', url: 'line42.wav' });
   * animationGroup.start(); // together with the sound
   * ```
   * @param source defines the audio: `{kind: 'audioBuffer', buffer}`, `{kind: 'url', url}` or
   * `{kind: 'samples', samples, sampleRateHz}` (mono)
   * @returns the lips-v1 track (the CLI's JSON shape) and a stopped `AnimationGroup` keyed at `track.fps`
   * @throws UnsupportedRigError when the mesh's rig is not supported; LipSyncError when not attached (or
   * detached during the bake); AudioSourceError, ModelLoadError, WorkerCrashError
   */
  async bakeAsync(source: LipSyncBakeSource): Promise<IBakedLipSync> {
    const { mesh, rig } = await this._attachedAsync('bakeAsync');
    const baked = await bakeLipSyncAsync(source, {
      scene: mesh.getScene(),
      rig: rig.rig,
      binding: rig.binding,
      options: this._options,
      intensity: this.intensity,
      name: `${this.name}:${mesh.name}`,
    });
    if (this.attachedNode !== mesh) {
      baked.animationGroup.dispose();
      throw new LipSyncError('bakeAsync was cancelled: the behavior was detached from its mesh meanwhile.');
    }
    return baked;
  }

  /**
   * Queues a chunk of streamed speech (source `{ kind: 'pcmStream' }`) to play right after the audio
   * already queued; chunks pushed while `startAsync` loads the models play once it is ready. Any chunk size
   * and arrival jitter: gaps longer than the source's `leadMs` are heard as gaps, and the lips rest.
   *
   * ```ts
   * socket.binaryType = 'arraybuffer';
   * socket.onmessage = (e) => lipSync.pushAudio(e.data); // PCM16 little-endian bytes
   * ```
   * @param chunk defines mono samples at the source's `sampleRateHz`: `Int16Array` (PCM16), PCM16
   * little-endian bytes (`ArrayBuffer`, `Uint8Array`) or `Float32Array`
   * @throws AudioChunkError for a malformed chunk (odd byte length, NaN; the stream goes on) or when no
   * `pcmStream` source is running (before `startAsync`, after `stop()`)
   */
  pushAudio(chunk: PcmChunk): void {
    pushAudioToSession(this._runner.session, chunk);
  }

  /**
   * Cuts streamed speech off (the user interrupted the voice agent): the sound stops at once (a 3 ms
   * fade), queued audio and frames are dropped, in the worker too, and the lips ease to rest within
   * 100 ms with no stale frame afterwards. The next `pushAudio` starts a new utterance. A no-op for other
   * sources and when not running.
   */
  interrupt(): void {
    this._runner.session?.interrupt();
  }

  /** Stops the source and releases everything `startAsync` acquired; the avatar returns to rest. Idempotent. */
  stop(): void {
    this._attachWaitAbort.abort();
    this._attachWaitAbort = new AbortController();
    this._runner.stop();
  }

  /**
   * Sets the gain on the lip motion.
   * @param intensity defines 0 (still) … 1 (as generated) … 4
   */
  setIntensity(intensity: number): void {
    if (!(intensity >= 0 && intensity <= 4))
      throw new RangeError(`intensity must be in [0, 4], got ${intensity}`);
    this.intensity = intensity;
  }

  /** Detaches and clears every observable. */
  dispose(): void {
    if (this.attachedNode) this.attachedNode.removeBehavior(this);
    this.detach();
    this._pendingAttach.removed();
    this._onStateChanged.clear();
    this._onError.clear();
    this._onFrame.clear();
    this._onTelemetry.clear();
  }

  private _renderFrame(): void {
    if (!this._rig || !this.attachedNode) return;
    const at = this._runner.render(this._rig, this.intensity, this.lipsDelayMs, this._lips);
    if (at && this._onFrame.hasObservers())
      this._onFrame.notifyObservers(lipSyncFrameEvent(at, this._lips, this._points));
  }

  /** Waits for Babylon's deferred attach, then the mesh and its rig; throws what start and bake throw. */
  private async _attachedAsync(method: string): Promise<{ mesh: AbstractMesh; rig: AttachedRig }> {
    await this._pendingAttach.waitOrThrowAsync(method, this._attachWaitAbort.signal);
    const mesh = this.attachedNode;
    if (!mesh) throw new LipSyncError(`Attach the behavior to a mesh (mesh.addBehavior) before ${method}.`);
    if (this._rigError) throw this._rigError;
    return { mesh, rig: this._rig! };
  }
}
