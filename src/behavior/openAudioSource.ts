/**
 * Turns a `LipSyncSource` into a Web Audio node in the behavior's AudioContext. Records what it
 * opened so `close()` releases exactly that: tracks it started, nodes it created. Injected streams,
 * nodes and elements are left as they were (we close only what we open).
 */
import { PcmStreamPlayer } from '../audio/pcmStreamPlayer.ts';
import { AudioSourceError } from '../errors.ts';
import type { LipSyncSource, PlaybackSourceKind } from './lipSyncSource.ts';
import { openBabylonSoundAsync } from './openBabylonSound.ts';

/** An opened source. */
export interface IOpenedAudioSource {
  /** The signal to capture (and, for playback sources, to play). */
  readonly node: AudioNode;
  /** True when the behavior plays the sound itself, so it may delay it to line up with the lips. */
  readonly playback: boolean;
  /** Resolves when a finite source (buffer, URL, element) has played to the end. */
  readonly ended: Promise<void> | null;
  /**
   * Resolves when a live source's every audio track has ended on its own (device unplugged, permission
   * revoked, the track stopped by other code): nothing will be heard again. Null for other kinds.
   */
  readonly lost: Promise<AudioSourceError> | null;
  /**
   * Starts sources the behavior plays itself (buffer, URL) once the graph is connected, so no speech is
   * lost while the models load; a no-op for live and user-controlled sources. Idempotent.
   */
  start(): void;
  /** Stops what was started here and disconnects created nodes. Idempotent. */
  close(): void;
  /** Where a played source's (delayed) sound goes: a Babylon sound's bus, else null for the context's destination. */
  readonly destination: AudioNode | null;
  /** The player of a `pcmStream` source (chunks are pushed to it), else null. */
  readonly pcmStream: PcmStreamPlayer | null;
}

/** Options of `openAudioSourceAsync`. */
export interface IOpenAudioSourceOptions {
  /** Reroute a played Babylon sound through the behavior's delay (see `openBabylonSoundAsync`). @default false */
  readonly reroute?: boolean;
}

const PLAYBACK: ReadonlySet<LipSyncSource['kind']> = new Set<PlaybackSourceKind>([
  'audioNode',
  'mediaElement',
  'audioBuffer',
  'url',
  'pcmStream',
]);

// createMediaElementSource can be called only once per element and context.
const elementSources = new WeakMap<HTMLMediaElement, MediaElementAudioSourceNode>();

/**
 * @param context defines the AudioContext the nodes live in
 * @param source defines what to open
 * @param signal defines an abort signal (detach during opening)
 * @throws AudioSourceError with the reason and a fix (permission denied, no device, bad URL…)
 */
export async function openAudioSourceAsync(
  context: AudioContext,
  source: LipSyncSource,
  signal?: AbortSignal,
  options: IOpenAudioSourceOptions = {},
): Promise<IOpenedAudioSource> {
  const playback = PLAYBACK.has(source.kind);
  switch (source.kind) {
    case 'microphone': {
      if (!navigator.mediaDevices?.getUserMedia) {
        throw new AudioSourceError(
          'getUserMedia is unavailable: microphones need a secure context (https or localhost).',
        );
      }
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: {
            deviceId: source.deviceId ? { exact: source.deviceId } : undefined,
            // Processing changes the voice the model hears (AGC ×1.6, correlation 0.81 with the raw
            // signal in our measurements), so it is off unless asked for.
            echoCancellation: source.echoCancellation ?? false,
            noiseSuppression: source.noiseSuppression ?? false,
            autoGainControl: source.autoGainControl ?? false,
          },
        });
      } catch (e) {
        const name = (e as { name?: string }).name;
        const why =
          name === 'NotAllowedError'
            ? 'microphone permission was denied; ask the user to allow it and call startAsync again'
            : name === 'NotFoundError' || name === 'OverconstrainedError'
              ? 'no microphone was found (or the requested deviceId does not exist)'
              : `getUserMedia failed (${name ?? String(e)})`;
        throw new AudioSourceError(`Cannot open the microphone: ${why}.`, { cause: e });
      }
      if (signal?.aborted) {
        stream.getTracks().forEach((t) => t.stop());
        throw new AudioSourceError('Opening the microphone was cancelled.');
      }
      const node = context.createMediaStreamSource(stream);
      const watch = watchTracks(
        stream,
        'The microphone was disconnected (or its permission revoked): its track ended. Call startAsync again to use another device.',
      );
      return closer(
        node,
        playback,
        null,
        () => {
          watch.stop();
          stream.getTracks().forEach((t) => t.stop());
        },
        true,
        watch.lost,
      );
    }
    case 'mediaStream': {
      if (source.stream.getAudioTracks().length === 0) {
        throw new AudioSourceError(
          'The MediaStream has no audio track: pass a stream from getUserMedia({audio: true}) or WebRTC.',
        );
      }
      const watch = watchTracks(
        source.stream,
        'The MediaStream ended: all its audio tracks stopped (device removed or remote peer gone). Call startAsync with a live stream.',
      );
      return closer(
        context.createMediaStreamSource(source.stream),
        playback,
        null,
        watch.stop,
        true,
        watch.lost,
      );
    }
    case 'audioNode': {
      if (source.node.context !== context) {
        throw new AudioSourceError(
          'The audio node belongs to another AudioContext: create it in behavior.audioContext (or pass yours as option audioContext).',
        );
      }
      return closer(source.node, playback, null, undefined, false);
    }
    case 'mediaElement': {
      let node = elementSources.get(source.element);
      if (!node) {
        node = context.createMediaElementSource(source.element);
        elementSources.set(source.element, node);
      }
      const el = source.element;
      const ended = new Promise<void>((resolve) =>
        el.addEventListener('ended', () => resolve(), { once: true }),
      );
      return closer(node, playback, ended, undefined, true);
    }
    case 'audioBuffer':
      return playBuffer(context, source.buffer);
    case 'url':
      return playBuffer(context, await fetchAudioBufferAsync(context, source.url, signal));
    case 'pcmStream': {
      const player = new PcmStreamPlayer(context, {
        sampleRateHz: source.sampleRateHz,
        leadMs: source.leadMs,
      });
      // Chunks pushed while the models load are held and played from start() on.
      return {
        ...closer(player.output, true, null, () => player.close(), false),
        start: () => player.start(),
        pcmStream: player,
      };
    }
    case 'babylonSound': {
      const opened = await openBabylonSoundAsync(source.sound, { reroute: options.reroute ?? false });
      if (opened.context !== context) {
        opened.close();
        throw new AudioSourceError(
          'The Babylon sound plays in another AudioContext than the behavior: leave option audioContext unset ' +
            "(the behavior then uses the engine's) or pass the one given to CreateAudioEngineAsync({ audioContext }).",
        );
      }
      return {
        ...closer(opened.node, opened.playback, null, () => opened.close(), false, opened.lost),
        destination: opened.returnNode,
      };
    }
    default:
      throw new AudioSourceError(
        `Unknown source kind ${JSON.stringify((source as { kind?: unknown }).kind)}.`,
      );
  }
}

/**
 * Fetches and decodes an audio file (at the context's sample rate, as the browser decodes it).
 * @param context defines the context that decodes
 * @param url defines the file URL (wav, mp3, ogg… whatever the browser decodes)
 * @param signal defines an abort signal for the fetch
 * @returns the decoded buffer
 * @throws AudioSourceError when the file cannot be fetched or decoded
 */
export async function fetchAudioBufferAsync(
  context: BaseAudioContext,
  url: string,
  signal?: AbortSignal,
): Promise<AudioBuffer> {
  let bytes: ArrayBuffer;
  try {
    const res = await fetch(url, { signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = await res.arrayBuffer();
  } catch (e) {
    throw new AudioSourceError(`Cannot fetch audio ${url}: ${(e as Error).message}.`, { cause: e });
  }
  try {
    return await context.decodeAudioData(bytes);
  } catch (e) {
    throw new AudioSourceError(
      `Cannot decode ${url}: not an audio format this browser decodes (wav, mp3, ogg…).`,
      { cause: e },
    );
  }
}

function playBuffer(context: AudioContext, buffer: AudioBuffer): IOpenedAudioSource {
  const node = context.createBufferSource();
  node.buffer = buffer;
  const ended = new Promise<void>((resolve) =>
    node.addEventListener('ended', () => resolve(), { once: true }),
  );
  let started = false;
  const opened = closer(node, true, ended, () => {
    try {
      node.stop();
    } catch {
      // already stopped, or never started
    }
  });
  // Start only once the behavior has connected the graph: speech played while the models load is lost.
  return {
    ...opened,
    start() {
      if (started) return;
      started = true;
      node.start();
    },
  };
}

/**
 * Resolves `lost` once every audio track of `stream` has ended. Tracks stopped by `track.stop()` fire
 * no `ended` event (by specification), so the states are also polled, cheaply, twice a second.
 */
function watchTracks(
  stream: MediaStream,
  message: string,
): { lost: Promise<AudioSourceError>; stop(): void } {
  const listening = new AbortController();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    listening.abort();
    clearInterval(timer);
  };
  const lost = new Promise<AudioSourceError>((resolve) => {
    const check = () => {
      if (stream.getAudioTracks().every((t) => t.readyState === 'ended')) {
        stop();
        resolve(new AudioSourceError(message));
      }
    };
    for (const t of stream.getAudioTracks()) t.addEventListener('ended', check, { signal: listening.signal });
    timer = setInterval(check, 500);
  });
  return { lost, stop };
}

function closer(
  node: AudioNode,
  playback: boolean,
  ended: Promise<void> | null,
  release?: () => void,
  disconnect = true,
  lost: Promise<AudioSourceError> | null = null,
): IOpenedAudioSource {
  let closed = false;
  return {
    node,
    playback,
    ended,
    lost,
    destination: null,
    pcmStream: null,
    start() {},
    close() {
      if (closed) return;
      closed = true;
      release?.();
      if (disconnect) node.disconnect();
    },
  };
}
