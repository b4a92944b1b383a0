/**
 * Intensity gain: scales how far the lips move from neutral, for avatars whose style wants more or less
 * articulation than the generator's.
 */

/**
 * Writes `neutral + gain · (points − neutral)`.
 * @param points defines the frame values
 * @param neutral defines the rest values
 * @param gain defines the factor (1 = unchanged, 0 = neutral)
 * @param out defines where the result is written (may be `points`)
 * @returns `out`
 */
export function applyIntensity(
  points: ArrayLike<number>,
  neutral: ArrayLike<number>,
  gain: number,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = neutral[i] + gain * (points[i] - neutral[i]);
  return out;
}
