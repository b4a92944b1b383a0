import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuardedModelSessionAsync, type IGuardedSessionOptions } from '../../../src/models/guardedModelSession.ts';
import type { ExecutionProvider, IFloatTensor, IModelSession } from '../../../src/models/onnxBackend.ts';
import type { IBackendChoice, IGpuAdapterFacts } from '../../../src/models/providerGuard.ts';

/** A fake session whose runs take `runMs()` of (simulated) time and echo which backend ran. */
function fakeSession(backend: ExecutionProvider, runMs: () => number, log: string[]): IModelSession {
  let released = false;
  const runTimedAsync = async () => {
    if (released) throw new Error(`${backend} used after release`);
    const ms = runMs();
    await new Promise((r) => setTimeout(r, Math.min(ms, 50)));
    log.push(backend);
    return { outputs: { y: { data: Float32Array.of(backend === 'webgpu' ? 1 : 2), dims: [1] } }, runMs: ms };
  };
  return {
    backend,
    inputNames: ['x'],
    outputNames: ['y'],
    runTimedAsync,
    runAsync: async () => (await runTimedAsync()).outputs,
    async releaseAsync() {
      released = true;
      log.push(`release ${backend}`);
    },
  };
}

const feeds: Record<string, IFloatTensor> = { x: { data: new Float32Array(160), dims: [1, 2, 80] } };
const hardware: IGpuAdapterFacts = { vendor: 'nvidia', architecture: 'hopper', device: '', description: '', isFallbackAdapter: false };
const swiftshader: IGpuAdapterFacts = { ...hardware, vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true };

function options(o: Partial<IGuardedSessionOptions> & Pick<IGuardedSessionOptions, 'createSessionAsync'>): IGuardedSessionOptions {
  return { label: 'generator', trialFeeds: feeds, audioMsOf: () => 20, trialRuns: 3, ...o };
}

test('a software adapter never gets a WebGPU session: wasm, reason software-adapter', async () => {
  const created: string[] = [];
  const log: string[] = [];
  const s = await createGuardedModelSessionAsync(new Uint8Array(1), ['webgpu', 'wasm'], options({
    probeAdapterAsync: async () => swiftshader,
    createSessionAsync: async (_m, backend) => (created.push(backend), fakeSession(backend, () => 2, log)),
  }));
  assert.deepEqual(created, ['wasm']);
  assert.equal(s.backend, 'wasm');
  assert.equal(s.choice.reason, 'software-adapter');
  assert.equal(log.length, 0, 'no trial runs when there is nothing to compare');
});

test('a slow WebGPU loses its trial to wasm and is released; a fast one wins and keeps wasm as its spare', async () => {
  for (const [gpuMs, winner, reason] of [[160, 'wasm', 'webgpu-too-slow'], [0.8, 'webgpu', 'faster']] as const) {
    const log: string[] = [];
    const s = await createGuardedModelSessionAsync(new Uint8Array(1), ['webgpu', 'wasm'], options({
      probeAdapterAsync: async () => hardware,
      createSessionAsync: async (_m, backend) => fakeSession(backend, () => (backend === 'webgpu' ? gpuMs : 2), log),
    }));
    assert.equal(s.backend, winner);
    assert.equal(s.choice.reason, reason);
    assert.equal(log.filter((e) => e === 'webgpu').length, 4, 'first run + 3 timed runs');
    assert.equal(log.filter((e) => e === 'wasm').length, 4);
    assert.deepEqual(log.filter((e) => e.startsWith('release')), winner === 'wasm' ? ['release webgpu'] : []);
    const y = await s.runAsync(feeds);
    assert.equal(y.y.data[0], winner === 'webgpu' ? 1 : 2, 'runs go to the winner');
    await s.releaseAsync();
  }
});

test('WebGPU creation that never answers within its deadline falls back to wasm (webgpu-failed)', async () => {
  const log: string[] = [];
  let lateGpu: ((s: IModelSession) => void) | null = null;
  const t0 = Date.now();
  const s = await createGuardedModelSessionAsync(new Uint8Array(1), ['webgpu', 'wasm'], options({
    probeAdapterAsync: async () => hardware,
    limits: { creationTimeoutMs: 100 },
    createSessionAsync: (_m, backend) =>
      backend === 'webgpu'
        ? new Promise((resolve) => (lateGpu = resolve))
        : Promise.resolve(fakeSession('wasm', () => 2, log)),
  }));
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(s.backend, 'wasm');
  assert.equal(s.choice.reason, 'webgpu-failed');
  assert.match(s.choice.detail, /more than 100 ms/);
  lateGpu!(fakeSession('webgpu', () => 1, log));
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(log.includes('release webgpu'), 'the late session is released when it arrives');
});

test('WebGPU that falls behind while streaming hands over to wasm at a run boundary, losing no run', async () => {
  const log: string[] = [];
  let gpuMs = 0.8;
  const changes: IBackendChoice[] = [];
  const s = await createGuardedModelSessionAsync(new Uint8Array(1), ['webgpu', 'wasm'], options({
    probeAdapterAsync: async () => hardware,
    limits: { watchRuns: 4 },
    onBackendChanged: (c) => changes.push(c),
    createSessionAsync: async (_m, backend) => fakeSession(backend, () => (backend === 'webgpu' ? gpuMs : 2), log),
  }));
  assert.equal(s.backend, 'webgpu');
  log.length = 0;
  gpuMs = 40; // the GPU got busy: 2x slower than real time
  const results: number[] = [];
  for (let i = 0; i < 8; i++) results.push((await s.runAsync(feeds)).y.data[0]);
  assert.equal(results.length, 8, 'every run answered');
  assert.deepEqual(results.slice(0, 4), [1, 1, 1, 1], 'webgpu until its window shows it behind');
  assert.deepEqual(results.slice(4), [2, 2, 2, 2], 'then wasm');
  assert.equal(changes.length, 1);
  assert.deepEqual([changes[0].backend, changes[0].reason], ['wasm', 'webgpu-fell-behind']);
  assert.equal(s.choice.reason, 'webgpu-fell-behind');
  assert.ok(log.includes('release webgpu'));
});

test('with one provider requested its errors propagate and no trial runs', async () => {
  const log: string[] = [];
  const s = await createGuardedModelSessionAsync(new Uint8Array(1), ['wasm'], options({
    createSessionAsync: async (_m, backend) => fakeSession(backend, () => 2, log),
  }));
  assert.equal(s.choice.reason, 'only-provider');
  assert.equal(log.length, 0);
  await assert.rejects(
    createGuardedModelSessionAsync(new Uint8Array(1), ['webgpu'], options({
      createSessionAsync: async () => {
        throw new Error('no adapter');
      },
    })),
    /no adapter/,
  );
});
