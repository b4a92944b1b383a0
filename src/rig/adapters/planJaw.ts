/**
 * Finds the jaw joint among a mesh's bones / linked TransformNodes, shared by every adapter.
 */
import type { IRigOptions } from '../rigOptions.ts';
import type { IRigInventory, IRigPlanJaw } from '../rigPlan.ts';
import { UnsupportedRigError } from '../rigErrors.ts';
import { DEFAULT_JAW_AXES } from './defaultJawAxes.ts';

/**
 * Picks the jaw joint: the one named in options, else one named exactly `jaw` (any case), else the first
 * whose name contains `jaw` as a word part (`FLAME_jaw`, `Jaw_Bone`, `mixamorig:Jaw`).
 * @param inventory defines what the mesh offers
 * @param options defines the user's rig options (`jawNode`, `jawAxes`)
 * @returns the jaw plan, or null when there is none or it is disabled
 * @throws UnsupportedRigError when `options.jawNode` names a joint the mesh does not have
 */
export function planJaw(inventory: IRigInventory, options: IRigOptions): IRigPlanJaw | null {
  const axes = options.jawAxes ?? DEFAULT_JAW_AXES;
  if (options.jawNode === null) return null;
  if (options.jawNode !== undefined) {
    if (!inventory.jointNames.includes(options.jawNode)) {
      throw new UnsupportedRigError(
        `options.rig.jawNode "${options.jawNode}" is not a bone of mesh "${inventory.meshName}"; pass one of its joints or null.`,
        `joints [${inventory.jointNames.join(', ')}]`,
      );
    }
    return { nodeName: options.jawNode, axes };
  }
  const exact = inventory.jointNames.find((n) => n.toLowerCase() === 'jaw');
  const loose = inventory.jointNames.find((n) => /(^|[^a-z])jaw([^a-z]|$)/i.test(n) && !/end$/i.test(n));
  const name = exact ?? loose;
  return name === undefined ? null : { nodeName: name, axes };
}
