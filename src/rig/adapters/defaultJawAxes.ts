/**
 * The jaw axes every adapter uses unless told otherwise.
 */
import type { IRigJawAxis } from '../rigDescription.ts';

/**
 * Jaw pitch only, about the head's left axis (+x, mesh space), from slightly closed (−0.05 rad, lets closures
 * press) to wide open (0.45 rad, about FLAME's practical maximum). Yaw and roll barely matter for speech and
 * would let the solver trade lip shape for jaw sway.
 */
export const DEFAULT_JAW_AXES: readonly IRigJawAxis[] = Object.freeze([
  Object.freeze({
    name: 'pitch',
    axis: Object.freeze([1, 0, 0]),
    minRad: -0.05,
    maxRad: 0.45,
  }) as IRigJawAxis,
]);
