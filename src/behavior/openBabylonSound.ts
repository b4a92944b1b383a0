/**
 * Babylon AudioEngineV2 sounds as lip-sync sources: a `StaticSound` (`CreateSoundAsync`), a
 * `StreamingSound` (`CreateStreamingSoundAsync`) or a sound source (`CreateMicrophoneSoundSourceAsync`,
 * `CreateSoundSourceAsync`) becomes the Web Audio node the behavior captures, in the engine's own
 * AudioContext. A played sound can be rerouted through the behavior's delay and back into its bus, so the
 * sound is heard when its lips are ready, with the sound's volume, stereo and spatial stages kept.
 *
 * What it relies on in Babylon 9 (`@babylonjs/core/AudioV2`): public API except one getter.
 * - `sound.outBus` (public setter): set to null it disconnects the sound from its bus, and setting it back
 *   reconnects it (`AbstractSoundSource.outBus`).
 * - `engine.createSoundSourceAsync(name, node, { outBus })` (public): wraps our delayed node as a sound
 *   source that plays into the sound's original bus.
 * - `sound._outNode` (tagged `@internal`): the sound's last Web Audio node (its volume node, after the
 *   stereo and spatial stages), set once when the sound is created. AudioEngineV2 has no public way to
 *   reach a sound's Web Audio output; this getter exists on every Web Audio sound, bus and sound source
 *   from Babylon 8.0 to 9.x. Its `context` is the engine's AudioContext (also not public otherwise).
 */
import type { AbstractSoundSource } from '@babylonjs/core/AudioV2/abstractAudio/abstractSoundSource.js';
import { AudioSourceError } from '../errors.ts';

/** A Babylon sound opened as a lip-sync source. */
export interface IOpenedBabylonSound {
  /** The sound's Web Audio output (after its volume, stereo and spatial stages): capture this. */
  readonly node: AudioNode;
  /** The engine's AudioContext (the node's). */
  readonly context: AudioContext;
  /**
   * True for sounds Babylon plays from data (`StaticSound`, `StreamingSound`) that reach a bus, i.e. are
   * heard; false for live sources (microphone, media streams), which are never delayed, and for sounds
   * with no bus.
   */
  readonly playback: boolean;
  /**
   * Where the delayed sound goes back into Babylon (it plays into the sound's original bus), when rerouted;
   * null otherwise. Connect the behavior's delay to it.
   */
  readonly returnNode: AudioNode | null;
  /** Resolves when the sound is disposed (nothing will be heard from it again). */
  readonly lost: Promise<AudioSourceError>;
  /** Puts the sound back on its bus and releases what was created. Idempotent. */
  close(): void;
}

/** Options of `openBabylonSoundAsync`. */
export interface IOpenBabylonSoundOptions {
  /**
   * Take a played sound off its bus so that it is heard only through `returnNode` (after the behavior's
   * delay). When false the sound plays on as before and is only listened to.
   */
  readonly reroute: boolean;
}

/** The one internal getter this module reads (see the file comment). */
interface IWebAudioOutNode {
  readonly _outNode?: AudioNode | null;
}

/**
 * The AudioContext a Babylon sound plays in (its engine's), or null when it has no Web Audio output.
 * @param sound defines the sound or sound source
 */
export function babylonSoundContext(sound: AbstractSoundSource): AudioContext | null {
  const context = (sound as unknown as IWebAudioOutNode)._outNode?.context;
  return context instanceof AudioContext ? context : null;
}

/**
 * @param sound defines the Babylon sound or sound source (Web Audio engine)
 * @param options defines whether a played sound is rerouted through the behavior's delay
 * @returns the opened source
 * @throws AudioSourceError when the sound has no Web Audio output (disposed, not a Web Audio engine) or lives
 * in an OfflineAudioContext
 */
export async function openBabylonSoundAsync(
  sound: AbstractSoundSource,
  options: IOpenBabylonSoundOptions,
): Promise<IOpenedBabylonSound> {
  const node = (sound as unknown as IWebAudioOutNode)._outNode ?? null;
  // A disposed sound keeps its nodes but leaves the engine's public node set.
  if (!node || !sound.engine.nodes.has(sound)) {
    throw new AudioSourceError(
      `The Babylon sound "${sound.name}" has no Web Audio output: expected a sound of the Web Audio engine ` +
        '(CreateAudioEngineAsync) that is not disposed. Create it with CreateSoundAsync, CreateStreamingSoundAsync ' +
        'or CreateMicrophoneSoundSourceAsync.',
    );
  }
  const context = node.context;
  if (!(context instanceof AudioContext)) {
    throw new AudioSourceError(
      `The Babylon sound "${sound.name}" plays in an OfflineAudioContext: live lip sync needs a realtime ` +
        'AudioContext (use bakeAsync for offline audio).',
    );
  }
  // Sounds played from data have play(); live sound sources (microphone, media streams) do not. Duck-typed,
  // so a second copy of Babylon in the page (instanceof would fail) still works.
  const played = typeof (sound as unknown as { play?: unknown }).play === 'function';
  const bus = sound.outBus;
  const playback = played && bus !== null;
  let returnNode: GainNode | null = null;
  let returnSource: AbstractSoundSource | null = null;
  if (playback && options.reroute) {
    returnNode = new GainNode(context);
    try {
      returnSource = await sound.engine.createSoundSourceAsync(
        `${sound.name} (lip-sync delayed)`,
        returnNode,
        {
          outBus: bus,
        },
      );
    } catch (e) {
      returnNode.disconnect();
      throw new AudioSourceError(
        `Cannot route the Babylon sound "${sound.name}" through the lip-sync delay: ${(e as Error).message}`,
        { cause: e },
      );
    }
    sound.outBus = null;
  }
  let closed = false;
  let onDisposed: (() => void) | null = null;
  const lost = new Promise<AudioSourceError>((resolve) => {
    onDisposed = () =>
      resolve(
        new AudioSourceError(
          `The Babylon sound "${sound.name}" was disposed: nothing will be heard from it. Call startAsync with another sound.`,
        ),
      );
  });
  const observer = sound.onDisposeObservable.addOnce(() => onDisposed?.());
  return {
    node,
    context,
    playback,
    returnNode,
    lost,
    close() {
      if (closed) return;
      closed = true;
      observer.remove();
      if (returnSource) {
        // Back on its bus first, so a sound still playing is never cut off.
        try {
          if (sound.outBus === null && bus !== null) sound.outBus = bus;
        } catch {
          // the sound or its bus was disposed meanwhile: nothing to put back
        }
        returnSource.dispose();
        returnNode?.disconnect();
      }
    },
  };
}
