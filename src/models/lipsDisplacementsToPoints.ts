/** Turns generator output (lips-v1 displacements from neutral) into absolute lips-v1 positions. */
import { LIPS_V1_NEUTRAL, LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';

const NEUTRAL = LIPS_V1_NEUTRAL;
const V = LIPS_V1_VALUES;

/**
 * Adds the neutral pose: used only where positions are needed (the frame event, the track JSON).
 * @param displacements defines `frames × 63` displacements from `LIPS_V1.neutral`, metres
 * @param frames defines the frame count
 * @param out defines where the positions are written (a new array when omitted)
 * @returns `out`: `frames × 63` absolute positions, metres
 */
export function lipsDisplacementsToPoints(
  displacements: ArrayLike<number>,
  frames: number,
  out: Float32Array = new Float32Array(frames * V),
): Float32Array {
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < V; i++) out[f * V + i] = NEUTRAL[i] + displacements[f * V + i];
  }
  return out;
}
