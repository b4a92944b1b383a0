/**
 * @file babylon-perceptual-lipsync: the public API (the only stable import path, plus `./metrics`).
 *
 * **Example:**
 * ```ts
 * import { PerceptualLipSyncBehavior } from 'babylon-perceptual-lipsync';
 * const lipSync = new PerceptualLipSyncBehavior({ modelManifestUrl: '/models/manifest.json' });
 * head.addBehavior(lipSync);
 * await lipSync.startAsync({ kind: 'microphone' });
 * ```
 * @module babylon-perceptual-lipsync
 */
export { PerceptualLipSyncBehavior } from './behavior/perceptualLipSyncBehavior.ts';
export type { ILipSyncFrameEvent } from './behavior/perceptualLipSyncBehavior.ts';
export type { LipsPlayoutState } from './playout/lipsPlayout.ts';
export {
  DEFAULT_PERCEPTUAL_LIPSYNC_OPTIONS,
  validatePerceptualLipSyncOptions,
} from './behavior/perceptualLipSyncOptions.ts';
export type { IPerceptualLipSyncOptions } from './behavior/perceptualLipSyncOptions.ts';
export type { LipSyncBakeSource, LipSyncSource, PlaybackSourceKind } from './behavior/lipSyncSource.ts';
export type { IBakedLipSync } from './behavior/bakeLipSync.ts';
export type { ILipsTrackJson } from './models/lipsTrackJson.ts';
export type { ILipSyncBackendInfo, ILipSyncStateChange, LipSyncState } from './behavior/lipSyncState.ts';
export type { ITelemetrySample, IInferenceTiming, InferenceBackend } from './telemetry/telemetrySample.ts';
export type { IPlayoutMargin, LatencyMode, PlayoutMarginReason } from './playout/playoutTiming.ts';
export {
  LipSyncError,
  ModelLoadError,
  AudioSourceError,
  WorkerCrashError,
  InvalidOptionError,
  AudioChunkError,
} from './errors.ts';
export { UnsupportedRigError } from './rig/rigErrors.ts';
export type { IRigOptions } from './rig/rigOptions.ts';
export type { IRigDescription, IRigJaw, IRigJawAxis, IRigMorphControl } from './rig/rigDescription.ts';
export type { RigKind } from './rig/rigPlan.ts';
export type { LandmarkRef } from './rig/landmarkRef.ts';
export { LIPS_V1 } from './rig/lipsV1.ts';
export type { ILipsV1Groups, ILipsV1Spec } from './rig/lipsV1.ts';
export { FEATURES_V1 } from './features/featureSpec.ts';
export type { IFeatureSpec } from './features/featureSpec.ts';
export type { ExecutionProvider } from './models/onnxBackend.ts';
export type { BackendReason, IBackendChoice } from './models/providerGuard.ts';
export type { PcmChunk } from './audio/decodePcmChunk.ts';
export type {
  GeneratorOutputKind,
  IEncoderManifest,
  IGeneratorManifest,
  IGeneratorStateManifest,
  IModelManifest,
  LatencyHead,
} from './models/modelManifest.ts';
