// The demo avatar in a real WebGL2 Engine (SwiftShader): rig inventory, lips-v1 landmarks on the deformed
// mesh, pixels in the mouth when the jaw opens, and a glTF round trip of the rig.
import { expect } from '@esm-bundle/chai';
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { LoadAssetContainerAsync } from '@babylonjs/core/Loading/sceneLoader.js';
import '@babylonjs/loaders/glTF/2.0/index.js';
import { exportDemoAvatarGlbAsync } from '../../../examples/avatar/createDemoAvatar.ts';
import type { DemoAvatar } from '../../../examples/avatar/createDemoAvatar.ts';
import type { IDemoStage } from '../../../examples/avatar/createDemoStage.ts';
import { PerceptualLipSyncBehavior } from '../../../src/index.ts';
import {
  createDemoAvatarScene,
  EYES_BOX,
  meanPixelDifference,
  MOUTH_BOX,
  type IDemoAvatarScene,
} from '../support/demoAvatarScene.ts';

const REQUIRED_SHAPES = [
  'mouthClose',
  'mouthFunnel',
  'mouthPucker',
  'mouthSmileLeft',
  'mouthSmileRight',
  'mouthStretchLeft',
  'mouthStretchRight',
  'mouthRollLower',
  'mouthRollUpper',
  'mouthUpperUpLeft',
  'mouthUpperUpRight',
  'mouthLowerDownLeft',
  'mouthLowerDownRight',
  'mouthPressLeft',
  'mouthPressRight',
];
// lips-v1 order: chin (iBUG 8), then iBUG 48..67.
const L = {
  chin: 0,
  cornerRight: 1,
  upperOuterMid: 4,
  cornerLeft: 7,
  lowerOuterMid: 10,
  upperInnerMid: 15,
  lowerInnerMid: 19,
};

type V3 = [number, number, number];
const dist = (a: V3, b: V3): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe('createDemoAvatar', () => {
  let engine: Engine;
  let scene: Scene;
  let stage: IDemoStage;
  let avatar: DemoAvatar;

  /** The 21 landmarks on the CPU-deformed mesh (skeleton and morph targets applied), mesh space. */
  const landmarks = (): V3[] => {
    avatar.skeleton.prepare(true);
    const p = avatar.face.getPositionData(true, true);
    if (!p) throw new Error('no positions');
    return avatar.landmarkMap.map((ref) => {
      if (!('vertex' in ref)) throw new Error('expected vertex landmarks');
      return [p[ref.vertex * 3], p[ref.vertex * 3 + 1], p[ref.vertex * 3 + 2]];
    });
  };

  let view: IDemoAvatarScene;
  beforeEach(() => {
    view = createDemoAvatarScene();
    ({ engine, scene, stage, avatar } = view);
  });

  afterEach(() => view.dispose());

  it('has ARKit mouth shapes, a jaw bone linked to the `jaw` node and a 21-point landmark map', () => {
    expect(engine.version).to.equal(2);
    const names = Array.from(
      { length: avatar.morphTargetManager.numTargets },
      (_, i) => avatar.morphTargetManager.getTarget(i).name,
    );
    for (const n of REQUIRED_SHAPES) expect(names, n).to.include(n);
    expect(names).not.to.include('jawOpen'); // the jaw is a bone
    const jawBone = avatar.skeleton.bones.find((b) => b.name === 'jaw');
    expect(jawBone?.getTransformNode()).to.equal(avatar.jaw);
    expect(avatar.face.skeleton).to.equal(avatar.skeleton);
    const map = (avatar.face.metadata as { lipsV1LandmarkMap: Array<{ vertex: number }> }).lipsV1LandmarkMap;
    expect(map).to.have.length(21);
    const vertexCount = avatar.face.getTotalVertices();
    for (const ref of map) expect(ref.vertex).to.be.within(0, vertexCount - 1);
    expect(new Set(map.map((r) => r.vertex)).size).to.equal(21);
  });

  it('is recognised by the behavior as an ARKit rig with a jaw', () => {
    const behavior = new PerceptualLipSyncBehavior();
    const errors: Error[] = [];
    behavior.onErrorObservable.add((e) => errors.push(e));
    avatar.face.addBehavior(behavior, true); // attach now even if the scene still has pending data
    try {
      expect(errors.map((e) => e.message)).to.deep.equal([]);
      expect(behavior.rig?.kind).to.equal('arkit');
      expect(behavior.rig?.jaw?.nodeName).to.equal('jaw');
      expect(behavior.rig?.landmarkMap).to.deep.equal(avatar.landmarkMap);
      expect(behavior.rig?.morphs.length).to.be.at.least(REQUIRED_SHAPES.length);
    } finally {
      avatar.face.removeBehavior(behavior);
      behavior.dispose();
    }
  });

  it('closes the inner lips at rest and parts them when the jaw opens', () => {
    const rest = landmarks();
    const width = dist(rest[L.cornerLeft], rest[L.cornerRight]);
    expect(width, 'mouth width, m').to.be.within(0.04, 0.06);
    expect(rest[L.cornerRight][0], 'iBUG 48 is the subject’s right corner').to.be.below(-0.015);
    expect(rest[L.upperOuterMid][1]).to.be.above(rest[L.lowerOuterMid][1]);
    expect(rest[L.chin][1]).to.be.below(rest[L.lowerOuterMid][1] - 0.02);
    const restAperture = dist(rest[L.upperInnerMid], rest[L.lowerInnerMid]);
    expect(restAperture, 'rest inner-lip aperture, m').to.be.below(0.001);

    avatar.jaw.rotation.x = 0.15;
    const open = landmarks();
    expect(
      dist(open[L.upperInnerMid], open[L.lowerInnerMid]) - restAperture,
      'aperture gain, m',
    ).to.be.at.least(0.005);
    expect(open[L.chin][1]).to.be.below(rest[L.chin][1] - 0.002);
    expect(dist(open[L.upperOuterMid], rest[L.upperOuterMid]), 'upper lip stays').to.be.below(0.0005);
  });

  it('has smooth, plausible mouth shapes', () => {
    const rest = landmarks();
    const shape = (name: string): V3[] => {
      const t = avatar.morphTargetManager.getTargetByName(name);
      if (!t) throw new Error(name);
      t.influence = 1;
      const out = landmarks();
      t.influence = 0;
      return out;
    };
    const pucker = shape('mouthPucker');
    expect(dist(pucker[L.cornerLeft], pucker[L.cornerRight])).to.be.below(
      dist(rest[L.cornerLeft], rest[L.cornerRight]) - 0.01,
    );
    expect(shape('mouthSmileLeft')[L.cornerLeft][1]).to.be.above(rest[L.cornerLeft][1] + 0.003);
    const funnel = shape('mouthFunnel');
    expect(dist(funnel[L.upperInnerMid], funnel[L.lowerInnerMid])).to.be.above(0.004);
    for (let i = 0; i < avatar.morphTargetManager.numTargets; i++) {
      const t = avatar.morphTargetManager.getTarget(i);
      const base = avatar.face.getVerticesData('position');
      const moved = t.getPositions();
      if (!base || !moved) throw new Error('positions');
      let max = 0;
      for (let k = 0; k < base.length; k++) max = Math.max(max, Math.abs(moved[k] - base[k]));
      expect(max, `${t.name} max delta, m`).to.be.within(0.002, 0.02);
    }
  });

  it('renders a visibly open mouth when the jaw turns, and nothing else changes', async () => {
    stage.camera.radius = 0.3;
    stage.camera.target.set(0, -0.04, 0);
    await scene.whenReadyAsync();
    const grab = async (): Promise<Uint8Array> => {
      scene.render();
      return new Uint8Array((await engine.readPixels(0, 0, 256, 256)).buffer);
    };
    const rest = await grab();
    avatar.jaw.rotation.x = 0.2;
    const open = await grab();
    const mouth = meanPixelDifference(rest, open, 256, MOUTH_BOX);
    const eyes = meanPixelDifference(rest, open, 256, EYES_BOX);
    expect(mouth, 'mouth region mean |Δ|, 0–255').to.be.above(12);
    expect(eyes, 'eye region mean |Δ|').to.be.below(1);
  });

  it('exports a GLB that loads back as a working rig: jaw joint, ARKit shapes, landmark map', async () => {
    const blob = await exportDemoAvatarGlbAsync(scene, avatar);
    expect(blob.size).to.be.above(50_000);
    const other = new Scene(engine);
    const container = await LoadAssetContainerAsync(new Uint8Array(await blob.arrayBuffer()), other, {
      pluginExtension: '.glb',
    });
    const face = container.meshes.find((m) => m.morphTargetManager && m.morphTargetManager.numTargets > 0);
    expect(face, 'a mesh with morph targets').to.not.equal(undefined);
    const names = Array.from(
      { length: face!.morphTargetManager!.numTargets },
      (_, i) => face!.morphTargetManager!.getTarget(i).name,
    );
    for (const n of REQUIRED_SHAPES) expect(names).to.include(n);
    expect(container.skeletons.flatMap((s) => s.bones.map((b) => b.name))).to.include('jaw');
    // The landmark map rides in the node's extras (the loader's metadata.gltf.extras) and still points at
    // the same vertices; the behavior reads it from there itself.
    const meta = face!.metadata as {
      lipsV1LandmarkMap?: unknown;
      gltf: { extras: { lipsV1LandmarkMap: Array<{ vertex: number }> } };
    };
    expect(meta.lipsV1LandmarkMap, 'nothing copied by hand').to.equal(undefined);
    const map = meta.gltf.extras.lipsV1LandmarkMap;
    expect(map).to.deep.equal(avatar.landmarkMap);
    expect(face!.getTotalVertices()).to.equal(avatar.face.getTotalVertices());
    const before = avatar.face.getVerticesData('position')!;
    const after = face!.getVerticesData('position')!;
    for (const { vertex: v } of map) {
      // Written verbatim (the head frame is right-handed like glTF); the loader converts at its __root__ node.
      for (let k = 0; k < 3; k++) expect(after[v * 3 + k]).to.be.closeTo(before[v * 3 + k], 1e-6);
    }
    container.addAllToScene();
    const behavior = new PerceptualLipSyncBehavior();
    face!.addBehavior(behavior, true);
    try {
      expect(behavior.rig?.kind).to.equal('arkit');
      expect(behavior.rig?.jaw?.nodeName).to.equal('jaw');
      expect(behavior.rig?.landmarkMap).to.deep.equal(avatar.landmarkMap);
    } finally {
      face!.removeBehavior(behavior);
      behavior.dispose();
    }
    container.dispose();
    other.dispose();
  });
});
