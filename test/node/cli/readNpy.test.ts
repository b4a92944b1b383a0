import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../../../src/cli/cliError.ts';
import { readNpy } from '../../../src/cli/readNpy.ts';
import { npyBytes } from './helpers.ts';

test('reads <f4 v1 and <f8 v2 arrays in C order with their shape', () => {
  const a = readNpy(npyBytes([1.5, -2, 3.25], [3]));
  assert.deepEqual(a.shape, [3]);
  assert.ok(a.data instanceof Float32Array);
  assert.deepEqual(Array.from(a.data), [1.5, -2, 3.25]);
  const b = readNpy(npyBytes([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 2, 3], { dtype: '<f8', version: 2 }));
  assert.deepEqual(b.shape, [1, 2, 3]);
  assert.ok(b.data instanceof Float64Array);
  assert.equal(b.data[5], 0.6);
});

test('reads the committed numpy-written fixture', async () => {
  const { readFileSync } = await import('node:fs');
  const a = readNpy(
    readFileSync(new URL('../../fixtures/metrics/cli_pred_lip_distance.npy', import.meta.url)),
  );
  assert.deepEqual(a.shape, [60]);
  assert.ok(a.data.every((v) => v > 0 && v < 0.05));
});

test('rejects non-npy bytes, Fortran order, integer dtypes and truncation with CliError', () => {
  assert.throws(() => readNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), /magic/);
  assert.throws(() => readNpy(npyBytes([1, 2], [2], { fortran: true })), /Fortran/);
  assert.throws(
    () => readNpy(npyBytes([1, 2], [2], { dtype: '<i4' })),
    /expected dtype <f4 or <f8, got '<i4'/,
  );
  const full = npyBytes([1, 2, 3], [3]);
  assert.throws(() => readNpy(full.subarray(0, full.length - 2)), CliError);
});
