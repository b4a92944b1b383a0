/**
 * Any other rig: the user names the morph targets the solver may move (and optionally the jaw joint) and
 * gives the landmark map.
 */
import type { RigAdapter } from '../rigAdapter.ts';
import { UnsupportedRigError } from '../rigErrors.ts';
import type { IRigPlanMorph } from '../rigPlan.ts';
import { validateLandmarkMap } from '../validateLandmarkMap.ts';
import { pickLandmarkMap } from './pickLandmarkMap.ts';
import { planJaw } from './planJaw.ts';

/** The custom adapter: applies when a landmark map is available (options or metadata). */
export const customRigAdapter: RigAdapter = {
  kind: 'custom',
  plan(inventory, options) {
    const { raw, source } = pickLandmarkMap(inventory, options);
    if (raw === undefined || raw === null) return null;
    const landmarkMap = validateLandmarkMap(raw, inventory.vertexCount, Number.MAX_SAFE_INTEGER, source);
    const bounds = options.morphBounds ?? { min: 0, max: 1 };
    const names = options.morphTargets ?? [];
    const morphs: IRigPlanMorph[] = names.map((name) => {
      const targetIndex = inventory.morphTargetNames.indexOf(name);
      if (targetIndex < 0) {
        throw new UnsupportedRigError(
          `Morph target "${name}" from options.rig.morphTargets is not on mesh "${inventory.meshName}".`,
          `morph targets [${inventory.morphTargetNames.join(', ')}]`,
        );
      }
      return { targetIndex, name, min: bounds.min, max: bounds.max };
    });
    const jaw = planJaw(inventory, options);
    if (morphs.length === 0 && jaw === null) return null;
    return { kind: 'custom', landmarkMap, morphs, jaw };
  },
};
