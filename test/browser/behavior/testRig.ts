// A minimal ARKit-named test rig: a mesh whose first 21 vertices are the lips-v1 landmarks at their
// neutral positions, with a few mouth morph targets moving them plausibly. Small enough to reason about.
import type { Scene } from '@babylonjs/core/scene.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager.js';
import { LIPS_V1 } from '../../../src/rig/lipsV1.ts';

const LOWER = [8, 9, 10, 11, 12, 18, 19, 20, 0]; // lower lip points + chin move with the jaw
const UPPER = [2, 3, 4, 5, 6, 14, 15, 16];

/** Creates the test rig; `mesh.metadata.lipsV1LandmarkMap` maps landmark i to vertex i. */
export function createTestRig(scene: Scene): Mesh {
  const n = LIPS_V1.neutral;
  const positions = Array.from(n);
  const indices: number[] = [];
  for (let i = 1; i + 2 < 21; i++) indices.push(0, i, i + 1); // a fan: enough to be a valid mesh
  const mesh = new Mesh('testHead', scene);
  const vd = new VertexData();
  vd.positions = positions;
  vd.indices = indices;
  vd.applyToMesh(mesh, true);
  const manager = new MorphTargetManager(scene);
  const add = (name: string, move: (p: number, d: number[]) => void) => {
    const d = positions.slice();
    for (let p = 0; p < 21; p++) {
      const delta = [0, 0, 0];
      move(p, delta);
      d[p * 3] += delta[0];
      d[p * 3 + 1] += delta[1];
      d[p * 3 + 2] += delta[2];
    }
    const t = new MorphTarget(name, 0, scene);
    t.setPositions(d);
    manager.addTarget(t);
  };
  add('jawOpen', (p, d) => {
    if (LOWER.includes(p)) d[1] = -0.015;
  });
  add('mouthUpperUpLeft', (p, d) => {
    if (UPPER.includes(p) && n[p * 3] >= 0) d[1] = 0.003;
  });
  add('mouthUpperUpRight', (p, d) => {
    if (UPPER.includes(p) && n[p * 3] <= 0) d[1] = 0.003;
  });
  add('mouthStretchLeft', (p, d) => {
    if (p === 7 || p === 17) d[0] = 0.006;
  });
  add('mouthStretchRight', (p, d) => {
    if (p === 1 || p === 13) d[0] = -0.006;
  });
  add('mouthFunnel', (p, d) => {
    if (p !== 0) d[2] = 0.006;
  });
  mesh.morphTargetManager = manager;
  mesh.metadata = { lipsV1LandmarkMap: Array.from({ length: 21 }, (_, i) => ({ vertex: i })) };
  return mesh;
}
