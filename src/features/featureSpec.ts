/**
 * The log-mel feature spec `features-v1` (spec/features-v1.json), typed. One source of truth shared
 * with training/ (Python), so the models see in the browser exactly the features they were trained on.
 */
import spec from '../../spec/features-v1.json' with { type: 'json' };

/** Parameters of the log-mel front end. Units are in the field names. */
export interface IFeatureSpec {
  /** Spec name, `features-v1`; a model's manifest names the spec it was trained on. */
  readonly version: string;
  /** Input sample rate, Hz (16000). */
  readonly sampleRateHz: number;
  /** Analysis window length, samples (400 = 25 ms). */
  readonly frameLengthSamples: number;
  /** Hop between frames, samples (160 = 10 ms); frame k starts at sample k × hop (no centring). */
  readonly hopLengthSamples: number;
  /** FFT size, samples (512; the window is zero-padded to it). */
  readonly fftSize: number;
  /** Window function. */
  readonly window: 'hann-periodic';
  /** Pre-emphasis coefficient (y[n] = x[n] − p·x[n−1] within each frame). */
  readonly preemphasis: number;
  /** Whether each frame's mean is removed before pre-emphasis. */
  readonly removeDcPerFrame: boolean;
  /** Number of mel bands (80). */
  readonly melBands: number;
  /** Lowest mel band edge, Hz. */
  readonly fMinHz: number;
  /** Highest mel band edge, Hz. */
  readonly fMaxHz: number;
  /** Mel scale formula (HTK: 2595 log10(1 + f/700)). */
  readonly melScale: 'htk';
  /** Exponent of the magnitude spectrum (2 = power). */
  readonly power: number;
  /** Floor added before the logarithm. */
  readonly logFloor: number;
  /** Logarithm base (natural). */
  readonly logBase: 'e';
  /** Window of the per-frame RMS used for speech intensity, samples. */
  readonly rmsFrameLengthSamples: number;
}

/** The `features-v1` spec as shipped in spec/features-v1.json. */
export const FEATURES_V1: IFeatureSpec = Object.freeze(spec as IFeatureSpec);
