import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flameVerticesToLipsV1 } from '../../../src/metrics/flameVerticesToLipsV1.ts';
import { innerLipAperture, LIPS_V1, mouthWidth } from '../../../src/rig/lipsV1.ts';

test('flameVerticesToLipsV1 interpolates the barycentric map (affine fields pass through exactly)', () => {
  // An affine field v ↦ A·id(v) + b: barycentric weights sum to 1, so each landmark gets A·Σw·id + b.
  const verts = new Float32Array(5023 * 3);
  for (let v = 0; v < 5023; v++) {
    verts[v * 3] = v * 1e-3;
    verts[v * 3 + 1] = 2;
    verts[v * 3 + 2] = -v * 1e-3;
  }
  const out = flameVerticesToLipsV1(verts);
  assert.equal(out.length, 63);
  for (let l = 0; l < 21; l++) {
    assert.ok(Math.abs(out[l * 3 + 1] - 2) < 1e-5);
    assert.ok(Math.abs(out[l * 3] + out[l * 3 + 2]) < 1e-5);
  }
  assert.throws(() => flameVerticesToLipsV1(new Float32Array(10)), RangeError);
});

test('lips-v1 spec: 21 neutral points, closed inner lips, a ~48 mm mouth', () => {
  assert.equal(LIPS_V1.pointCount, 21);
  assert.equal(LIPS_V1.neutral.length, 63);
  assert.ok(Math.abs(innerLipAperture(LIPS_V1.neutral)) < 1e-3);
  assert.ok(Math.abs(mouthWidth(LIPS_V1.neutral) - 0.0477) < 1e-3);
});
