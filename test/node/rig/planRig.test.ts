import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planRig } from '../../../src/rig/planRig.ts';
import { UnsupportedRigError } from '../../../src/rig/rigErrors.ts';
import type { IRigInventory } from '../../../src/rig/rigPlan.ts';
import { FLAME_LIPS_V1_LANDMARKS } from '../../../src/metrics/flameLandmarks.ts';

const inv = (over: Partial<IRigInventory>): IRigInventory => ({
  meshName: 'head',
  vertexCount: 5023,
  morphTargetNames: [],
  jointNames: [],
  metadataLandmarkMap: undefined,
  ...over,
});
const vertexMap = Array.from({ length: 21 }, (_, i) => ({ vertex: i }));

describe('planRig', () => {
  test('FLAME: 5023 vertices with Exp1.. / exp_0.. / expression_001.. targets, any count, jaw optional', () => {
    for (const names of [
      Array.from({ length: 50 }, (_, i) => `Exp${i + 1}`),
      Array.from({ length: 100 }, (_, i) => `exp_${i}`),
      ['Shape1', 'expression_001', 'blendShape1.expression_002'],
    ]) {
      const plan = planRig(inv({ morphTargetNames: names }));
      assert.equal(plan.kind, 'flame');
      assert.equal(plan.jaw, null);
      assert.equal(plan.landmarkMap, FLAME_LIPS_V1_LANDMARKS);
      assert.ok(plan.morphs.every((m) => !m.name.startsWith('Shape')));
      assert.ok(plan.morphs[0].min < 0, 'FLAME coefficients are signed');
    }
    const withJaw = planRig(
      inv({ morphTargetNames: ['Exp1'], jointNames: ['root', 'neck', 'jaw', 'eye_left'] }),
    );
    assert.equal(withJaw.jaw?.nodeName, 'jaw');
    assert.equal(planRig(inv({ jointNames: ['root', 'FLAME_jaw'] })).jaw?.nodeName, 'FLAME_jaw', 'jaw only');
    assert.equal(
      planRig(inv({ morphTargetNames: ['Exp1'], jointNames: ['jaw'] }), { jawNode: null }).jaw,
      null,
    );
  });

  test('ARKit: names matched case-insensitively through prefixes; landmark map from metadata or options', () => {
    const names = ['blendShape1.jawOpen', 'MouthClose', 'mouth_funnel', 'eyeBlinkLeft', 'mouthSmileLeft'];
    const plan = planRig(inv({ vertexCount: 900, morphTargetNames: names, metadataLandmarkMap: vertexMap }));
    assert.equal(plan.kind, 'arkit');
    assert.deepEqual(
      plan.morphs.map((m) => m.targetIndex),
      [0, 1, 2, 4],
    );
    assert.ok(plan.morphs.every((m) => m.min === 0 && m.max === 1));
    const onFlame = planRig(inv({ morphTargetNames: names, jointNames: ['jaw'] }));
    assert.equal(onFlame.kind, 'arkit', 'ARKit shapes on FLAME topology are not a jaw-only FLAME rig');
    assert.equal(onFlame.landmarkMap, FLAME_LIPS_V1_LANDMARKS);
    assert.throws(
      () => planRig(inv({ vertexCount: 900, morphTargetNames: names })),
      (e: unknown) => e instanceof UnsupportedRigError && /lipsV1LandmarkMap/.test(e.message),
    );
    const bad = planRig.bind(
      null,
      inv({ vertexCount: 900, morphTargetNames: names, metadataLandmarkMap: [{ vertex: 5000 }] }),
    );
    assert.throws(bad, UnsupportedRigError);
  });

  test('custom: landmark map + named morph targets / jaw', () => {
    const plan = planRig(inv({ vertexCount: 10, morphTargetNames: ['a', 'b'], jointNames: ['Jaw_Bone'] }), {
      landmarkMap: Array.from({ length: 21 }, () => ({ vertex: 3 })),
      morphTargets: ['b'],
    });
    assert.equal(plan.kind, 'custom');
    assert.deepEqual(
      plan.morphs.map((m) => m.targetIndex),
      [1],
    );
    assert.equal(plan.jaw?.nodeName, 'Jaw_Bone');
    assert.throws(
      () =>
        planRig(inv({ vertexCount: 10 }), {
          landmarkMap: vertexMap.map(() => ({ vertex: 0 })),
          morphTargets: ['zz'],
        }),
      UnsupportedRigError,
    );
  });

  test('unsupported rig: the error says what was found and what to pass', () => {
    try {
      planRig(inv({ vertexCount: 1234, morphTargetNames: ['smile', 'blink'], jointNames: ['spine'] }));
      assert.fail('expected UnsupportedRigError');
    } catch (e) {
      assert.ok(e instanceof UnsupportedRigError);
      assert.equal(e.name, 'UnsupportedRigError');
      assert.match(e.message, /1234 vertices, 2 morph targets \[smile, blink\]/);
      assert.match(e.message, /options\.rig\.landmarkMap plus options\.rig\.morphTargets/);
    }
  });
});
