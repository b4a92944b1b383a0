/**
 * Rest-pose handling: when no lips frame has covered the clock for a while (silence, a stalled worker),
 * the mouth eases back to neutral instead of freezing half open.
 */

/** Options of `easeToRest`. */
export interface IEaseToRestOptions {
  /** How long the last frame is held before easing starts, milliseconds. @default 120 */
  readonly holdMs: number;
  /** How long the ease to neutral takes, milliseconds. @default 250 */
  readonly easeMs: number;
}

/**
 * Blends a frame towards neutral (zero displacement) by how long it has been stale (smoothstep over
 * `easeMs` after `holdMs`).
 * @param displacements defines the last frame's displacements from neutral
 * @param staleSec defines the time since the clock passed the newest frame, seconds (≤ 0: not stale)
 * @param options defines hold and ease durations
 * @param out defines where the blend is written (may be `displacements`)
 * @returns the weight of neutral in [0, 1]
 */
export function easeToRest(
  displacements: ArrayLike<number>,
  staleSec: number,
  options: IEaseToRestOptions,
  out: Float32Array,
): number {
  const u =
    options.easeMs > 0
      ? (staleSec * 1000 - options.holdMs) / options.easeMs
      : staleSec * 1000 > options.holdMs
        ? 1
        : 0;
  const c = u <= 0 ? 0 : u >= 1 ? 1 : u;
  const w = c * c * (3 - 2 * c);
  for (let i = 0; i < out.length; i++) out[i] = (1 - w) * displacements[i];
  return w;
}
