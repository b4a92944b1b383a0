import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnsupportedRigError } from '../../../src/rig/rigErrors.ts';
import { interpolate, resolveCached, resolveLandmarks } from '../../../src/rig/meshLandmarks.ts';

// Two triangles over four vertices: (0, 1, 2) and (2, 1, 3).
const mesh = { name: 'quad', getIndices: () => [0, 1, 2, 2, 1, 3], getTotalVertices: () => 4 };

test('each landmark form resolves to three vertices and weights; interpolation blends their data', () => {
  const res = resolveLandmarks(mesh, [
    { vertex: 3 },
    { face: 1, barycentric: [0.5, 0.25, 0.25] },
    { face: 0, vertices: [3, 2, 1], barycentric: [1, 0, 0] }, // vertices win over face
  ]);
  assert.deepEqual(res, [
    { v: [3, 3, 3], w: [1, 0, 0] },
    { v: [2, 1, 3], w: [0.5, 0.25, 0.25] },
    { v: [3, 2, 1], w: [1, 0, 0] },
  ]);
  const xyz = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 4]);
  const out = interpolate(res, xyz, new Float32Array(9));
  assert.deepEqual([...out], [1, 1, 4, 0.5, 0.75, 1, 1, 1, 4]);
});

test('a face or vertex the mesh does not have is an UnsupportedRigError naming the landmark', () => {
  assert.throws(
    () => resolveLandmarks(mesh, [{ vertex: 0 }, { face: 2, barycentric: [1, 0, 0] }]),
    (e) => {
      assert.ok(e instanceof UnsupportedRigError);
      assert.match((e as Error).message, /Landmark 1 names face 2/);
      return true;
    },
  );
  assert.throws(
    () => resolveLandmarks(mesh, [{ vertex: 4 }]),
    /Landmark 0 names a vertex outside mesh "quad"/,
  );
});

test('resolveCached resolves a map once per mesh', () => {
  const map = [{ vertex: 1 }] as const;
  const a = resolveCached(mesh, map);
  assert.equal(resolveCached(mesh, map), a);
  const other = { ...mesh, name: 'other' };
  assert.notEqual(resolveCached(other, map), a);
});
