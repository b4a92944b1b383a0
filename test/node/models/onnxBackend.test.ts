import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  configureOnnxRuntime,
  createModelSessionAsync,
  ortWasmPaths,
  pendingOnnxRuns,
  type ITimedRun,
} from '../../../src/models/onnxBackend.ts';

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

describe('the run queue', () => {
  test('runs of every session go through one FIFO queue: never concurrent, depth counted, each timed', async () => {
    configureOnnxRuntime({ numThreads: 1 });
    const dir = 'test/fixtures/generated/tiny-generator';
    const generator = await createModelSessionAsync(readFileSync(`${dir}/generator.onnx`), ['wasm'], 'generator');
    const speech = await createModelSessionAsync(readFileSync(`${dir}/speech.onnx`), ['wasm'], 'speech encoder');
    try {
      const mel = (frames: number) => ({ data: new Float32Array(frames * 80), dims: [1, frames, 80] });
      const before = pendingOnnxRuns();
      const done: { name: string; endMs: number; runMs: number }[] = [];
      const timed = (name: string, run: Promise<ITimedRun>) =>
        run.then((r) => {
          done.push({ name, endMs: performance.now(), runMs: r.runMs });
          return r;
        });
      const window = { data: new Float32Array(64 * 20 * 80), dims: [64, 20, 80] };
      const runs = [
        timed('g1', generator.runTimedAsync({ mel: mel(3000) })),
        timed('s1', speech.runTimedAsync({ mel: window })),
        timed('g2', generator.runTimedAsync({ mel: mel(3000) })),
        timed('s2', speech.runTimedAsync({ mel: window })),
      ];
      assert.equal(pendingOnnxRuns(), before + 4);
      const results = await Promise.all(runs);
      assert.deepEqual(
        done.map((d) => d.name),
        ['g1', 's1', 'g2', 's2'],
      );
      assert.equal(pendingOnnxRuns(), before);
      // Each run starts after the previous one ended (its time excludes the wait in the queue).
      for (let i = 1; i < done.length; i++) {
        const start = done[i].endMs - done[i].runMs;
        assert.ok(start >= done[i - 1].endMs - 0.5, `${done[i].name} started ${done[i - 1].endMs - start} ms early`);
      }
      assert.ok(done.every((d) => d.runMs > 0.5), `run times ${done.map((d) => d.runMs.toFixed(2))} ms`);
      assert.equal(results[0].outputs.lips.dims[1], 1500); // 2 mel frames per output
    } finally {
      await Promise.all([generator.releaseAsync(), speech.releaseAsync()]);
    }
  });
});
