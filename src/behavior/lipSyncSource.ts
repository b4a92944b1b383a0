import type { AbstractSoundSource } from '@babylonjs/core/AudioV2/abstractAudio/abstractSoundSource.js';

/**
 * Where the speech comes from. A string union of kinds, so a source reads as data:
 * `{ kind: 'microphone' }`, `{ kind: 'url', url: 'hello.wav' }`.
 */
export type LipSyncSource =
  /** The default microphone through `getUserMedia`. Processing flags default to off: the model wants the raw voice. */
  | {
      readonly kind: 'microphone';
      readonly deviceId?: string;
      readonly echoCancellation?: boolean;
      readonly noiseSuppression?: boolean;
      readonly autoGainControl?: boolean;
    }
  /** Any live `MediaStream` with an audio track (WebRTC, screen capture). Not stopped on `stop()`: we close only what we open. */
  | { readonly kind: 'mediaStream'; readonly stream: MediaStream }
  /** Any Web Audio node already playing (TTS playback, a synth). It must belong to the behavior's AudioContext. */
  | { readonly kind: 'audioNode'; readonly node: AudioNode }
  /** An `<audio>`/`<video>` element; its sound is routed through the lip-sync delay so lips and sound align. */
  | { readonly kind: 'mediaElement'; readonly element: HTMLMediaElement }
  /** A decoded buffer, played once from the start. */
  | { readonly kind: 'audioBuffer'; readonly buffer: AudioBuffer }
  /** An audio file URL (wav, mp3, ogg…), fetched, decoded and played once. */
  | { readonly kind: 'url'; readonly url: string }
  /**
   * Streamed speech pushed chunk by chunk with `pushAudio` (a realtime voice agent's PCM16 over WebSocket or
   * WebRTC data channel), played gaplessly by the behavior and cut off with `interrupt()`. `sampleRateHz` is
   * the chunks' rate, an integer in [8000, 96000] (24000 for most realtime voice APIs); `leadMs` is how far
   * ahead of now the first chunk after a gap plays, the arrival jitter absorbed (default 120).
   */
  | { readonly kind: 'pcmStream'; readonly sampleRateHz: number; readonly leadMs?: number }
  /**
   * A Babylon AudioEngineV2 sound: a `StaticSound` or `StreamingSound` (played by you with `sound.play()`,
   * heard through its bus after the lips' delay) or a sound source such as
   * `CreateMicrophoneSoundSourceAsync` (live, never delayed). The behavior uses the engine's AudioContext.
   */
  | { readonly kind: 'babylonSound'; readonly sound: AbstractSoundSource };

/** Kinds whose sound the behavior plays itself, so it can delay the sound to line up with the lips. */
export type PlaybackSourceKind =
  'audioNode' | 'mediaElement' | 'audioBuffer' | 'url' | 'pcmStream' | 'babylonSound';

/**
 * Pre-recorded audio for `PerceptualLipSyncBehavior.bakeAsync`: a decoded buffer, an audio file URL, or
 * raw mono samples with their rate. Multichannel audio is averaged to mono, as the live capture does.
 */
export type LipSyncBakeSource =
  | { readonly kind: 'audioBuffer'; readonly buffer: AudioBuffer }
  | { readonly kind: 'url'; readonly url: string }
  /** Mono samples in [-1, 1] at `sampleRateHz` (an integer in [8000, 96000] Hz). */
  | { readonly kind: 'samples'; readonly samples: Float32Array; readonly sampleRateHz: number };
