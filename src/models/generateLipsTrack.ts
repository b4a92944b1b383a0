/**
 * Offline generation for whole utterances (`bake`, the CLI, parity tests): the same features and
 * the same model as streaming, run once over the whole log-mel, so baked and streamed lips agree.
 */
import { FEATURES_V1 } from '../features/featureSpec.ts';
import { logMelSpectrogram } from '../features/logMelSpectrogram.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import type { IGeneratorManifest } from './modelManifest.ts';
import type { GeneratorRunner } from './streamingGenerator.ts';

/** A generated lips-v1 track, frame 0 at audio time 0. */
export interface ILipsTrack {
  readonly frames: number;
  /** Frames per second. */
  readonly fps: number;
  /** Lips-v1 displacements from `LIPS_V1.neutral`, `frames × 63`, metres, head frame (a new array). */
  readonly displacements: Float32Array;
  /** Speech RMS over each frame's span, linear full scale. */
  readonly speechRms: Float32Array;
}

/**
 * @param samples16k defines mono 16 kHz audio in [-1, 1]
 * @param generator defines the generator's framing
 * @param run defines how to execute the model
 * @returns one frame per `1 / frameRateHz` of audio (rounded up)
 */
export async function generateLipsTrackAsync(
  samples16k: Float32Array,
  generator: IGeneratorManifest,
  run: GeneratorRunner,
): Promise<ILipsTrack> {
  const hop = FEATURES_V1.hopLengthSamples;
  const k = generator.melFramesPerOutputFrame;
  const frames = Math.ceil((samples16k.length / FEATURES_V1.sampleRateHz) * generator.frameRateHz);
  // Trailing silence completes the look-ahead (and the analysis window) of the last frames.
  const padded = new Float32Array(samples16k.length + FEATURES_V1.frameLengthSamples + (generator.lookaheadFrames + k) * hop);
  for (let i = 0; i < samples16k.length; i++) padded[i] = Number.isFinite(samples16k[i]) ? samples16k[i] : 0;
  const mel = logMelSpectrogram(padded, FEATURES_V1);
  const out = frames > 0 ? await run(mel.data, mel.frames) : new Float32Array(0);
  const displacements = out.slice(0, frames * LIPS_V1_VALUES);
  const speechRms = new Float32Array(frames);
  const span = k * hop;
  for (let j = 0; j < frames; j++) {
    let e = 0;
    const end = Math.min(samples16k.length, (j + 1) * span);
    for (let i = j * span; i < end; i++) e += padded[i] * padded[i];
    speechRms[j] = Math.sqrt(e / span);
  }
  return { frames, fps: generator.frameRateHz, displacements, speechRms };
}
