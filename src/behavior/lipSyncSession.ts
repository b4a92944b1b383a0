/**
 * One started lip-sync session (`PerceptualLipSyncBehavior.startAsync` → `stop`): acquires, under one
 * AbortSignal and in this order, the AudioContext lease, the audio source, the inference worker, the
 * capture node, the playout (and, for played sources, the delay line and output gate), the worker's
 * stream, the live sync monitor's timer and the render observer; `teardown` releases each of them, in
 * reverse, whatever point start reached. The effects are injected (`ILipSyncSessionDeps`), so Node tests
 * run a session on fakes.
 */
import { proxy, transfer } from 'comlink';
import { defaultCaptureProcessorUrl } from '../assetUrls.ts';
import type { ICaptureNode } from '../audio/captureNode.ts';
import { PlaybackDelayLine, safeDisconnect } from '../audio/playbackDelayLine.ts';
import type { PcmChunk } from '../audio/decodePcmChunk.ts';
import { AudioChunkError, AudioSourceError, LipSyncError, type WorkerCrashError } from '../errors.ts';
import type { LatencyHead } from '../models/modelManifest.ts';
import { playoutModeOf, resolveLatencyHead } from '../playout/playoutTiming.ts';
import { SessionPlayout, type ISampledLips } from '../playout/sessionPlayout.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import { AvOffsetCorrector } from '../telemetry/avOffsetCorrector.ts';
import { LiveSyncMonitor } from '../telemetry/liveSyncMonitor.ts';
import type { ITelemetrySample } from '../telemetry/telemetrySample.ts';
import type { LipsFrameBlock } from '../worker/frames.ts';
import type { ILipSyncWorkerClient } from '../worker/lipSyncWorkerClient.ts';
import type { AttachedRig } from './attachedRig.ts';
import type { LipSyncSource } from './lipSyncSource.ts';
import type { LipSyncState } from './lipSyncState.ts';
import { BROWSER_SESSION_DEPS, type ILipSyncSessionDeps } from './lipSyncSessionDeps.ts';
import type { IOpenedAudioSource } from './openAudioSource.ts';
import type { IPerceptualLipSyncOptions } from './perceptualLipSyncOptions.ts';
import type { IAudioContextLease } from './sharedAudioContext.ts';
import { WorkerSupervisor } from './workerSupervisor.ts';

/**
 * How long start waits for a suspended AudioContext to resume. Under the autoplay policy (no user
 * gesture yet) `resume()` stays pending until a gesture: start then finishes in state `suspended`.
 */
export const RESUME_GRACE_MS = 1000;
/** How long after a finite source ends the session stops: the delayed sound and last frames play out, s. */
export const DRAIN_TAIL_SEC = 0.3;

/** What a session reports to its behavior. */
export interface ILipSyncSessionHost {
  readonly options: IPerceptualLipSyncOptions;
  /** True while this session is the behavior's running one. */
  isCurrent(session: LipSyncSession): boolean;
  setState(state: LipSyncState): void;
  notifyError(error: Error): void;
  /** The session cannot go on: the behavior tears it down and reports `error`. */
  fail(session: LipSyncSession, error: LipSyncError): void;
  /** A finite source ended and drained: the behavior stops, if this is still its session. */
  stop(session: LipSyncSession): void;
  /** The AudioContext suspended or resumed. */
  onContextStateChange(): void;
  /** True while `onTelemetryObservable` has observers. */
  telemetryWanted(): boolean;
  emitTelemetry(sample: ITelemetrySample): void;
}

let nextStreamId = 1;

/** Everything one `startAsync` acquired, released in reverse by `teardown`. */
export class LipSyncSession {
  /** Aborted by `teardown`: ends a start still in progress. */
  readonly abort = new AbortController();
  /** This session's stream id in the worker. */
  readonly streamId = nextStreamId++;
  /** The session's worker and its restart policy. */
  readonly supervisor: WorkerSupervisor<ILipSyncWorkerClient>;
  lease: IAudioContextLease | null = null;
  capture: ICaptureNode | null = null;
  source: IOpenedAudioSource | null = null;
  /** Played sources: the delay line and output gate (muted at `interrupt()` while the line drains). */
  delayLine: PlaybackDelayLine | null = null;
  /** The lips on the audio clock, once the worker's timing is known. */
  playout: SessionPlayout | null = null;
  /** Live sync monitor of this stream (see `onTelemetryObservable`). */
  monitor: LiveSyncMonitor | null = null;
  /** The generator head asked of the worker, resolved from `latencyMode` once the source is open. */
  latencyHead: LatencyHead | null = null;
  frames = 0;

  private readonly _host: ILipSyncSessionHost;
  private readonly _deps: ILipSyncSessionDeps;
  private _renderObserver: { remove(): void } | null = null;
  private readonly _onStateChange = (): void => this._host.onContextStateChange();

  /**
   * @param host defines the behavior's side
   * @param deps defines the effects (the browser's by default)
   */
  constructor(host: ILipSyncSessionHost, deps: ILipSyncSessionDeps = BROWSER_SESSION_DEPS) {
    this._host = host;
    this._deps = deps;
    const o = host.options;
    this.supervisor = new WorkerSupervisor<ILipSyncWorkerClient>({
      alive: () => host.isCurrent(this) && this.capture !== null,
      // A replacement loads the head the session started with (resolved before the first acquire).
      acquireAsync: () => deps.acquireWorkerAsync(o, this.latencyHead!),
      openStreamAsync: (worker) => this._openStreamAsync(worker, this.capture!.renewPort()),
      onCrash: (crash: WorkerCrashError) => {
        this.monitor?.workerReplaced(); // a request to the dead worker never settles
        host.setState('recovering');
        host.notifyError(crash);
      },
      onRecovered: () => host.setState(this.lease!.context.state === 'running' ? 'running' : 'suspended'),
      onGiveUp: (error) => host.fail(this, error),
      nowMs: () => deps.nowMs(),
    });
  }

  /**
   * The played source's nodes before the delay and after the output gate, and the delay (tests record what
   * is captured and what is heard); null when not a played source.
   * @returns the graph, or null
   */
  playbackGraph(): { source: AudioNode; output: AudioNode; delaySec: number; underruns: number } | null {
    if (!this.source || !this.delayLine) return null;
    return {
      source: this.source.node,
      output: this.delayLine.gate,
      delaySec: this.playout?.delaySec ?? 0,
      underruns: this.source.pcmStream?.underruns ?? 0,
    };
  }

  /** The session's current worker, or null. */
  get worker(): ILipSyncWorkerClient | null {
    return this.supervisor.worker;
  }

  /**
   * Acquires everything and starts the stream; on failure (or `teardown` meanwhile) releases what it got.
   * @param source defines the speech source
   * @param intensity defines the gain in force
   * @param renderLoop defines where the render observer goes (`scene.onBeforeRenderObservable`)
   * @param render defines the per-render callback
   * @throws LipSyncError (others are wrapped as AudioSourceError)
   */
  async startAsync(
    source: LipSyncSource,
    intensity: number,
    renderLoop: { add(callback: () => void): { remove(): void } | null },
    render: () => void,
  ): Promise<void> {
    const o = this._host.options;
    const deps = this._deps;
    const signal = this.abort.signal;
    const check = (): void => {
      if (signal.aborted) throw new LipSyncError('Start was cancelled by stop() or detach().');
    };
    try {
      this.lease = deps.acquireAudioContext(o.audioContext ?? deps.soundContext(source) ?? undefined);
      const context = this.lease.context;
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
      this.source = await deps.openAudioSourceAsync(context, source, signal, {
        reroute: o.playAudio && o.audioDelayCompensation,
      });
      check();
      // The head depends on the source: whether its sound is heard as it happens or delayed by us.
      this.latencyHead = resolveLatencyHead(
        o.latencyMode,
        playoutModeOf(this.source),
        o.playAudio && o.audioDelayCompensation,
      );
      const worker = await deps.acquireWorkerAsync(o, this.latencyHead);
      this.supervisor.worker = worker;
      check();
      this.capture = await deps.createCaptureNodeAsync(
        context,
        o.captureProcessorUrl ?? defaultCaptureProcessorUrl(),
      );
      check();
      const info = worker.info;
      this.playout = new SessionPlayout(context, playoutModeOf(this.source), info, LIPS_V1_VALUES, {
        ...o,
        intensity,
      });
      if (this.playout.mode === 'playback' && o.playAudio) {
        const destination = this.source.destination ?? context.destination;
        this.delayLine = new PlaybackDelayLine(context, this.source.node, destination, this.playout.delaySec);
      }
      await this._openStreamAsync(worker, this.capture.port);
      check();
      this.source.node.connect(this.capture.node);
      this.source.start();
      this.source.ended?.then(() => this._stopAfterDrain());
      void this.source.lost?.then((err) => {
        if (this._host.isCurrent(this)) this._host.fail(this, err);
      });
      this.supervisor.watch(worker);
      this.monitor = this._createMonitor(info);
      this.monitor.start();
      this._renderObserver = renderLoop.add(render);
      this._host.setState(context.state === 'running' ? 'running' : 'suspended');
      context.addEventListener('statechange', this._onStateChange);
    } catch (e) {
      this.teardown();
      throw e instanceof LipSyncError
        ? e
        : new AudioSourceError(`Could not start: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * One render: samples the lips, shows them on the rig and records what the viewer sees for telemetry.
   * @param rig defines the attached rig
   * @param intensity defines the gain in force
   * @param lipsDelayMs defines the user's extra lips delay, ms
   * @param lips defines where the lips shown are written, lips-v1 displacements from neutral
   * @param telemetry defines whether telemetry is listened to (the read-back costs a mesh read)
   * @returns where the lips were sampled and the solver's error, or null when nothing was shown (suspended)
   */
  render(
    rig: AttachedRig,
    intensity: number,
    lipsDelayMs: number,
    lips: Float32Array,
    telemetry: boolean,
  ): ISampledLips | null {
    // Suspended: the clock stands still and nothing is heard; the avatar rests.
    if (!this.playout || this.lease?.context.state !== 'running') return null;
    const at = this.playout.sample(intensity, lipsDelayMs, this.monitor?.correctionMs ?? null, lips);
    at.solverErrorM = rig.show(lips);
    if (this.monitor && telemetry) {
      // What the viewer sees, read back from the deformed avatar, against the audio time being heard.
      this.monitor.recordShownLips(at.nowSec, rig.readBackDisplacement(), at.latencySec);
    }
    return at;
  }

  /** Cuts streamed speech off (see `PerceptualLipSyncBehavior.interrupt`); a no-op for other sources. */
  interrupt(): void {
    const player = this.source?.pcmStream;
    if (!player || !this.lease) return;
    const now = this.lease.context.currentTime;
    // No audio captured before `cut` reaches the lips again; the delayed sound already in the delay line
    // is muted until it has drained (the next chunk plays `leadMs` after the cut at the earliest).
    const cut = player.interrupt();
    this.delayLine?.muteUntil(now, cut + (this.playout?.delaySec ?? 0));
    this.playout?.interrupt(cut);
    const worker = this.worker;
    if (worker) {
      try {
        void worker.api.interruptStream(this.streamId, cut).catch(() => undefined);
      } catch {
        // the worker was killed: its replacement starts fresh anyway
      }
    }
  }

  /** Releases everything start acquired, in reverse. Idempotent. */
  teardown(): void {
    this.abort.abort();
    this.monitor?.dispose();
    this.monitor = null;
    this._renderObserver?.remove();
    this._renderObserver = null;
    this.lease?.context.removeEventListener('statechange', this._onStateChange);
    if (this.source && this.capture) safeDisconnect(this.source.node, this.capture.node);
    this.delayLine?.dispose();
    this.source?.close();
    this.capture?.dispose();
    const worker = this.supervisor.take();
    if (worker) {
      try {
        void worker.api.closeStream(this.streamId).catch(() => undefined);
      } catch {
        // the worker was killed (its comlink proxy is released): nothing to close
      }
      void worker.releaseAsync();
    }
    this.lease?.release();
    this.source = null;
    this.capture = null;
    this.delayLine = null;
    this.lease = null;
  }

  private _createMonitor(info: ILipSyncWorkerClient['info']): LiveSyncMonitor {
    const o = this._host.options;
    const host = this._host;
    return new LiveSyncMonitor(
      {
        scoreAsync: (firstTimeSec, frames, lips) => {
          const worker = this.worker!;
          return worker.api
            .scoreAsync(this.streamId, firstTimeSec, frames, transfer(lips, [lips.buffer]))
            .then((result) => (host.isCurrent(this) && this.worker === worker ? result : null));
        },
        wanted: () => host.isCurrent(this) && host.telemetryWanted(),
        workerReady: () => this.worker !== null,
        emit: (sample) => host.emitTelemetry(sample),
        restartCounters: () => this.supervisor,
        playoutMargin: () => this.playout?.margin() ?? null,
      },
      {
        meshWindowFrames: info.manifest.metricEncoders?.meshWindowFrames ?? 10,
        // Known from the start: samples before the first score reply already say where inference runs.
        system: { backend: info.backend, backends: info.backends, wasmThreads: info.wasmThreads },
        // Lips can move earlier only as far as frames exist ahead: within the processing margin.
        corrector:
          this.playout?.mode === 'playback' && o.autoOffsetCorrection
            ? new AvOffsetCorrector({ minCorrectionMs: -o.processingMarginMs / 2 })
            : null,
      },
    );
  }

  /** Opens the stream in `worker`, fed by the capture port; rejects if the worker dies first. */
  private async _openStreamAsync(worker: ILipSyncWorkerClient, port: MessagePort): Promise<void> {
    // A call into a terminated worker never settles: race it against the crash.
    await Promise.race([
      worker.api.openStream(
        this.streamId,
        transfer(port, [port]),
        // Blocks the old worker posted before it died may still arrive: each sink knows its worker.
        proxy((block: LipsFrameBlock) => {
          if (this.worker === worker) this._onBlock(block);
        }),
        this.playout?.mode === 'live', // a microphone's outputs do not wait for a batch
      ),
      worker.crashed.then((err) => {
        throw err;
      }),
    ]);
  }

  private _onBlock(block: LipsFrameBlock): void {
    if (!this._host.isCurrent(this) || !this.playout || !this.lease) return;
    // First frames of a restarted worker: the gap is over.
    if (this.supervisor.onFrames()) this.monitor?.refreshSystem();
    this.playout.onBlock(block);
    this.frames += block.frames;
    this.monitor?.onFrames(block);
  }

  private _stopAfterDrain(): void {
    // Let the delayed sound and the last frames play out before stopping.
    setTimeout(() => this._host.stop(this), ((this.playout?.delaySec ?? 0) + DRAIN_TAIL_SEC) * 1000);
  }
}

/**
 * Queues a chunk of streamed speech (`PerceptualLipSyncBehavior.pushAudio`).
 * @param session defines the running session, or null
 * @param chunk defines the samples
 * @throws AudioChunkError for a malformed chunk, or when no `pcmStream` source is running
 */
export function pushAudioToSession(session: LipSyncSession | null, chunk: PcmChunk): void {
  const player = session?.source?.pcmStream;
  if (!player) {
    throw new AudioChunkError(
      `pushAudio needs a running pcmStream source, but ${session ? 'the source is another kind' : 'none is running (not started, or stopped)'}: ` +
        "call startAsync({ kind: 'pcmStream', sampleRateHz }) first.",
    );
  }
  player.push(chunk);
}
