/**
 * Offline log-mel spectrogram of a whole 16 kHz buffer, exactly per spec/features-v1.json.
 */
import { FEATURES_V1, type IFeatureSpec } from './featureSpec.ts';
import { LogMelFrameComputer } from './logMelFrameComputer.ts';

/** A log-mel spectrogram, `frames × mels` row-major. */
export interface ILogMelSpectrogram {
  /** Number of frames: 0 when the input is shorter than one frame, else ⌊(n − frameLength)/hop⌋ + 1. */
  frames: number;
  /** Number of mel bands. */
  mels: number;
  /** Natural-log mel energies, row-major (frame-major). */
  data: Float32Array;
}

/**
 * Number of complete frames in `sampleCount` samples (no centering, no padding: frame k covers
 * samples [k·hop, k·hop + frameLength)).
 * @param sampleCount defines the number of input samples
 * @param frameLength defines the frame length in samples
 * @param hop defines the hop in samples
 * @returns the frame count, ≥ 0
 */
export function frameCount(sampleCount: number, frameLength: number, hop: number): number {
  return sampleCount < frameLength ? 0 : Math.floor((sampleCount - frameLength) / hop) + 1;
}

/**
 * Computes the log-mel spectrogram of mono 16 kHz samples.
 *
 * Frame k covers samples [k·hop, k·hop + frameLength); per frame: DC removal, Kaldi-style preemphasis,
 * periodic Hann, power spectrum (fftSize), HTK mel triangles (fMin–fMax, unnormalised),
 * ln(max(E, logFloor)). Matches training/features.py to 1e-4 (golden test).
 * @param samples16k defines mono samples at `spec.sampleRateHz` in [-1, 1]
 * @param spec defines the feature parameters; defaults to features-v1
 * @returns the spectrogram
 * @throws RangeError when a sample is not finite
 */
export function logMelSpectrogram(
  samples16k: ArrayLike<number>,
  spec: IFeatureSpec = FEATURES_V1,
): ILogMelSpectrogram {
  for (let i = 0; i < samples16k.length; i++) {
    if (!Number.isFinite(samples16k[i])) {
      throw new RangeError(
        `logMelSpectrogram: expected finite samples, got ${samples16k[i]} at index ${i}. Clean the audio first.`,
      );
    }
  }
  const computer = new LogMelFrameComputer(spec);
  const frames = frameCount(samples16k.length, spec.frameLengthSamples, spec.hopLengthSamples);
  const data = new Float32Array(frames * spec.melBands);
  for (let k = 0; k < frames; k++)
    computer.compute(samples16k, k * spec.hopLengthSamples, data, k * spec.melBands);
  return { frames, mels: spec.melBands, data };
}
