import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_PROVIDER_GUARD_LIMITS,
  RealTimeWatch,
  chooseProvider,
  rejectWebGpuAdapter,
  type IGpuAdapterFacts,
} from '../../../src/models/providerGuard.ts';

const adapter = (o: Partial<IGpuAdapterFacts>): IGpuAdapterFacts => ({
  vendor: '',
  architecture: '',
  device: '',
  description: '',
  isFallbackAdapter: false,
  ...o,
});

test('software and missing WebGPU adapters are rejected with their reason; hardware ones pass', () => {
  // What headless Chromium 156 reports for SwiftShader (measured): fallback flag and the architecture.
  const swiftshader = rejectWebGpuAdapter(adapter({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true }));
  assert.equal(swiftshader?.reason, 'software-adapter');
  assert.match(swiftshader!.detail, /google swiftshader/);
  assert.equal(rejectWebGpuAdapter(adapter({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))?.reason, 'software-adapter');
  assert.equal(rejectWebGpuAdapter(adapter({ vendor: 'x', isFallbackAdapter: true }))?.reason, 'software-adapter');
  assert.equal(rejectWebGpuAdapter(null)?.reason, 'no-webgpu');
  assert.equal(rejectWebGpuAdapter(adapter({ vendor: 'nvidia', architecture: 'hopper' })), null);
  assert.equal(rejectWebGpuAdapter(adapter({ vendor: 'apple', architecture: 'metal-3' })), null);
});

test('the faster provider that keeps up with real time is chosen', () => {
  const fastGpu = chooseProvider(
    [
      { backend: 'webgpu', firstRunMs: 300, runMs: [1, 1.2, 0.9, 1.1, 1] },
      { backend: 'wasm', firstRunMs: 40, runMs: [2, 2.1, 1.9, 2, 2.2] },
    ],
    20,
  );
  assert.deepEqual([fastGpu.backend, fastGpu.reason], ['webgpu', 'faster']);
  const fastWasm = chooseProvider(
    [
      { backend: 'webgpu', firstRunMs: 300, runMs: [3, 3, 3, 3, 3] },
      { backend: 'wasm', firstRunMs: 40, runMs: [2, 2, 2, 2, 2] },
    ],
    20,
  );
  assert.deepEqual([fastWasm.backend, fastWasm.reason], ['wasm', 'faster']);
});

test('WebGPU that does not keep up loses with webgpu-too-slow, whatever wasm costs', () => {
  // SwiftShader as measured: 160 ms per 20 ms step, a 9.5 s first run.
  const slow = chooseProvider(
    [
      { backend: 'webgpu', firstRunMs: 9500, runMs: [160, 150, 170, 165, 158] },
      { backend: 'wasm', firstRunMs: 40, runMs: [2, 2, 2, 2, 2] },
    ],
    20,
  );
  assert.deepEqual([slow.backend, slow.reason], ['wasm', 'webgpu-too-slow']);
  assert.match(slow.detail, /webgpu 160\.00 ms per run for 20 ms of audio/);
  // A fast steady state does not excuse a first run past its deadline.
  const lateStart = chooseProvider(
    [
      { backend: 'webgpu', firstRunMs: DEFAULT_PROVIDER_GUARD_LIMITS.firstRunTimeoutMs + 1, runMs: [0.5, 0.5, 0.5] },
      { backend: 'wasm', firstRunMs: 40, runMs: [2, 2, 2] },
    ],
    20,
  );
  assert.equal(lateStart.reason, 'webgpu-too-slow');
  // Neither keeps up: the faster one still runs (a late avatar beats a frozen one).
  const neither = chooseProvider(
    [
      { backend: 'webgpu', firstRunMs: 100, runMs: [30, 30, 30] },
      { backend: 'wasm', firstRunMs: 40, runMs: [15, 15, 15] },
    ],
    20,
  );
  assert.equal(neither.backend, 'wasm');
  assert.equal(chooseProvider([{ backend: 'wasm', firstRunMs: 1, runMs: [1] }], 20).reason, 'only-provider');
  assert.throws(() => chooseProvider([], 20), RangeError);
});

test('the running watch fires once the window median passes the threshold, not on one slow run', () => {
  const limits = { ...DEFAULT_PROVIDER_GUARD_LIMITS, watchRuns: 4, fallBehindFraction: 0.9 };
  const watch = new RealTimeWatch(limits);
  assert.equal(watch.record(100, 20), false, 'window not full yet');
  for (let i = 0; i < 3; i++) assert.equal(watch.record(2, 20), false, 'one stall among fast runs');
  assert.equal(watch.record(19, 20), false);
  assert.equal(watch.record(25, 20), false, 'median of 2, 2, 19, 25 over 20 ms < 0.9');
  assert.equal(watch.record(30, 20), true, 'median of 19, 25, 30, 2 over 20 ms > 0.9');
  assert.equal(watch.record(5, 0), false, 'runs covering no audio are ignored');
});
