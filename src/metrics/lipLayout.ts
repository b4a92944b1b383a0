/**
 * Which point layout a sequence uses, and the per-layout point sets the metrics need.
 */
import { FLAME_MOUTH_VERTICES_254, FLAME_MTM_LIP_PAIR, FLAME_VERTEX_COUNT } from './flameRegions.ts';
import { LIPS_V1_JSON as lips } from './lipsV1Layout.ts';
import { MetricInputError } from './metricInputError.ts';

/** Point layouts: full FLAME meshes (5023 vertices) or the 21-point lips-v1 space. */
export type LipLayout = 'flame' | 'lips-v1';

/** The lip-opening pair (upper, lower) and mouth point set of a layout. */
export interface ILipLayoutPoints {
  /** Points per frame. */
  readonly points: number;
  /** Upper point of the lip-opening pair. */
  readonly upper: number;
  /** Lower point of the lip-opening pair. */
  readonly lower: number;
  /** Mouth points for lip intensity (SLCC) and LVE. */
  readonly mouth: readonly number[];
}

const LIPS_ALL = Object.freeze(Array.from({ length: lips.pointCount }, (_, i) => i));

/**
 * Points of a layout: FLAME uses 3531/3504 and the 254-entry mouth list; lips-v1 uses the inner-lip
 * mid points (groups.innerUpperMid, groups.innerLowerMid of spec/lips-v1.json) and all 21 points.
 * @param layout defines the layout
 * @returns its point sets
 * @throws MetricInputError for an unknown layout
 */
export function lipLayoutPoints(layout: LipLayout): ILipLayoutPoints {
  if (layout === 'flame') {
    return {
      points: FLAME_VERTEX_COUNT,
      upper: FLAME_MTM_LIP_PAIR.upper,
      lower: FLAME_MTM_LIP_PAIR.lower,
      mouth: FLAME_MOUTH_VERTICES_254,
    };
  }
  if (layout === 'lips-v1') {
    return {
      points: lips.pointCount,
      upper: lips.groups.innerUpperMid,
      lower: lips.groups.innerLowerMid,
      mouth: LIPS_ALL,
    };
  }
  throw new MetricInputError(
    `lipLayoutPoints: expected layout 'flame' or 'lips-v1', got '${String(layout)}'.`,
  );
}
