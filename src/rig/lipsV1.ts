/**
 * The canonical lip space `lips-v1` (spec/lips-v1.json), typed, plus the few measurements of a lips-v1 frame
 * the rig and telemetry need. One source of truth shared with training/ (Python).
 */
import { LIPS_V1_JSON as spec, LIPS_V1_NEUTRAL } from '../metrics/lipsV1Layout.ts';

/** Named point groups of `lips-v1` (indices into the 21 points). */
export interface ILipsV1Groups {
  /** The 12 outer-lip points (iBUG 48..59). */
  readonly outer: readonly number[];
  /** The 8 inner-lip points (iBUG 60..67). */
  readonly inner: readonly number[];
  /** Middle of the upper inner lip (iBUG 62). */
  readonly innerUpperMid: number;
  /** Middle of the lower inner lip (iBUG 66). */
  readonly innerLowerMid: number;
  /** Middle of the upper outer lip (iBUG 51). */
  readonly outerUpperMid: number;
  /** Middle of the lower outer lip (iBUG 57). */
  readonly outerLowerMid: number;
  /** Mouth corner on the subject's right (iBUG 48). */
  readonly cornerRight: number;
  /** Mouth corner on the subject's left (iBUG 54). */
  readonly cornerLeft: number;
  /** Chin (iBUG 8). */
  readonly chin: number;
}

/** The `lips-v1` layout: metres, head frame (x = subject's left, y up, z forward). */
export interface ILipsV1Spec {
  /** Spec name. */
  readonly version: 'lips-v1';
  /** Number of points (21). */
  readonly pointCount: number;
  /** iBUG-68 index of each point, in point order. */
  readonly ibug68: readonly number[];
  /** Point names, in point order. */
  readonly names: readonly string[];
  /** Neutral (rest) positions, 21 × 3, metres. Treat as read-only. */
  readonly neutral: Float32Array;
  /** Jaw pivot in the same frame, metres. */
  readonly jawPivot: readonly [number, number, number];
  /** Nominal generator frame rate, Hz. */
  readonly defaultFrameRateHz: number;
  /** Named point groups. */
  readonly groups: ILipsV1Groups;
  /** Pairs of inner-lip points facing each other (upper, lower): their distance is the mouth aperture. */
  readonly innerPairs: readonly (readonly [number, number])[];
}

const neutral = LIPS_V1_NEUTRAL;

/** The `lips-v1` spec as shipped in spec/lips-v1.json. */
export const LIPS_V1: ILipsV1Spec = Object.freeze({
  version: 'lips-v1',
  pointCount: spec.pointCount,
  ibug68: Object.freeze(spec.points.map((p) => p.ibug68)),
  names: Object.freeze(spec.points.map((p) => p.name)),
  neutral,
  jawPivot: Object.freeze([spec.jawPivot[0], spec.jawPivot[1], spec.jawPivot[2]]) as readonly [
    number,
    number,
    number,
  ],
  defaultFrameRateHz: spec.defaultFrameRateHz,
  groups: Object.freeze(spec.groups) as ILipsV1Groups,
  // iBUG 61↔67, 62↔66, 63↔65: the three inner pairs that close when the lips touch.
  innerPairs: Object.freeze([
    Object.freeze([14, 20]),
    Object.freeze([15, 19]),
    Object.freeze([16, 18]),
  ]) as readonly (readonly [number, number])[],
} as const);

/**
 * Inner-lip aperture: the vertical (y) gap between the inner upper-lip and inner lower-lip mid points.
 * @param points defines a lips-v1 frame (21 × 3, metres)
 * @returns the aperture in metres (negative when the lips interpenetrate)
 */
export function innerLipAperture(points: ArrayLike<number>): number {
  const up = LIPS_V1.groups.innerUpperMid * 3;
  const lo = LIPS_V1.groups.innerLowerMid * 3;
  return points[up + 1] - points[lo + 1];
}

/**
 * Mouth width: the distance between the two outer mouth corners.
 * @param points defines a lips-v1 frame (21 × 3, metres)
 * @returns the width in metres
 */
export function mouthWidth(points: ArrayLike<number>): number {
  const r = LIPS_V1.groups.cornerRight * 3;
  const l = LIPS_V1.groups.cornerLeft * 3;
  return Math.hypot(points[l] - points[r], points[l + 1] - points[r + 1], points[l + 2] - points[r + 2]);
}
