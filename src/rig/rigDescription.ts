/**
 * What the landmark solver knows about a rig: plain numbers extracted from the avatar at attach time (no
 * Babylon types), in the mesh's local frame and units. Produced by `describeRig` (rig/applyRigPose.ts),
 * consumed by `createLandmarkSolver` (rig/solveLandmarksToRig.ts).
 */
import type { LandmarkRef } from './landmarkRef.ts';
import type { RigKind } from './rigKind.ts';

/** One morph target the solver may move. */
export interface IRigMorphControl {
  /** Morph target name, as found on the mesh. */
  readonly name: string;
  /** Index of the target in the mesh's MorphTargetManager. */
  readonly targetIndex: number;
  /** Lowest allowed influence. */
  readonly min: number;
  /** Highest allowed influence. */
  readonly max: number;
  /** Displacement of each of the 21 landmarks at influence 1 (21 × 3, mesh units). */
  readonly landmarkDeltas: Float32Array;
}

/** One rotation axis of the jaw the solver may turn. */
export interface IRigJawAxis {
  /** Which rotation this is. `pitch` (about the head's left axis, positive opens the mouth). */
  readonly name: 'pitch' | 'yaw' | 'roll';
  /** Unit rotation axis in mesh space. */
  readonly axis: readonly [number, number, number];
  /** Lowest allowed angle, radians. */
  readonly minRad: number;
  /** Highest allowed angle, radians. */
  readonly maxRad: number;
}

/** The jaw joint: a skeleton bone (or the TransformNode linked to it) that rotates the lower face. */
export interface IRigJaw {
  /** Bone (or TransformNode) name, as found on the avatar. */
  readonly nodeName: string;
  /** Rotation centre in mesh space, mesh units. */
  readonly pivot: readonly [number, number, number];
  /** Axes the solver may turn, applied in this order. */
  readonly axes: readonly IRigJawAxis[];
  /** Linear-blend-skinning weight of the jaw (and its child bones) at each of the 21 landmarks, in [0, 1]. */
  readonly landmarkWeights: Float32Array;
}

/** A rig as the solver sees it. Control order: morph targets first, then the jaw axes. */
export interface IRigDescription {
  /** Which adapter recognised the rig. */
  readonly kind: RigKind;
  /** Where the 21 lips-v1 landmarks sit on the mesh. */
  readonly landmarkMap: readonly LandmarkRef[];
  /** Landmark positions on the undeformed mesh (21 × 3, mesh local, mesh units). */
  readonly restLandmarks: Float32Array;
  /** Morph targets the solver may move. */
  readonly morphs: readonly IRigMorphControl[];
  /** The jaw joint, or null when the rig has none (expression morphs only). */
  readonly jaw: IRigJaw | null;
}
