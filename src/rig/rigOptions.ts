/**
 * User options saying how to read an avatar's rig. All optional: FLAME avatars need none, ARKit avatars need
 * a landmark map (here or in `mesh.metadata.lipsV1LandmarkMap`), custom rigs need a map and morph names.
 */
import type { LandmarkRef } from './landmarkRef.ts';
import type { IRigJawAxis } from './rigDescription.ts';
import type { RigKind } from './rigKind.ts';

/** How to read the avatar's rig. */
export interface IRigOptions {
  /**
   * Which adapter to use; `'auto'` tries FLAME, then ARKit-52, then custom.
   * @default 'auto'
   */
  readonly kind?: RigKind | 'auto';
  /** The 21 lips-v1 landmarks on this mesh. Overrides `mesh.metadata.lipsV1LandmarkMap` and FLAME's map. */
  readonly landmarkMap?: readonly LandmarkRef[];
  /** Names of the morph targets the solver may move (custom rigs; restricts FLAME/ARKit when given). */
  readonly morphTargets?: readonly string[];
  /** Bounds of every morph influence. @default FLAME [-2, 2] (expression coefficients), others [0, 1] */
  readonly morphBounds?: {
    /** Lowest influence the solver may set. */
    readonly min: number;
    /** Highest influence the solver may set. */
    readonly max: number;
  };
  /** Name of the jaw bone or TransformNode; `null` disables the jaw. @default auto-detected (`/jaw/i`) */
  readonly jawNode?: string | null;
  /** Jaw axes the solver may turn, in mesh space. @default pitch about +x, −0.05..0.45 rad */
  readonly jawAxes?: readonly IRigJawAxis[];
}
