// The rig stage on the real FLAME topology: detection, the landmark solver, the jaw bone and the CPU
// read-back, on a test avatar built from ../shared/flame (skipped when that folder is not served).
import { expect } from '@esm-bundle/chai';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager.js';
import {
  applyRigPose,
  createRigBinding,
  describeRig,
  readBackLipsV1,
} from '../../../src/rig/applyRigPose.ts';
import { createLandmarkSolver } from '../../../src/rig/solveLandmarksToRig.ts';
import { createRigPose } from '../../../src/rig/rigPose.ts';
import { innerLipAperture, LIPS_V1 } from '../../../src/rig/lipsV1.ts';
import { UnsupportedRigError } from '../../../src/rig/rigErrors.ts';
import { FLAME_LIPS_V1_LANDMARKS } from '../../../src/metrics/flameLandmarks.ts';
import { buildFlameAvatar, loadFlameFixtureAsync, type IFlameFixture } from './flameTestAvatar.ts';

/** lips-v1 neutral with the inner lips parted by `mm`: upper lip up a quarter, lower lip (and chin) down the rest. */
function openedTarget(mm: number): Float32Array {
  const t = Float32Array.from(LIPS_V1.neutral);
  const up = [2, 3, 4, 5, 6, 14, 15, 16];
  const down = [0, 8, 9, 10, 11, 12, 18, 19, 20];
  for (const i of up) t[i * 3 + 1] += 0.25 * mm * 1e-3;
  for (const i of down) t[i * 3 + 1] -= 0.75 * mm * 1e-3;
  return t;
}

function maxDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let l = 0; l < 21; l++) {
    m = Math.max(
      m,
      Math.hypot(a[l * 3] - b[l * 3], a[l * 3 + 1] - b[l * 3 + 1], a[l * 3 + 2] - b[l * 3 + 2]),
    );
  }
  return m;
}

/** Landmarks interpolated from Babylon's own CPU deformation (morphs + skeleton) of the whole mesh. */
function babylonLandmarks(mesh: Mesh): Float32Array {
  const data = mesh.getPositionData(true, true)!;
  const out = new Float32Array(63);
  FLAME_LIPS_V1_LANDMARKS.forEach((ref, l) => {
    if (!('vertices' in ref)) throw new Error('FLAME map has vertices');
    for (let a = 0; a < 3; a++) {
      out[l * 3 + a] = ref.vertices.reduce((s, v, k) => s + ref.barycentric[k] * data[v * 3 + a], 0);
    }
  });
  return out;
}

describe('FLAME avatar rig', function () {
  let fixture: IFlameFixture | null = null;
  let engine: NullEngine;
  let scene: Scene;

  before(async function () {
    const fx = await loadFlameFixtureAsync();
    if (typeof fx === 'string') {
      console.warn(`Skipping FLAME avatar tests: ${fx}`);
      this.skip();
    }
    fixture = fx as IFlameFixture;
  });
  beforeEach(() => {
    engine = new NullEngine();
    scene = new Scene(engine);
  });
  afterEach(() => {
    scene.dispose();
    engine.dispose();
  });

  it('detects FLAME with and without a jaw bone, for 50 and 100 expressions', () => {
    const withJaw = describeRig(buildFlameAvatar(scene, fixture!, { expressionCount: 50, withJaw: true }));
    expect(withJaw.kind).to.equal('flame');
    expect(withJaw.morphs).to.have.length(50);
    expect(withJaw.jaw?.nodeName).to.equal('jaw');
    // Chin and lower lip follow the jaw, the upper lip barely (FLAME's LBS weights).
    expect(withJaw.jaw!.landmarkWeights[0]).to.be.greaterThan(0.8);
    expect(withJaw.jaw!.landmarkWeights[15]).to.be.lessThan(0.1);
    expect(maxDist(withJaw.restLandmarks, LIPS_V1.neutral)).to.be.lessThan(1e-4);
    const pivot = withJaw.jaw!.pivot;
    expect(
      Math.hypot(
        pivot[0] - LIPS_V1.jawPivot[0],
        pivot[1] - LIPS_V1.jawPivot[1],
        pivot[2] - LIPS_V1.jawPivot[2],
      ),
    ).to.be.lessThan(1e-5);

    const noJaw = describeRig(
      buildFlameAvatar(scene, fixture!, {
        expressionCount: 100,
        withJaw: false,
        name: (k) => `exp_${k - 1}`,
      }),
    );
    expect(noJaw.kind).to.equal('flame');
    expect(noJaw.morphs).to.have.length(100);
    expect(noJaw.jaw).to.equal(null);
  });

  it('an unsupported rig throws UnsupportedRigError naming what was found', () => {
    const mesh = new Mesh('box', scene);
    const vd = new VertexData();
    vd.positions = [0, 0, 0, 1, 0, 0, 0, 1, 0];
    vd.indices = [0, 1, 2];
    vd.applyToMesh(mesh);
    const manager = new MorphTargetManager(scene);
    const t = new MorphTarget('smile', 0, scene);
    t.setPositions([0, 0, 0, 1, 0, 0, 0, 1.1, 0]);
    manager.addTarget(t);
    mesh.morphTargetManager = manager;
    expect(() => describeRig(mesh)).to.throw(UnsupportedRigError, /3 vertices, 1 morph targets \[smile\]/);
  });

  it('drives ARKit shapes with a metadata landmark map ({face, barycentric}) and a glTF-style linked jaw node', () => {
    const arkit = [
      'mouthLowerDownLeft',
      'mouthStretchLeft',
      'mouthFunnel',
      'mouthUpperUpLeft',
      'mouthLowerDownRight',
    ];
    const mesh = buildFlameAvatar(scene, fixture!, {
      expressionCount: 5,
      withJaw: true,
      jawAsLinkedNode: true,
      name: (k) => `blendShape1.${arkit[k - 1]}`,
    });
    // FLAME's map by face index only: resolved against the mesh's index buffer.
    mesh.metadata = {
      lipsV1LandmarkMap: FLAME_LIPS_V1_LANDMARKS.map((r) =>
        'face' in r ? { face: r.face, barycentric: r.barycentric } : r,
      ),
    };
    const rig = describeRig(mesh);
    expect(rig.kind).to.equal('arkit');
    expect(rig.morphs.map((m) => m.min)).to.deep.equal([0, 0, 0, 0, 0]);
    expect(rig.jaw?.nodeName).to.equal('jaw');
    expect(maxDist(rig.restLandmarks, LIPS_V1.neutral)).to.be.lessThan(1e-4);
    const solver = createLandmarkSolver(rig);
    const binding = createRigBinding(mesh, rig);
    expect(binding.jaw?.node?.name).to.equal('jaw');
    const pose = createRigPose(rig);
    pose.jawRotationRad[0] = 0.25;
    applyRigPose(mesh, binding, pose);
    const readBack = readBackLipsV1(mesh, rig.landmarkMap);
    expect(maxDist(readBack, solver.forward(pose, new Float32Array(63)))).to.be.lessThan(1e-5);
    expect(maxDist(readBack, babylonLandmarks(mesh))).to.be.lessThan(1e-5);
    pose.jawRotationRad[0] = 0;
    for (let k = 0; k < 6; k++) solver.solvePositions(openedTarget(8), pose);
    applyRigPose(mesh, binding, pose);
    expect(innerLipAperture(readBackLipsV1(mesh, rig.landmarkMap))).to.be.at.least(0.006);
    for (const v of pose.morphInfluences) expect(v).to.be.within(0, 1);
  });

  for (const withJaw of [true, false]) {
    it(`solves open (≥ 6 mm read back for 8 mm asked) and closed (< 1 mm) lips ${withJaw ? 'with' : 'without'} a jaw bone`, () => {
      const mesh = buildFlameAvatar(scene, fixture!, { expressionCount: 50, withJaw });
      const rig = describeRig(mesh);
      const solver = createLandmarkSolver(rig);
      const binding = createRigBinding(mesh, rig);
      const pose = createRigPose(rig);
      const readBack = new Float32Array(63);
      const play = (target: Float32Array): number => {
        for (let k = 0; k < 6; k++) solver.solvePositions(target, pose); // a few frames of the same target
        applyRigPose(mesh, binding, pose);
        readBackLipsV1(mesh, rig.landmarkMap, readBack);
        // The read-back is what Babylon renders and what the solver's model predicts.
        expect(maxDist(readBack, babylonLandmarks(mesh))).to.be.lessThan(1e-5);
        expect(maxDist(readBack, solver.forward(pose, new Float32Array(63)))).to.be.lessThan(5e-4);
        return innerLipAperture(readBack);
      };
      const open = play(openedTarget(8));
      expect(open, `open aperture ${(open * 1e3).toFixed(2)} mm`).to.be.at.least(0.006);
      if (withJaw) {
        // The jaw path on its own: a wide opening lands where the solver's model says (axis, pivot, weights).
        pose.morphInfluences.fill(0);
        pose.jawRotationRad[0] = 0.25;
        applyRigPose(mesh, binding, pose);
        readBackLipsV1(mesh, rig.landmarkMap, readBack);
        expect(maxDist(readBack, babylonLandmarks(mesh))).to.be.lessThan(1e-5);
        expect(maxDist(readBack, solver.forward(pose, new Float32Array(63)))).to.be.lessThan(1e-5);
        expect(readBack[1]).to.be.lessThan(LIPS_V1.neutral[1] - 0.01, 'chin drops > 1 cm');
        expect(innerLipAperture(readBack)).to.be.greaterThan(0.01);
        solver.reset();
      }
      const closed = play(Float32Array.from(LIPS_V1.neutral));
      expect(Math.abs(closed), `closed aperture ${(closed * 1e3).toFixed(2)} mm`).to.be.lessThan(0.001);
    });
  }
});
