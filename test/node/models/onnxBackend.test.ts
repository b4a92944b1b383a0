import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ortWasmPaths } from '../../../src/models/onnxBackend.ts';

describe('ortWasmPaths', () => {
  test('one thread: only the binary, so the embedded .mjs glue is used and nothing else is fetched', () => {
    assert.deepEqual(ortWasmPaths('/lipsync/', 1), { wasm: '/lipsync/ort-wasm-simd-threaded.jsep.wasm' });
    assert.deepEqual(ortWasmPaths('https://cdn.example/ort', 1), {
      wasm: 'https://cdn.example/ort/ort-wasm-simd-threaded.jsep.wasm',
    });
  });

  test('threads: the folder (onnxruntime-web starts its threads from the glue file there)', () => {
    assert.equal(ortWasmPaths('/lipsync/', 2), '/lipsync/');
  });
});
