// Reads a mesh's morph-target influences: what the viewer of a test avatar sees.
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';

/** Every morph target's influence, in target order (empty without a morph target manager). */
export function morphInfluences(mesh: AbstractMesh): number[] {
  const m = mesh.morphTargetManager;
  if (!m) return [];
  return Array.from({ length: m.numTargets }, (_, i) => m.getTarget(i).influence);
}

/** True when every influence is within `eps` of 0 (the rest pose of the test rigs). */
export function isAtRest(mesh: AbstractMesh, eps = 1e-6): boolean {
  return morphInfluences(mesh).every((x) => Math.abs(x) <= eps);
}
