/**
 * FLAME rigs: a 5023-vertex mesh with expression morph targets (`Exp1`.., `exp_0`.., `expression_001`..,
 * any count) and optionally a `jaw` joint. The lips-v1 landmark map is built in (FLAME topology facts).
 */
import type { RigAdapter } from '../rigAdapter.ts';
import type { IRigPlanMorph } from '../rigPlan.ts';
import { FLAME_LIPS_V1_LANDMARKS } from '../../metrics/flameLandmarks.ts';
import { FLAME_VERTEX_COUNT } from '../../metrics/flameRegions.ts';
import { planJaw } from './planJaw.ts';

/** Expression target names FLAME exporters produce, after any `prefix.` is stripped. */
const EXPRESSION_NAME = /^(exp|expr|expression)[ _-]?\d+$/i;

/** Strips exporter prefixes such as `blendShape1.` or `Head:`. */
const baseName = (name: string): string =>
  name.slice(Math.max(name.lastIndexOf('.'), name.lastIndexOf(':')) + 1);

/**
 * FLAME expression coefficients are signed and mostly within ±2 standard deviations, so both signs are
 * allowed, unlike ARKit weights.
 */
const FLAME_MORPH_BOUNDS = { min: -2, max: 2 } as const;

/** The FLAME adapter. */
export const flameRigAdapter: RigAdapter = {
  kind: 'flame',
  plan(inventory, options) {
    if (inventory.vertexCount !== FLAME_VERTEX_COUNT) return null;
    const bounds = options.morphBounds ?? FLAME_MORPH_BOUNDS;
    const allowed = options.morphTargets ? new Set(options.morphTargets) : null;
    const morphs: IRigPlanMorph[] = [];
    inventory.morphTargetNames.forEach((name, targetIndex) => {
      if (!EXPRESSION_NAME.test(baseName(name))) return;
      if (allowed && !allowed.has(name)) return;
      morphs.push({ targetIndex, name, min: bounds.min, max: bounds.max });
    });
    // Other morph targets but no expressions: FLAME topology with another blendshape set (often ARKit);
    // leave it to the adapter of that set, which falls back to the FLAME landmark map.
    if (morphs.length === 0 && inventory.morphTargetNames.length > 0) return null;
    const jaw = planJaw(inventory, options);
    if (morphs.length === 0 && jaw === null) return null;
    return { kind: 'flame', landmarkMap: options.landmarkMap ?? FLAME_LIPS_V1_LANDMARKS, morphs, jaw };
  },
};
