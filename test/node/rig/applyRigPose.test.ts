// describeRig on a real Babylon mesh (NullEngine in Node): a glTF-loaded ARKit head carries its landmark map
// in the node's extras, which Babylon's loader stores under mesh.metadata.gltf.extras (issue #16).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager.js';
import { Scene } from '@babylonjs/core/scene.js';
import { describeRig } from '../../../src/rig/applyRigPose.ts';
import { UnsupportedRigError } from '../../../src/rig/rigErrors.ts';

const N = 30;
const SHAPES = ['jawOpen', 'mouthClose', 'mouthFunnel', 'mouthPucker', 'mouthSmileLeft'];

describe('describeRig', () => {
  let engine: NullEngine;
  let scene: Scene;
  before(() => {
    engine = new NullEngine();
    scene = new Scene(engine);
  });
  after(() => {
    scene.dispose();
    engine.dispose();
  });

  /** A small ARKit-named head: N vertices on a grid, one triangle strip, each shape moving some vertices. */
  const arkitHead = (name: string, metadata: unknown): Mesh => {
    const mesh = new Mesh(name, scene);
    const positions: number[] = [];
    for (let i = 0; i < N; i++) positions.push((i % 6) * 0.01, Math.floor(i / 6) * 0.01, 0);
    const indices: number[] = [];
    for (let i = 0; i + 2 < N; i++) indices.push(i, i + 1, i + 2);
    const vd = new VertexData();
    vd.positions = positions;
    vd.indices = indices;
    vd.applyToMesh(mesh);
    const mtm = new MorphTargetManager(scene);
    SHAPES.forEach((shape, s) => {
      const moved = positions.map((p, k) =>
        k % 3 === 1 && Math.floor(k / 3) % SHAPES.length === s ? p - 0.005 : p,
      );
      const target = new MorphTarget(shape, 0, scene);
      target.setPositions(moved);
      mtm.addTarget(target);
    });
    mesh.morphTargetManager = mtm;
    mesh.metadata = metadata;
    return mesh;
  };
  const map = Array.from({ length: 21 }, (_, i) => ({ vertex: i }));

  test('adopts a landmark map from glTF extras (metadata.gltf.extras.lipsV1LandmarkMap)', () => {
    const mesh = arkitHead('gltfHead', { gltf: { extras: { lipsV1LandmarkMap: map } } });
    const rig = describeRig(mesh);
    assert.equal(rig.kind, 'arkit');
    assert.deepEqual(rig.landmarkMap, map);
    assert.equal(rig.morphs.length, SHAPES.length);
    mesh.dispose();
  });

  test('without a map, the error names options.rig.landmarkMap and both metadata places', () => {
    const mesh = arkitHead('bareHead', { gltf: { extras: { somethingElse: 1 } } });
    assert.throws(
      () => describeRig(mesh),
      (e: unknown) =>
        e instanceof UnsupportedRigError &&
        e.message.includes('options.rig.landmarkMap') &&
        e.message.includes('mesh.metadata.lipsV1LandmarkMap') &&
        e.message.includes('extras.lipsV1LandmarkMap'),
    );
    mesh.dispose();
  });

  test('a bad map in glTF extras is reported with where it was found', () => {
    const mesh = arkitHead('badHead', { gltf: { extras: { lipsV1LandmarkMap: [{ vertex: 1 }] } } });
    assert.throws(
      () => describeRig(mesh),
      (e: unknown) =>
        e instanceof UnsupportedRigError && e.message.includes('mesh.metadata.gltf.extras.lipsV1LandmarkMap'),
    );
    mesh.dispose();
  });
});
