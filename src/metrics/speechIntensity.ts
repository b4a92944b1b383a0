/**
 * Speech intensity (SI) for SLCC: the RMS of a whole clip.
 */
import { MetricInputError, _assertFinite } from './metricInputError.ts';

/**
 * RMS amplitude of a clip, sqrt(mean(x²)). The paper reads 16-bit wavs unnormalised (int16 scale); any
 * consistent scale works because SLCC z-normalises per speaker.
 * @param samples defines the clip's mono samples
 * @returns the RMS, in the samples' units
 * @throws MetricInputError on empty input or NaN
 */
export function speechIntensity(samples: ArrayLike<number>): number {
  if (samples.length === 0)
    throw new MetricInputError('speechIntensity: expected a non-empty clip, got 0 samples.');
  _assertFinite(samples, 'speechIntensity');
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / samples.length);
}
