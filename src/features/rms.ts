/**
 * Frame RMS (speech intensity envelope) on the log-mel framing.
 */
import { FEATURES_V1, type IFeatureSpec } from './featureSpec.ts';
import { frameCount } from './logMelSpectrogram.ts';

/**
 * Root-mean-square amplitude of each frame: frame k covers samples [k·hop, k·hop + rmsFrameLength),
 * the same start times as the log-mel frames. No DC removal and no window, so a constant signal c
 * gives |c|.
 * @param samples16k defines mono samples at `spec.sampleRateHz` (amplitude units in, same units out)
 * @param spec defines the framing; defaults to features-v1
 * @returns one RMS value per frame (empty when the input is shorter than one frame)
 * @throws RangeError when a sample is not finite
 */
export function rms(samples16k: ArrayLike<number>, spec: IFeatureSpec = FEATURES_V1): Float32Array {
  const length = spec.rmsFrameLengthSamples;
  const hop = spec.hopLengthSamples;
  const frames = frameCount(samples16k.length, length, hop);
  const out = new Float32Array(frames);
  for (let k = 0; k < frames; k++) {
    let sum = 0;
    for (let i = k * hop, end = k * hop + length; i < end; i++) {
      const v = samples16k[i];
      if (!Number.isFinite(v)) {
        throw new RangeError(`rms: expected finite samples, got ${v} at index ${i}. Clean the audio first.`);
      }
      sum += v * v;
    }
    out[k] = Math.sqrt(sum / length);
  }
  return out;
}
