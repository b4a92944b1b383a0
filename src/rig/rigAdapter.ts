/**
 * The rig adapter contract: one per rig family (FLAME, ARKit-52, custom). An adapter looks at what a mesh
 * offers (names and counts only) and, if it recognises the rig, says how to drive it.
 */
import type { IRigOptions } from './rigOptions.ts';
import type { RigKind } from './rigKind.ts';
import type { IRigInventory, IRigPlan } from './rigPlan.ts';

/** Recognises one rig family and plans how the solver drives it. */
export interface RigAdapter {
  /** The family this adapter handles. */
  readonly kind: RigKind;
  /**
   * Decides whether this adapter applies and how.
   * @param inventory defines what the mesh offers
   * @param options defines the user's rig options
   * @returns the plan, or null when the rig is not of this family
   * @throws UnsupportedRigError when the rig is of this family but cannot be driven as given
   */
  plan(inventory: IRigInventory, options: IRigOptions): IRigPlan | null;
}
