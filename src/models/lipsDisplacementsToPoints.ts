/** Turns generator output (lips-v1 displacements from neutral) into absolute lips-v1 positions. */
import lipsSpec from '../../spec/lips-v1.json' with { type: 'json' };

const NEUTRAL = Float32Array.from(lipsSpec.points.flatMap((p) => p.neutral));

/**
 * @param displacements defines `frames × 63` displacements, metres
 * @param frames defines the frame count
 * @returns a new `frames × 63` array of absolute positions, metres
 */
export function lipsDisplacementsToPoints(displacements: Float32Array, frames: number): Float32Array {
  const out = new Float32Array(frames * 63);
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < 63; i++) out[f * 63 + i] = NEUTRAL[i] + displacements[f * 63 + i];
  }
  return out;
}
