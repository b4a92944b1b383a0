import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choleskyFactor } from '../../../src/math/choleskyFactor.ts';
import { choleskySolve } from '../../../src/math/choleskySolve.ts';
import { seededRandom } from '../rig/syntheticRig.ts';

test('Cholesky factor + solve recovers x from A·x for a random SPD matrix; rejects an indefinite one', () => {
  const n = 30;
  const rnd = seededRandom(21);
  const B = Float64Array.from({ length: n * n }, () => rnd() - 0.5);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.1 : 0;
      for (let k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
      A[i * n + j] = s;
    }
  const x = Float64Array.from({ length: n }, () => rnd());
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) b[i] += A[i * n + k] * x[k];
  const L = Float64Array.from(A);
  assert.equal(choleskyFactor(L, n), true);
  const got = choleskySolve(L, n, b, new Float64Array(n));
  for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - x[i]) < 1e-8);
  assert.equal(choleskyFactor(Float64Array.from([1, 2, 2, 1]), 2), false);
});
