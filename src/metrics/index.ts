/**
 * @file Pure lip-sync metrics of "Perceptually Accurate 3D Talking Head Generation" (CVPR 2025): MTM,
 * PLRS, SLCC/ΔSLCC, LVE, FDD. Published as the `babylon-perceptual-lipsync/metrics` subpath; no DOM.
 *
 * **Example:**
 * ```ts
 * import { lipDistance, meanTemporalMisalignment, toVertexSequence } from 'babylon-perceptual-lipsync/metrics';
 * const gt = lipDistance(toVertexSequence(gtFrames), 'lips-v1');
 * const pred = lipDistance(toVertexSequence(predFrames), 'lips-v1');
 * const { mtmFrames, matches } = meanTemporalMisalignment(gt, pred, { fps: 50 }); // lower is better
 * ```
 * @module metrics
 */
export { MetricInputError } from './metricInputError.ts';
export { toVertexSequence, type VertexSequence } from './vertexSequence.ts';
export { lipLayoutPoints, type LipLayout, type ILipLayoutPoints } from './lipLayout.ts';
export { FLAME_MTM_LIP_PAIR, FLAME_MOUTH_VERTICES_254, FLAME_VERTEX_COUNT } from './flameRegions.ts';
export { lipDistance, type ILipDistanceOptions } from './lipDistance.ts';
export { derivativeDtw, type IDtwResult } from './derivativeDtw.ts';
export {
  meanTemporalMisalignment,
  overallMtm,
  type IMtmOptions,
  type IMtmResult,
  type ILipExtremum,
} from './meanTemporalMisalignment.ts';
export { lipVertexError, type IRegionOptions } from './lipVertexError.ts';
export { upperFaceDynamicsDeviation, type IFddOptions } from './upperFaceDynamicsDeviation.ts';
export { speechIntensity } from './speechIntensity.ts';
export { lipIntensity } from './lipIntensity.ts';
export { speechLipCorrelation, type ISlccRow, type ISlccResult } from './speechLipCorrelation.ts';
export { deltaSlcc } from './deltaSlcc.ts';
export { speechLipFrameCorrelation, type ISpeechEnvelope } from './speechLipFrameCorrelation.ts';
export {
  perceptualLipReadabilityScore,
  type IPlrsEncoders,
  type IPlrsOptions,
  type IPlrsResult,
} from './perceptualLipReadabilityScore.ts';
export { pearson } from '../math/pearson.ts';
