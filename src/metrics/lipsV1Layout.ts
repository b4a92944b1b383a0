/**
 * The `lips-v1` point layout as numbers (spec/lips-v1.json, the one place TypeScript parses it; training/
 * reads the same file): 21 points × xyz per frame and their neutral positions. The lowest stage that needs
 * the layout owns it, so metrics, models and the rig share one source (`rig/lipsV1.ts` types the rest of the
 * spec for the public API).
 */
import spec from '../../spec/lips-v1.json' with { type: 'json' };

/** The parsed spec/lips-v1.json document. */
export const LIPS_V1_JSON: typeof spec = spec;

/** Points per lips-v1 frame (21). */
export const LIPS_V1_POINTS: number = spec.pointCount;

/** Values per lips-v1 frame: 21 points × (x, y, z) = 63. */
export const LIPS_V1_VALUES: number = spec.pointCount * 3;

/** Neutral (rest) positions, `LIPS_V1_VALUES` values, metres, head frame. Treat as read-only. */
export const LIPS_V1_NEUTRAL: Float32Array = Float32Array.from(spec.points.flatMap((p) => p.neutral));
