/**
 * The rig → scene contract: what the solver outputs each frame and `applyRigPose` writes to the avatar.
 */
import type { IRigDescription } from './rigDescription.ts';

/** Control values for one frame. Reused across frames (the solver writes into it; nothing is allocated). */
export interface RigPose {
  /** Influence of each morph control, in `IRigDescription.morphs` order. */
  readonly morphInfluences: Float32Array;
  /** Jaw angle per `IRigDescription.jaw.axes` entry, radians, relative to the rest pose (empty without a jaw). */
  readonly jawRotationRad: Float32Array;
}

/**
 * Allocates a rest pose (all zeros) sized for a rig.
 * @param rig defines the rig description
 * @returns a pose to reuse every frame
 */
export function createRigPose(rig: IRigDescription): RigPose {
  return {
    morphInfluences: new Float32Array(rig.morphs.length),
    jawRotationRad: new Float32Array(rig.jaw?.axes.length ?? 0),
  };
}
