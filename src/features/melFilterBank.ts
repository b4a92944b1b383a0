/**
 * HTK-scale triangular mel filters, built from the feature spec.
 */
import type { IFeatureSpec } from './featureSpec.ts';

/** Dense mel filter matrix over the one-sided FFT bins. */
export interface IMelFilterBank {
  /** Number of mel bands (rows). */
  readonly mels: number;
  /** Number of FFT bins (columns), fftSize / 2 + 1. */
  readonly bins: number;
  /** Row-major `mels × bins` weights, unnormalised (peak 1). */
  readonly weights: Float64Array;
  /** Per band, first bin with a non-zero weight (inclusive). */
  readonly firstBin: Uint32Array;
  /** Per band, last bin with a non-zero weight plus one (exclusive); equals firstBin for an empty band. */
  readonly endBin: Uint32Array;
}

/** HTK mel scale: 2595·log10(1 + f/700). */
function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

function melToHz(mel: number): number {
  return 700 * (Math.pow(10, mel / 2595) - 1);
}

/**
 * Builds the mel filter bank of a feature spec: `melBands` triangles whose corners are equally spaced
 * on the HTK mel scale between `fMinHz` and `fMaxHz`, evaluated linearly in Hz at the FFT bin
 * frequencies k·sampleRate/fftSize (as librosa `mel(htk=True, norm=None)` and torchaudio
 * `melscale_fbanks(norm=None, mel_scale='htk')`), with no area normalisation.
 * @param spec defines the feature parameters
 * @returns the filter bank
 */
export function melFilterBank(spec: IFeatureSpec): IMelFilterBank {
  const mels = spec.melBands;
  const bins = spec.fftSize / 2 + 1;
  const lo = hzToMel(spec.fMinHz);
  const hi = hzToMel(spec.fMaxHz);
  const cornersHz = new Float64Array(mels + 2);
  for (let i = 0; i < mels + 2; i++) cornersHz[i] = melToHz(lo + ((hi - lo) * i) / (mels + 1));
  const weights = new Float64Array(mels * bins);
  const firstBin = new Uint32Array(mels);
  const endBin = new Uint32Array(mels);
  for (let m = 0; m < mels; m++) {
    const left = cornersHz[m];
    const centre = cornersHz[m + 1];
    const right = cornersHz[m + 2];
    let first = -1;
    let end = 0;
    for (let k = 0; k < bins; k++) {
      const f = (k * spec.sampleRateHz) / spec.fftSize;
      const w = Math.max(0, Math.min((f - left) / (centre - left), (right - f) / (right - centre)));
      weights[m * bins + k] = w;
      if (w > 0) {
        if (first < 0) first = k;
        end = k + 1;
      }
    }
    firstBin[m] = first < 0 ? 0 : first;
    endBin[m] = first < 0 ? 0 : end;
  }
  return { mels, bins, weights, firstBin, endBin };
}
