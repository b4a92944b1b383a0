/**
 * @file babylon-perceptual-lipsync: the public API (the only stable import path, plus `./metrics`).
 * @module babylon-perceptual-lipsync
 */
export { FEATURES_V1 } from './features/featureSpec.ts';
export type { IFeatureSpec } from './features/featureSpec.ts';
