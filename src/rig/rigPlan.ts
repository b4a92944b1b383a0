/**
 * What a rig adapter decides from a mesh's inventory: which landmark map, which morph targets the solver may
 * move (with bounds), and which jaw joint it may turn. Plain data; `describeRig` turns it into numbers.
 */
import type { LandmarkRef } from './landmarkRef.ts';
import type { IRigJawAxis } from './rigDescription.ts';
import type { RigKind } from './rigKind.ts';

export type { RigKind };

/** What an avatar offers, gathered from the Babylon mesh without Babylon types. */
export interface IRigInventory {
  /** Mesh name, for messages. */
  readonly meshName: string;
  /** Number of vertices of the mesh. */
  readonly vertexCount: number;
  /** Morph target names, in MorphTargetManager order (empty when there is no manager). */
  readonly morphTargetNames: readonly string[];
  /** Names of the skeleton's bones, and of the TransformNodes linked to them (empty without a skeleton). */
  readonly jointNames: readonly string[];
  /**
   * The landmark map found in the mesh's metadata (`findMetadataLandmarkMap`: `lipsV1LandmarkMap`, or a glTF
   * node's `extras.lipsV1LandmarkMap`), unvalidated, or undefined.
   */
  readonly metadataLandmarkMap: unknown;
  /** Where `metadataLandmarkMap` was found, for messages. @default 'mesh.metadata.lipsV1LandmarkMap' */
  readonly metadataLandmarkMapSource?: string;
}

/** A morph target the plan lets the solver move. */
export interface IRigPlanMorph {
  readonly targetIndex: number;
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

/** The jaw joint the plan lets the solver turn. */
export interface IRigPlanJaw {
  /** Bone or linked TransformNode name. */
  readonly nodeName: string;
  /** Axes in mesh space with their limits. */
  readonly axes: readonly IRigJawAxis[];
  /** Pivot in mesh space, when known without the skeleton (FLAME's regressed jaw joint); else from the bone. */
  readonly pivot?: readonly [number, number, number];
}

/** An adapter's decision for one avatar. */
export interface IRigPlan {
  readonly kind: RigKind;
  readonly landmarkMap: readonly LandmarkRef[];
  readonly morphs: readonly IRigPlanMorph[];
  readonly jaw: IRigPlanJaw | null;
}
