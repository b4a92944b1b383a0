/**
 * Intensity gain: scales how far the lips move from neutral, for avatars whose style wants more or less
 * articulation than the generator's. Playout works on displacements from neutral, so the gain is a plain
 * multiply.
 */

/**
 * Writes `gain · displacements`.
 * @param displacements defines the frame's displacements from neutral
 * @param gain defines the factor (1 = unchanged, 0 = neutral)
 * @param out defines where the result is written (may be `displacements`)
 * @returns `out`
 */
export function applyIntensity(
  displacements: ArrayLike<number>,
  gain: number,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = gain * displacements[i];
  return out;
}
