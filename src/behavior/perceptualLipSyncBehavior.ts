/**
 * `PerceptualLipSyncBehavior`: attach to an avatar's head mesh, start a speech source, and the avatar
 * lip-syncs to it in real time. The composition root: the only place that wires audio capture, the
 * inference worker, playout, the rig solver and telemetry together.
 */
import type { Behavior } from '@babylonjs/core/Behaviors/behavior.js';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { Observable, type Observer } from '@babylonjs/core/Misc/observable.js';
import type { Scene } from '@babylonjs/core/scene.js';
import { proxy, transfer } from 'comlink';
import { defaultCaptureProcessorUrl } from '../assetUrls.ts';
import { createCaptureNodeAsync, type ICaptureNode } from '../audio/captureNode.ts';
import type { PcmChunk } from '../audio/decodePcmChunk.ts';
import { AudioChunkError, AudioSourceError, LipSyncError, WorkerCrashError } from '../errors.ts';
import { createAudioClock, type AudioClock } from '../playout/audioClock.ts';
import { LipsPlayout } from '../playout/lipsPlayout.ts';
import { isDigitalSilence } from '../playout/silenceGate.ts';
import { smoothingLagSec } from '../playout/smoothing.ts';
import type { LipsPlayoutState } from '../playout/lipsPlayout.ts';
import {
  applyRigPose,
  createRigBinding,
  describeRig,
  readBackLipsV1,
  type RigBinding,
} from '../rig/applyRigPose.ts';
import { LIPS_V1 } from '../rig/lipsV1.ts';
import type { IRigDescription } from '../rig/rigDescription.ts';
import { createRigPose, type RigPose } from '../rig/rigPose.ts';
import { createLandmarkSolver, type LandmarkSolver } from '../rig/solveLandmarksToRig.ts';
import type { LipsFrameBlock } from '../worker/frames.ts';
import type { ILipSyncWorkerClient } from '../worker/lipSyncWorkerClient.ts';
import type { ITelemetrySample } from '../telemetry/telemetrySample.ts';
import {
  NO_TELEMETRY_SYSTEM,
  TelemetryAggregator,
  type ITelemetrySystem,
} from '../telemetry/telemetryAggregator.ts';
import { timingPercentiles } from '../telemetry/timingPercentiles.ts';
import { AvOffsetCorrector } from '../telemetry/avOffsetCorrector.ts';
import type { IInferenceTiming } from '../telemetry/telemetrySample.ts';
import type { ITelemetryScoreResult } from '../worker/lipSyncWorker.ts';
import { acquireAudioContext, type IAudioContextLease } from './sharedAudioContext.ts';
import { acquireWorkerForOptionsAsync } from './acquireWorkerForOptions.ts';
import { bakeLipSyncAsync, type IBakedLipSync } from './bakeLipSync.ts';
import type { LipSyncBakeSource, LipSyncSource } from './lipSyncSource.ts';
import type { LipSyncState } from './lipSyncState.ts';
import { openAudioSourceAsync, type IOpenedAudioSource } from './openAudioSource.ts';
import { babylonSoundContext } from './openBabylonSound.ts';
import { PendingAttach } from './pendingAttach.ts';
import {
  validatePerceptualLipSyncOptions,
  type IPerceptualLipSyncOptions,
} from './perceptualLipSyncOptions.ts';

/** One applied frame (`onFrameObservable`). */
export interface ILipSyncFrameEvent {
  /** Audio-clock time shown, seconds. */
  readonly timeSec: number;
  /**
   * Audio-clock time of the speech the lips shown belong to, seconds: `timeSec − lipsDelayMs`, and earlier
   * while frames arrive late (the newest one is held). -Infinity before the first frame.
   */
  readonly lipsTimeSec: number;
  /** The lips-v1 points sent to the solver (after gain and smoothing), 21 × 3, metres. Reused: copy to keep. */
  readonly points: Float32Array;
  /** What playout produced. */
  readonly playout: LipsPlayoutState;
  /** Weighted RMS landmark error of the solved pose, metres. */
  readonly solverErrorM: number;
}

let nextStreamId = 1;

/** Disconnects one connection we made, if it exists (a failed start may not have made it). */
function safeDisconnect(from: AudioNode, to: AudioNode): void {
  try {
    from.disconnect(to);
  } catch {
    // not connected
  }
}
// Per frame block (~20-40 ms): forgets a stall in about a second (0.995 took several seconds: bench/results).
const MIC_LAG_RELEASE = 0.96;
/** Nominal render interval the smoothing lag is computed for (the lag moves by half an interval). */
const RENDER_INTERVAL_SEC = 1 / 60;
/** How often telemetry scores the recent lips and emits samples, ms ("a few updates per second"). */
const TELEMETRY_INTERVAL_MS = 250;
/** Worker crashes in a row, with no frame in between, after which the session fails instead of restarting. */
const MAX_RESTARTS_WITHOUT_FRAMES = 3;
/**
 * How long start waits for a suspended AudioContext to resume. Under the autoplay policy (no user
 * gesture yet) `resume()` stays pending until a gesture: start then finishes in state `suspended`.
 */
const RESUME_GRACE_MS = 1000;
/**
 * Ease of the lips to rest after `interrupt()`, ms: at rest well within the 100 ms a cut-off voice agent
 * allows (issue #15), slow enough not to snap (a 20 ms spring alone left the mouth 4 % open at 100 ms).
 */
const INTERRUPT_EASE_MS = 80;
/** Fade of the played sound at `interrupt()`, seconds: "at once", without a click. */
const INTERRUPT_FADE_SEC = 0.003;
/**
 * How long `startAsync`/`bakeAsync` wait for the attach Babylon defers until the scene has loaded
 * (`addBehavior` while `scene.isLoading`). Pending textures usually finish in well under a second; a
 * scene still loading after this long is waiting on something else, and the error says what to do.
 */
const DEFERRED_ATTACH_WAIT_MS = 30000;

/** Everything one `startAsync` acquired, released in reverse by `_teardown`. */
interface Session {
  readonly abort: AbortController;
  lease: IAudioContextLease | null;
  worker: ILipSyncWorkerClient | null;
  capture: ICaptureNode | null;
  source: IOpenedAudioSource | null;
  delay: DelayNode | null;
  /** Output gate after the delay (streamed speech: muted at `interrupt()` while the delay line drains). */
  gate: GainNode | null;
  /** Closed-loop lips-delay correction from telemetry (option `autoOffsetCorrection`), or null. */
  corrector: AvOffsetCorrector | null;
  streamId: number;
  playout: LipsPlayout | null;
  playbackDelaySec: number;
  /** Audio-clock time being heard, for playback sources (set once the delay is known). */
  playbackClock: AudioClock | null;
  micLagSec: number;
  frames: number;
  /** Live sync monitor of this stream (see `onTelemetryObservable`). */
  telemetry: TelemetryAggregator | null;
  telemetryTimer: ReturnType<typeof setInterval> | null;
  telemetryBusy: boolean;
  /** System fields last reported by the worker (telemetry), before the restart counters are added. */
  system: ITelemetrySystem | null;
  /** Automatic worker restarts in this session. */
  workerRestarts: number;
  /** Restarts since the last frame arrived (a worker that keeps crashing is given up on). */
  restartsWithoutFrames: number;
  /** performance.now() when a worker crash was detected, until the new worker's first frames; else -1. */
  gapStartMs: number;
  /** The last restart's gap (crash detected → first frame of the new worker), ms; null before one. */
  workerGapMs: number | null;
  /** Frames of speech before this audio-clock time are stale (captured before a suspension): dropped. */
  staleBeforeSec: number;
}

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
  private _state: LipSyncState = 'idle';
  private _rig: IRigDescription | null = null;
  private _binding: RigBinding | null = null;
  private _solver: LandmarkSolver | null = null;
  private _pose: RigPose | null = null;
  private _rigError: Error | null = null;
  private _session: Session | null = null;
  private readonly _lips = new Float32Array(63);
  private readonly _readBack = new Float32Array(63);
  private _onBeforeRenderObserver: Observer<Scene> | null = null;
  /** Playout time of the lips last sampled (where an `interrupt()` starts its ease). */
  private _lastLipsTimeSec = 0;
  /** Babylon's deferred attach (added while the scene loads), which `startAsync`/`bakeAsync` wait for. */
  private readonly _pendingAttach = new PendingAttach();
  /** Aborted by `stop()`: ends the starts still waiting for the deferred attach. */
  private _attachWaitAbort = new AbortController();

  private readonly _onStateChanged = new Observable<LipSyncState>();
  private readonly _onError = new Observable<Error>();
  private readonly _onFrame = new Observable<ILipSyncFrameEvent>();
  private readonly _onTelemetry = new Observable<ITelemetrySample>();

  /**
   * @param options defines models, providers, gain, smoothing and rig options (all optional)
   * @throws InvalidOptionError for out-of-range values
   */
  constructor(options: Partial<IPerceptualLipSyncOptions> = {}) {
    this._options = validatePerceptualLipSyncOptions(options);
    this.intensity = this._options.intensity;
  }

  /** Fires on every state change. */
  get onStateChangedObservable(): Observable<LipSyncState> {
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
    return this._state;
  }
  /** The AudioContext in use while started (create playback nodes in it), else null. */
  get audioContext(): AudioContext | null {
    return this._session?.lease?.context ?? null;
  }
  /**
   * The played source's nodes before the delay and after the output gate, and the delay (tests record
   * what is captured and what is heard); null when not started or not a played source.
   * @internal
   */
  get _playbackGraph(): { source: AudioNode; output: AudioNode; delaySec: number; underruns: number } | null {
    const session = this._session;
    if (!session?.source || !session.gate) return null;
    return {
      source: session.source.node,
      output: session.gate,
      delaySec: session.playbackDelaySec,
      underruns: session.source.pcmStream?.underruns ?? 0,
    };
  }
  /** The rig the solver drives, once attached to a supported mesh. */
  get rig(): IRigDescription | null {
    return this._rig;
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
      const rig = describeRig(mesh, this._options.rig);
      this._rig = rig;
      this._binding = createRigBinding(mesh, rig);
      this._solver = createLandmarkSolver(rig);
      this._pose = createRigPose(rig);
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
    this._binding = null;
    this._solver = null;
    this._pose = null;
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
    await this._waitForDeferredAttachAsync('startAsync');
    const mesh = this.attachedNode;
    if (!mesh) throw new LipSyncError('Attach the behavior to a mesh (mesh.addBehavior) before startAsync.');
    if (this._rigError) throw this._rigError;
    this.stop();
    const session: Session = {
      abort: new AbortController(),
      lease: null,
      worker: null,
      capture: null,
      source: null,
      delay: null,
      gate: null,
      corrector: null,
      streamId: nextStreamId++,
      playout: null,
      playbackDelaySec: 0,
      playbackClock: null,
      micLagSec: 0.1,
      frames: 0,
      telemetry: null,
      telemetryTimer: null,
      telemetryBusy: false,
      system: null,
      workerRestarts: 0,
      restartsWithoutFrames: 0,
      gapStartMs: -1,
      workerGapMs: null,
      staleBeforeSec: -Infinity,
    };
    this._session = session;
    this._setState('loading');
    const cancelled = () => session.abort.signal.aborted;
    try {
      const o = this._options;
      // A Babylon sound plays in its engine's context: use that one (never closed here).
      const soundContext = source.kind === 'babylonSound' ? babylonSoundContext(source.sound) : null;
      session.lease = acquireAudioContext(o.audioContext ?? soundContext ?? undefined);
      const context = session.lease.context;
      if (context.state === 'suspended') {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          context.resume().catch(() => undefined),
          new Promise((r) => (timer = setTimeout(r, RESUME_GRACE_MS))),
        ]);
        clearTimeout(timer);
      }
      // The source first: a denied microphone or a bad URL fails in milliseconds, not after the
      // models load. Buffer and URL sources start playing only once the graph is connected.
      session.source = await openAudioSourceAsync(context, source, session.abort.signal, {
        reroute: o.playAudio && o.audioDelayCompensation,
      });
      if (cancelled()) throw new LipSyncError('Start was cancelled by stop() or detach().');
      session.worker = await acquireWorkerForOptionsAsync(o);
      if (cancelled()) throw new LipSyncError('Start was cancelled by stop() or detach().');
      session.capture = await createCaptureNodeAsync(
        context,
        o.captureProcessorUrl ?? defaultCaptureProcessorUrl(),
      );
      if (cancelled()) throw new LipSyncError('Start was cancelled by stop() or detach().');
      session.playout = new LipsPlayout(LIPS_V1.neutral, {
        intensity: this.intensity,
        smoothingTimeConstantMs: o.smoothingMs,
      });
      const info = session.worker.info;
      if (session.source.playback) {
        // Algorithmic delay: look-ahead + one 25 ms analysis window + one 10 ms capture chunk.
        const batchingSec = (info.outputsPerRun - 1) / info.frameRateHz; // outputs wait for their batch
        const algorithmicSec = info.lookaheadMs / 1000 + 0.035 + batchingSec;
        session.playbackDelaySec = o.audioDelayCompensation
          ? algorithmicSec + smoothingLagSec(o.smoothingMs, RENDER_INTERVAL_SEC) + o.processingMarginMs / 1000
          : 0;
        session.playbackClock = createAudioClock(context, { offsetSec: -session.playbackDelaySec });
        if (o.playAudio) {
          session.delay = context.createDelay(2);
          session.delay.delayTime.value = session.playbackDelaySec;
          session.gate = context.createGain();
          session.source.node
            .connect(session.delay)
            .connect(session.gate)
            .connect(session.source.destination ?? context.destination);
        }
        if (o.autoOffsetCorrection) {
          // Lips can move earlier only as far as frames exist ahead: within the processing margin.
          session.corrector = new AvOffsetCorrector({ minCorrectionMs: -o.processingMarginMs / 2 });
        }
      }
      await this._openStreamAsync(session, session.worker, session.capture.port);
      if (cancelled()) throw new LipSyncError('Start was cancelled by stop() or detach().');
      session.source.node.connect(session.capture.node);
      session.source.start();
      session.source.ended?.then(() => this._stopAfterDrain(session));
      void session.source.lost?.then((err) => {
        if (this._session === session) this._fail(err);
      });
      this._watchWorker(session, session.worker);
      session.telemetry = new TelemetryAggregator({
        meshWindowFrames: info.manifest.metricEncoders?.meshWindowFrames ?? 10,
      });
      // Known from the start: samples before the first score reply already say where inference runs.
      session.system = {
        ...NO_TELEMETRY_SYSTEM,
        backend: info.backend,
        backends: info.backends,
        wasmThreads: info.wasmThreads,
      };
      this._updateTelemetrySystem(session);
      session.telemetryTimer = setInterval(() => this._telemetryTick(session), TELEMETRY_INTERVAL_MS);
      this._onBeforeRenderObserver = mesh.getScene().onBeforeRenderObservable.add(() => this._renderFrame());
      this._setState(context.state === 'running' ? 'running' : 'suspended');
      context.addEventListener('statechange', this._onContextStateChange);
    } catch (e) {
      const err =
        e instanceof LipSyncError
          ? e
          : new AudioSourceError(`Could not start: ${(e as Error).message}`, { cause: e });
      if (this._session === session) {
        this._teardown(session);
        this._session = null;
        this._setState('error');
        this._onError.notifyObservers(err);
      } else {
        this._teardown(session);
      }
      throw err;
    }
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
    await this._waitForDeferredAttachAsync('bakeAsync');
    const mesh = this.attachedNode;
    if (!mesh) throw new LipSyncError('Attach the behavior to a mesh (mesh.addBehavior) before bakeAsync.');
    if (this._rigError) throw this._rigError;
    const baked = await bakeLipSyncAsync(source, {
      scene: mesh.getScene(),
      rig: this._rig!,
      binding: this._binding!,
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
    const player = this._session?.source?.pcmStream;
    if (!player) {
      throw new AudioChunkError(
        `pushAudio needs a running pcmStream source, but ${this._session ? 'the source is another kind' : 'none is running (not started, or stopped)'}: ` +
          "call startAsync({ kind: 'pcmStream', sampleRateHz }) first.",
      );
    }
    player.push(chunk);
  }

  /**
   * Cuts streamed speech off (the user interrupted the voice agent): the sound stops at once (a 3 ms
   * fade), queued audio and frames are dropped, in the worker too, and the lips ease to rest within
   * 100 ms with no stale frame afterwards. The next `pushAudio` starts a new utterance. A no-op for other
   * sources and when not running.
   */
  interrupt(): void {
    const session = this._session;
    const player = session?.source?.pcmStream;
    if (!session || !player || !session.lease) return;
    const context = session.lease.context;
    const now = context.currentTime;
    // No audio captured before `cut` reaches the lips again; the delayed sound already in the delay line
    // is muted until it has drained (the next chunk plays `leadMs` after the cut at the earliest).
    const cut = player.interrupt();
    const gate = session.gate;
    if (gate) {
      gate.gain.cancelScheduledValues(now);
      gate.gain.setValueAtTime(gate.gain.value, now);
      gate.gain.linearRampToValueAtTime(0, now + INTERRUPT_FADE_SEC);
      gate.gain.setValueAtTime(1, cut + session.playbackDelaySec);
    }
    session.staleBeforeSec = Math.max(session.staleBeforeSec, cut);
    session.playout?.interrupt(this._lastLipsTimeSec, INTERRUPT_EASE_MS);
    const worker = session.worker;
    if (worker) {
      try {
        void worker.api.interruptStream(session.streamId, cut).catch(() => undefined);
      } catch {
        // the worker was killed: its replacement starts fresh anyway
      }
    }
  }

  /** Stops the source and releases everything `startAsync` acquired; the avatar returns to rest. Idempotent. */
  stop(): void {
    this._attachWaitAbort.abort();
    this._attachWaitAbort = new AbortController();
    const session = this._session;
    if (!session) return;
    this._session = null;
    // Summaries of utterances that ended (or are cut off) now, with the scores that have arrived.
    const summaries = this._onTelemetry.hasObservers() ? (session.telemetry?.flush() ?? []) : [];
    this._teardown(session);
    this._applyRest();
    this._setState('idle');
    for (const sample of summaries) this._onTelemetry.notifyObservers(sample);
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

  private readonly _onContextStateChange = (): void => {
    const ctx = this.audioContext;
    const session = this._session;
    if (!ctx || !session) return;
    if (ctx.state !== 'running') {
      // Nothing is heard while suspended, and the clock stands still: rest now, and forget the frames
      // of before, so none of them is shown again after the resume (only fresh speech is).
      session.playout?.reset();
      session.staleBeforeSec = ctx.currentTime; // frames still in flight are of that past speech
      this._applyRest();
      if (this._state === 'running') this._setState('suspended');
    } else if (this._state === 'suspended') this._setState('running');
  };

  /**
   * Waits (bounded) for the attach Babylon deferred because the scene was loading when the behavior was
   * added; returns at once when attached or never added.
   * @throws LipSyncError when the attach does not come in time, or the behavior was removed or stopped
   */
  private async _waitForDeferredAttachAsync(method: string): Promise<void> {
    if (this.attachedNode || !this._pendingAttach.pending) return;
    const outcome = await this._pendingAttach.waitAsync(
      DEFERRED_ATTACH_WAIT_MS,
      this._attachWaitAbort.signal,
    );
    if (outcome === 'timeout') {
      throw new LipSyncError(
        `${method}: the behavior was added (mesh.addBehavior) while the scene was still loading, and Babylon ` +
          `attaches it only when scene.onDataLoadedObservable fires, which did not happen within ` +
          `${DEFERRED_ATTACH_WAIT_MS / 1000} s. Await scene.whenReadyAsync() before ${method}, or attach at once ` +
          `with mesh.addBehavior(lipSync, true).`,
      );
    }
    if (outcome === 'cancelled') {
      throw new LipSyncError(
        `${method} was cancelled while waiting for Babylon to attach the behavior (stop(), removeBehavior or dispose).`,
      );
    }
  }

  /** Opens the session's stream in `worker`, fed by the capture port; rejects if the worker dies first. */
  private async _openStreamAsync(
    session: Session,
    worker: ILipSyncWorkerClient,
    port: MessagePort,
  ): Promise<void> {
    // A call into a terminated worker never settles: race it against the crash.
    await Promise.race([
      worker.api.openStream(
        session.streamId,
        transfer(port, [port]),
        // Blocks the old worker posted before it died may still arrive: each sink knows its worker.
        proxy((block: LipsFrameBlock) => {
          if (session.worker === worker) this._onBlock(session, block);
        }),
      ),
      worker.crashed.then((err) => {
        throw err;
      }),
    ]);
  }

  private _watchWorker(session: Session, worker: ILipSyncWorkerClient): void {
    void worker.crashed.then((err) => {
      if (this._session === session && session.worker === worker) void this._restartWorkerAsync(session, err);
    });
  }

  /**
   * Replaces a crashed or hung worker while the session keeps running: the old one is already
   * terminated; the avatar eases to rest on its own (no frames arrive); a fresh worker gets a new
   * channel from the same capture node and the stream goes on at the same audio-clock times.
   */
  private async _restartWorkerAsync(session: Session, crash: WorkerCrashError): Promise<void> {
    let reason = crash;
    if (session.gapStartMs < 0) session.gapStartMs = performance.now();
    session.telemetryBusy = false; // a request to the dead worker never settles
    this._setState('recovering');
    this._onError.notifyObservers(crash);
    for (;;) {
      session.worker?.kill(); // hands back our reference; the crash already terminated it
      session.worker = null;
      session.workerRestarts++;
      session.restartsWithoutFrames++;
      if (session.restartsWithoutFrames > MAX_RESTARTS_WITHOUT_FRAMES) {
        const n = session.restartsWithoutFrames - 1;
        this._fail(
          new WorkerCrashError(
            `The lip-sync worker crashed ${n} times in a row without producing a frame; giving up (${reason.message})`,
            { cause: reason },
          ),
        );
        return;
      }
      try {
        const worker = await acquireWorkerForOptionsAsync(this._options);
        if (this._session !== session || !session.capture) {
          void worker.releaseAsync();
          return;
        }
        session.worker = worker;
        await this._openStreamAsync(session, worker, session.capture.renewPort());
        if (this._session !== session) return; // stop() released the worker
        this._watchWorker(session, worker);
        const ctx = session.lease!.context;
        this._setState(ctx.state === 'running' ? 'running' : 'suspended');
        return;
      } catch (e) {
        if (this._session !== session) return;
        if (!(e instanceof WorkerCrashError)) {
          this._fail(e instanceof LipSyncError ? e : new WorkerCrashError(String(e), { cause: e }));
          return;
        }
        reason = e; // the new worker died before it opened the stream: try again (bounded above)
      }
    }
  }

  private _onBlock(session: Session, block: LipsFrameBlock): void {
    if (this._session !== session || !session.playout || !session.lease) return;
    const ctx = session.lease.context;
    if (session.gapStartMs >= 0) {
      // First frames of a restarted worker: the gap is over.
      session.workerGapMs = performance.now() - session.gapStartMs;
      session.gapStartMs = -1;
      this._updateTelemetrySystem(session);
    }
    session.restartsWithoutFrames = 0;
    for (let f = 0; f < block.frames; f++) {
      const timeSec = block.firstTimeSec + f * block.frameDurationSec;
      if (timeSec < session.staleBeforeSec) continue;
      session.playout.push({
        timeSec,
        // Digital silence (a muted or idle source) shows the rest pose whatever the model makes of it.
        points: isDigitalSilence(block.speechRms[f])
          ? LIPS_V1.neutral
          : block.points.subarray(f * 63, f * 63 + 63),
      });
    }
    session.frames += block.frames;
    session.telemetry?.onFrames(block.firstTimeSec, block.frameDurationSec, block.speechRms);
    // Live microphone: show the newest frame as soon as it exists. Track how far behind the clock
    // frames arrive (fast attack, slow release) and play that far behind.
    const newest = block.firstTimeSec + (block.frames - 1) * block.frameDurationSec;
    const lag = ctx.currentTime - newest;
    session.micLagSec = Math.max(lag, session.micLagSec * MIC_LAG_RELEASE + lag * (1 - MIC_LAG_RELEASE));
  }

  private _playoutTime(session: Session): number {
    // Playback: the sound heard now left the capture tap `playbackDelaySec` + output latency ago.
    if (session.playbackClock) return session.playbackClock.now();
    return session.lease!.context.currentTime - session.micLagSec - 0.01;
  }

  private _renderFrame(): void {
    const session = this._session;
    if (!session?.playout || !this._solver || !this._pose || !this._binding || !this.attachedNode) return;
    // Suspended: the clock stands still and nothing is heard; the avatar rests (see _onContextStateChange).
    if (session.lease?.context.state !== 'running') return;
    session.playout.intensity = this.intensity;
    // `now` is the audio-clock time of the speech being heard; the lips shown may be delayed on purpose.
    const now = this._playoutTime(session);
    const lipsDelaySec =
      (Number.isFinite(this.lipsDelayMs) ? this.lipsDelayMs / 1000 : 0) +
      (session.corrector ? session.corrector.correctionMs / 1000 : 0);
    // Smoothing delays motion by twice its time constant (sampling one time constant ahead left telemetry
    // reading lips +20-30 ms late); played sources are delayed enough to have frames that far ahead.
    const smoothingLeadSec = session.source?.playback
      ? smoothingLagSec(this._options.smoothingMs, RENDER_INTERVAL_SEC)
      : 0;
    const lipsTime = now - lipsDelaySec + smoothingLeadSec;
    this._lastLipsTimeSec = lipsTime;
    const state = session.playout.sample(lipsTime, this._lips);
    const err = this._solver.solve(this._lips, this._pose);
    applyRigPose(this.attachedNode, this._binding, this._pose);
    if (session.telemetry && this._rig && this._onTelemetry.hasObservers()) {
      this._recordTelemetryFrame(session, now, lipsTime);
    }
    if (this._onFrame.hasObservers()) {
      this._onFrame.notifyObservers({
        timeSec: now,
        lipsTimeSec: session.playout.coveredSec - smoothingLeadSec,
        points: this._lips,
        playout: state,
        solverErrorM: err,
      });
    }
  }

  /**
   * Reads the lips back from the deformed avatar (what the viewer sees) as lips-v1 displacements and
   * records them against the audio time being heard. The solver maps a lips-v1 target to mesh space as
   * `restLandmarks + scale · (target − neutral)`, so the displacement is `(p − restLandmarks) / scale`.
   */
  private _recordTelemetryFrame(session: Session, heardSec: number, lipsTimeSec: number): void {
    const rig = this._rig!;
    const out = this._readBack;
    readBackLipsV1(this.attachedNode!, rig.landmarkMap, out);
    const scale = this._solver!.displacementScale;
    const rest = rig.restLandmarks;
    for (let i = 0; i < 63; i++) out[i] = (out[i] - rest[i]) / scale;
    const ctx = session.lease!.context;
    // Capture → applied: the shown frame's speech was captured at `lipsTimeSec` on the audio clock.
    session.telemetry!.recordFrame(heardSec, out, ctx.currentTime - lipsTimeSec);
  }

  /**
   * Every TELEMETRY_INTERVAL_MS: emits the samples due (with the scores that have arrived so far) and
   * asks the worker to score the recent lips, unless the previous request is still running (scores
   * lag; samples never wait for them).
   */
  private _telemetryTick(session: Session): void {
    const agg = session.telemetry;
    const worker = session.worker;
    if (this._session !== session || !agg || !worker || !this._onTelemetry.hasObservers()) return;
    for (const sample of agg.takeSamples()) {
      const corrector = session.corrector;
      if (corrector) corrector.update(sample);
      this._onTelemetry.notifyObservers(
        corrector ? { ...sample, avOffsetCorrectionMs: corrector.correctionMs } : sample,
      );
    }
    if (session.telemetryBusy) return;
    const request = agg.scoreRequest();
    const lips = request?.lips ?? new Float32Array(0);
    session.telemetryBusy = true;
    worker.api
      .scoreAsync(
        session.streamId,
        request?.firstTimeSec ?? 0,
        request?.frames ?? 0,
        transfer(lips, [lips.buffer]),
      )
      .then((result) => {
        if (this._session !== session || session.worker !== worker) return;
        agg.addScores(result);
        session.system = toTelemetrySystem(result);
        this._updateTelemetrySystem(session);
      })
      .catch(() => undefined) // the worker is gone: its crash is reported through `crashed`
      .finally(() => {
        session.telemetryBusy = false;
      });
  }

  /** Telemetry's system fields: the worker's counters plus this session's restart counters. */
  private _updateTelemetrySystem(session: Session): void {
    session.telemetry?.setSystem({
      ...(session.system ?? NO_TELEMETRY_SYSTEM),
      workerRestarts: session.workerRestarts,
      workerGapMs: session.workerGapMs,
    });
  }

  private _applyRest(): void {
    if (!this._solver || !this._pose || !this._binding || !this.attachedNode) return;
    this._pose.morphInfluences.fill(0);
    this._pose.jawRotationRad.fill(0);
    this._solver.reset();
    applyRigPose(this.attachedNode, this._binding, this._pose);
  }

  private _stopAfterDrain(session: Session): void {
    // Let the delayed sound and the last frames play out before stopping.
    setTimeout(
      () => {
        if (this._session === session) this.stop();
      },
      (session.playbackDelaySec + 0.3) * 1000,
    );
  }

  private _fail(err: LipSyncError): void {
    const session = this._session;
    if (!session) return;
    this._session = null;
    this._teardown(session);
    this._applyRest();
    this._setState('error');
    this._onError.notifyObservers(err);
  }

  private _teardown(session: Session): void {
    session.abort.abort();
    if (session.telemetryTimer !== null) clearInterval(session.telemetryTimer);
    session.telemetryTimer = null;
    session.telemetry = null;
    if (this._onBeforeRenderObserver) {
      this._onBeforeRenderObserver.remove();
      this._onBeforeRenderObserver = null;
    }
    session.lease?.context.removeEventListener('statechange', this._onContextStateChange);
    if (session.source && session.capture) safeDisconnect(session.source.node, session.capture.node);
    if (session.source && session.delay) safeDisconnect(session.source.node, session.delay);
    session.delay?.disconnect();
    session.gate?.disconnect();
    session.source?.close();
    session.capture?.dispose();
    if (session.worker) {
      const w = session.worker;
      try {
        void w.api.closeStream(session.streamId).catch(() => undefined);
      } catch {
        // the worker was killed (its comlink proxy is released): nothing to close
      }
      void w.releaseAsync();
    }
    session.lease?.release();
    session.source = null;
    session.capture = null;
    session.worker = null;
    session.delay = null;
    session.gate = null;
    session.lease = null;
  }

  private _setState(state: LipSyncState): void {
    if (state === this._state) return;
    this._state = state;
    this._onStateChanged.notifyObservers(state);
  }
}

/** System fields of telemetry from the worker's counters (restart counters are the session's). */
function toTelemetrySystem(result: ITelemetryScoreResult): ITelemetrySystem {
  const inference: Record<string, IInferenceTiming> = {};
  for (const [model, runs] of Object.entries(result.runMs)) {
    const timing = timingPercentiles(runs);
    if (timing) inference[model] = timing;
  }
  return {
    inference,
    backend: result.backend,
    backends: result.backends,
    wasmThreads: result.wasmThreads,
    droppedChunks: result.droppedChunks,
    queueDepth: result.queueDepth,
    workerRestarts: 0,
    workerGapMs: null,
  };
}
