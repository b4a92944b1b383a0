import type { AbstractSoundSource } from '@babylonjs/core/AudioV2/abstractAudio/abstractSoundSource.js';

/**
 * Where the speech comes from. A string union of kinds, so a source reads as data:
 * `{ kind: 'microphone' }`, `{ kind: 'url', url: 'hello.wav' }`.
 */
export type LipSyncSource =
  /** The default microphone through `getUserMedia`. Processing flags default to off: the model wants the raw voice. */
  | {
      /** Source kind. */
      readonly kind: 'microphone';
      /** `getUserMedia` device id of the input to open. @default the default input */
      readonly deviceId?: string;
      /** Browser echo cancellation. @default false */
      readonly echoCancellation?: boolean;
      /** Browser noise suppression. @default false */
      readonly noiseSuppression?: boolean;
      /** Browser automatic gain control. @default false */
      readonly autoGainControl?: boolean;
    }
  /** Any live `MediaStream` with an audio track (WebRTC, screen capture). Not stopped on `stop()`: we close only what we open. */
  | {
      /** Source kind. */
      readonly kind: 'mediaStream';
      /** The stream; its first audio track is used. */
      readonly stream: MediaStream;
    }
  /** Any Web Audio node already playing (TTS playback, a synth). It must belong to the behavior's AudioContext. */
  | {
      /** Source kind. */
      readonly kind: 'audioNode';
      /** The node, created in `lipSync.audioContext`; do not connect it to the destination yourself. */
      readonly node: AudioNode;
    }
  /** An `<audio>`/`<video>` element; its sound is routed through the lip-sync delay so lips and sound align. */
  | {
      /** Source kind. */
      readonly kind: 'mediaElement';
      /** The element (one `MediaElementAudioSourceNode` per element and context, as Web Audio allows). */
      readonly element: HTMLMediaElement;
    }
  /** A decoded buffer, played once from the start. */
  | {
      /** Source kind. */
      readonly kind: 'audioBuffer';
      /** The decoded audio. */
      readonly buffer: AudioBuffer;
    }
  /** An audio file URL (wav, mp3, ogg…), fetched, decoded and played once. */
  | {
      /** Source kind. */
      readonly kind: 'url';
      /** The file's URL, relative to the page. */
      readonly url: string;
    }
  /**
   * Streamed speech pushed chunk by chunk with `pushAudio` (a realtime voice agent's PCM16 over WebSocket or
   * WebRTC data channel), played gaplessly by the behavior and cut off with `interrupt()`. `sampleRateHz` is
   * the chunks' rate, an integer in [8000, 96000] (24000 for most realtime voice APIs); `leadMs` is how far
   * ahead of now the first chunk after a gap plays, the arrival jitter absorbed (default 120).
   */
  | {
      /** Source kind. */
      readonly kind: 'pcmStream';
      /** Rate of the pushed chunks, Hz (8000–96000; 24000 for most realtime voice APIs). */
      readonly sampleRateHz: number;
      /** Scheduling lead after a gap, ms. @default 120 */
      readonly leadMs?: number;
    }
  /**
   * A Babylon AudioEngineV2 sound: a `StaticSound` or `StreamingSound` (played by you with `sound.play()`,
   * heard through its bus after the lips' delay) or a sound source such as
   * `CreateMicrophoneSoundSourceAsync` (live, never delayed). The behavior uses the engine's AudioContext.
   */
  | {
      /** Source kind. */
      readonly kind: 'babylonSound';
      /** The AudioEngineV2 sound or sound source. */
      readonly sound: AbstractSoundSource;
    };

/** Kinds whose sound the behavior plays itself, so it can delay the sound to line up with the lips. */
export type PlaybackSourceKind =
  'audioNode' | 'mediaElement' | 'audioBuffer' | 'url' | 'pcmStream' | 'babylonSound';

/**
 * Pre-recorded audio for `PerceptualLipSyncBehavior.bakeAsync`: a decoded buffer, an audio file URL, or
 * raw mono samples with their rate. Multichannel audio is averaged to mono, as the live capture does.
 */
export type LipSyncBakeSource =
  | {
      /** Source kind. */
      readonly kind: 'audioBuffer';
      /** The decoded audio. */
      readonly buffer: AudioBuffer;
    }
  | {
      /** Source kind. */
      readonly kind: 'url';
      /** The file's URL, relative to the page. */
      readonly url: string;
    }
  /** Mono samples in [-1, 1] at `sampleRateHz` (an integer in [8000, 96000] Hz). */
  | {
      /** Source kind. */
      readonly kind: 'samples';
      /** Mono samples in [-1, 1]. */
      readonly samples: Float32Array;
      /** Sample rate, Hz (an integer in [8000, 96000]). */
      readonly sampleRateHz: number;
    };
