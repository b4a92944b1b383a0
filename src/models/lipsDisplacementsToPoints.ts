/** Turns generator output (lips-v1 displacements from neutral) into absolute lips-v1 positions. */
import { LIPS_V1_NEUTRAL, LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';

const NEUTRAL = LIPS_V1_NEUTRAL;
const V = LIPS_V1_VALUES;

/**
 * @param displacements defines `frames × 63` displacements, metres
 * @param frames defines the frame count
 * @returns a new `frames × 63` array of absolute positions, metres
 */
export function lipsDisplacementsToPoints(displacements: Float32Array, frames: number): Float32Array {
  const out = new Float32Array(frames * V);
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < V; i++) out[f * V + i] = NEUTRAL[i] + displacements[f * V + i];
  }
  return out;
}
