/**
 * ARKit-52 rigs (Ready Player Me, VRoid exports, most commercial heads): the mouth and jaw blendshapes by
 * their Apple names, case-insensitive, with exporter prefixes (`blendShape1.`) and underscores ignored. The
 * landmark map must come from the user or the mesh metadata (`lipsV1LandmarkMap`, or a glTF node's extras):
 * ARKit fixes names, not topology
 * (except on a 5023-vertex FLAME mesh, where FLAME's map is used).
 */
import type { RigAdapter } from '../rigAdapter.ts';
import { UnsupportedRigError } from '../rigErrors.ts';
import type { IRigPlanMorph } from '../rigPlan.ts';
import { validateLandmarkMap } from '../validateLandmarkMap.ts';
import { FLAME_LIPS_V1_LANDMARKS } from '../../metrics/flameLandmarks.ts';
import { FLAME_VERTEX_COUNT } from '../../metrics/flameRegions.ts';
import { pickLandmarkMap } from './pickLandmarkMap.ts';
import { planJaw } from './planJaw.ts';

/** The ARKit shapes that move lips or jaw; eyes, brows and cheeks are left to the avatar's own animation. */
const ARKIT_MOUTH = [
  'jawOpen',
  'mouthClose',
  'mouthFunnel',
  'mouthPucker',
  'mouthLeft',
  'mouthRight',
  'mouthSmileLeft',
  'mouthSmileRight',
  'mouthFrownLeft',
  'mouthFrownRight',
  'mouthDimpleLeft',
  'mouthDimpleRight',
  'mouthStretchLeft',
  'mouthStretchRight',
  'mouthRollLower',
  'mouthRollUpper',
  'mouthShrugLower',
  'mouthShrugUpper',
  'mouthPressLeft',
  'mouthPressRight',
  'mouthLowerDownLeft',
  'mouthLowerDownRight',
  'mouthUpperUpLeft',
  'mouthUpperUpRight',
];
const KEYS = new Map(ARKIT_MOUTH.map((n) => [n.toLowerCase(), n]));
const normalise = (name: string): string =>
  name
    .slice(Math.max(name.lastIndexOf('.'), name.lastIndexOf(':')) + 1)
    .replace(/_/g, '')
    .toLowerCase();

/** The ARKit-52 adapter: recognises a rig with `jawOpen` or at least four ARKit mouth shapes. */
export const arkitRigAdapter: RigAdapter = {
  kind: 'arkit',
  plan(inventory, options) {
    const bounds = options.morphBounds ?? { min: 0, max: 1 };
    const allowed = options.morphTargets ? new Set(options.morphTargets) : null;
    const morphs: IRigPlanMorph[] = [];
    let hasJawOpen = false;
    inventory.morphTargetNames.forEach((name, targetIndex) => {
      const key = normalise(name);
      if (!KEYS.has(key) || (allowed && !allowed.has(name))) return;
      if (key === 'jawopen') hasJawOpen = true;
      morphs.push({ targetIndex, name, min: bounds.min, max: bounds.max });
    });
    if (!hasJawOpen && morphs.length < 4) return null;
    const { raw, source } = pickLandmarkMap(inventory, options);
    if ((raw === undefined || raw === null) && inventory.vertexCount === FLAME_VERTEX_COUNT) {
      // ARKit shapes on the FLAME topology: FLAME's own map applies.
      return {
        kind: 'arkit',
        landmarkMap: FLAME_LIPS_V1_LANDMARKS,
        morphs,
        jaw: planJaw(inventory, options),
      };
    }
    if (raw === undefined || raw === null) {
      throw new UnsupportedRigError(
        `Mesh "${inventory.meshName}" has ARKit mouth shapes but no lips-v1 landmark map: pass options.rig.landmarkMap, ` +
          `set mesh.metadata.lipsV1LandmarkMap, or export it in the glTF node's extras.lipsV1LandmarkMap ` +
          `(21 × {vertex} or {face, barycentric}, iBUG 8, 48..67).`,
        `${morphs.length} ARKit mouth shapes [${morphs.map((m) => m.name).join(', ')}]`,
      );
    }
    // Face count is checked again when the map is resolved against the index buffer.
    const landmarkMap = validateLandmarkMap(raw, inventory.vertexCount, Number.MAX_SAFE_INTEGER, source);
    return { kind: 'arkit', landmarkMap, morphs, jaw: planJaw(inventory, options) };
  },
};
