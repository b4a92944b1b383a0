/**
 * The log-mel feature spec `features-v1` (spec/features-v1.json), typed. One source of truth shared
 * with training/ (Python), so the models see in the browser exactly the features they were trained on.
 */
import spec from '../../spec/features-v1.json' with { type: 'json' };

/** Parameters of the log-mel front end. Units are in the field names. */
export interface IFeatureSpec {
  readonly version: string;
  readonly sampleRateHz: number;
  readonly frameLengthSamples: number;
  readonly hopLengthSamples: number;
  readonly fftSize: number;
  readonly window: 'hann-periodic';
  readonly preemphasis: number;
  readonly removeDcPerFrame: boolean;
  readonly melBands: number;
  readonly fMinHz: number;
  readonly fMaxHz: number;
  readonly melScale: 'htk';
  readonly power: number;
  readonly logFloor: number;
  readonly logBase: 'e';
  readonly rmsFrameLengthSamples: number;
}

/** The `features-v1` spec as shipped in spec/features-v1.json. */
export const FEATURES_V1: IFeatureSpec = Object.freeze(spec as IFeatureSpec);
