/**
 * ΔSLCC: distance of a method's SLCC from the reference (ground-truth) SLCC. Lower is better.
 */
import { MetricInputError } from './metricInputError.ts';

/**
 * |SLCC_method − SLCC_reference| on the same clips (the paper's convention as we read it; no released
 * code computes it).
 * @param methodSlcc defines the method's SLCC
 * @param referenceSlcc defines the ground-truth meshes' SLCC on the same clips
 * @returns ΔSLCC in [0, 2], unitless; lower is better
 * @throws MetricInputError when either value is not finite
 */
export function deltaSlcc(methodSlcc: number, referenceSlcc: number): number {
  if (!Number.isFinite(methodSlcc) || !Number.isFinite(referenceSlcc)) {
    throw new MetricInputError(
      `deltaSlcc: expected two finite SLCC values, got ${methodSlcc} and ${referenceSlcc}.`,
    );
  }
  return Math.abs(methodSlcc - referenceSlcc);
}
