/**
 * Rig detection: asks the adapters in order (FLAME, ARKit-52, custom) and fails with a message that says
 * what was found and what to pass.
 */
import { arkitRigAdapter } from './adapters/arkitRigAdapter.ts';
import { customRigAdapter } from './adapters/customRigAdapter.ts';
import { flameRigAdapter } from './adapters/flameRigAdapter.ts';
import type { RigAdapter } from './rigAdapter.ts';
import { UnsupportedRigError } from './rigErrors.ts';
import type { IRigOptions } from './rigOptions.ts';
import type { IRigInventory, IRigPlan } from './rigPlan.ts';

const ADAPTERS: readonly RigAdapter[] = [flameRigAdapter, arkitRigAdapter, customRigAdapter];

/**
 * Plans how to drive a rig from its inventory.
 * @param inventory defines what the mesh offers
 * @param options defines the user's rig options
 * @returns the first adapter's plan that applies (or the forced `options.kind`'s)
 * @throws UnsupportedRigError when no adapter applies or the applicable one lacks what it needs
 */
export function planRig(inventory: IRigInventory, options: IRigOptions = {}): IRigPlan {
  const kind = options.kind ?? 'auto';
  for (const adapter of ADAPTERS) {
    if (kind !== 'auto' && adapter.kind !== kind) continue;
    const plan = adapter.plan(inventory, options);
    if (plan) return plan;
  }
  const names = inventory.morphTargetNames;
  const shown = names.length > 12 ? [...names.slice(0, 12), `… ${names.length - 12} more`] : names;
  throw new UnsupportedRigError(
    `Cannot drive the lips of mesh "${inventory.meshName}"${kind === 'auto' ? '' : ` as a ${kind} rig`}. ` +
      `Expected a FLAME mesh (5023 vertices with Exp*/exp_* morph targets or a jaw bone), ARKit-52 mouth ` +
      `shapes with a landmark map, or options.rig.landmarkMap plus options.rig.morphTargets / options.rig.jawNode.`,
    `${inventory.vertexCount} vertices, ${names.length} morph targets [${shown.join(', ')}], ` +
      `joints [${inventory.jointNames.join(', ')}], ` +
      `landmark map in metadata ${inventory.metadataLandmarkMap === undefined ? 'absent' : `present (${inventory.metadataLandmarkMapSource ?? 'mesh.metadata.lipsV1LandmarkMap'})`}`,
  );
}
