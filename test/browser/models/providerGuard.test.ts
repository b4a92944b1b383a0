// The provider guard in real Chromium, whose WebGPU is SwiftShader (a CPU rasterizer): with default
// options the avatar must not freeze (issue #13). The shipped models, the fake microphone, real ORT.
import { expect } from '@esm-bundle/chai';
import { createGuardedModelSessionAsync } from '../../../src/models/guardedModelSession.ts';
import { loadModelBytesAsync } from '../../../src/models/loadModelBytes.ts';
import { validateModelManifest } from '../../../src/models/modelManifest.ts';
import { zeroGeneratorState } from '../../../src/models/statefulGenerator.ts';
import type { IFloatTensor } from '../../../src/models/onnxBackend.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import { createTestRig } from '../behavior/testRig.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { waitFor, within } from '../support/waitFor.ts';

const SHIPPED = '/models/manifest.json';

describe('provider guard (SwiftShader WebGPU)', function () {
  this.timeout(120_000);
  const t = useLipSyncTestScene({ defaults: { modelManifestUrl: SHIPPED } });

  it('with default options the avatar moves within 3 s of startAsync, on wasm, with the reason', async () => {
    const gpu = (navigator as { gpu?: unknown }).gpu;
    expect(gpu, 'this Chromium exposes WebGPU (SwiftShader), which the default options would pick').to.not.equal(undefined);
    const head = createTestRig(t.scene);
    const lipSync = t.make();
    expect(lipSync.options.executionProviders).to.deep.equal(['webgpu', 'wasm'], 'the defaults');
    head.addBehavior(lipSync);
    const samples: ITelemetrySample[] = [];
    lipSync.onTelemetryObservable.add((s) => samples.push(s));
    let firstShownMs = -1;
    let started = -1;
    lipSync.onFrameObservable.add((f) => {
      if (started >= 0 && firstShownMs < 0 && Number.isFinite(f.lipsTimeSec)) firstShownMs = performance.now() - started;
    });
    await within('startAsync with default providers', 60_000, lipSync.startAsync({ kind: 'microphone' }));
    started = performance.now();
    await waitFor(() => firstShownMs >= 0, 10_000, 'a frame with lips shown').catch(() => undefined);
    expect(firstShownMs, 'ms from startAsync resolving to the first lips shown').to.be.within(0, 3000);
    await waitFor(() => samples.length > 0, 20_000, 'a telemetry sample').catch(() => undefined);
    const s = samples.at(-1);
    expect(s, 'a telemetry sample arrived').to.not.equal(undefined);
    expect(s!.backend).to.equal('wasm');
    expect(s!.backendReason).to.equal('software-adapter');
    expect(s!.backends.generator.detail).to.match(/swiftshader/i);
    expect(s!.backends.speechEncoder?.backend).to.equal('wasm');
  });

  it('a WebGPU that does not keep up loses its timed trial to wasm (SwiftShader presented as a GPU)', async () => {
    const m = validateModelManifest(await (await fetch(SHIPPED)).json());
    const g = m.generator;
    const bytes = await loadModelBytesAsync(new URL(g.file, new URL(SHIPPED, location.href)).href, 1, g.sha256);
    const feeds: Record<string, IFloatTensor> = { [g.inputName]: { data: new Float32Array(2 * 80), dims: [1, 2, 80] } };
    zeroGeneratorState(g.state!).forEach((data, i) => (feeds[g.state!.inputs[i]] = { data, dims: g.state!.shapes[i] }));
    const session = await createGuardedModelSessionAsync(bytes, ['webgpu', 'wasm'], {
      label: 'generator',
      trialFeeds: feeds,
      audioMsOf: (f) => f[g.inputName].dims[1] * 10,
      trialRuns: 3,
      // SwiftShader's first run compiles its shaders for ~10 s: let it finish to time its steady state.
      limits: { firstRunTimeoutMs: 60_000 },
      probeAdapterAsync: async () => ({ vendor: 'test', architecture: 'pretend-gpu', device: '', description: '', isFallbackAdapter: false }),
    });
    try {
      expect(session.backend).to.equal('wasm');
      expect(session.choice.reason).to.equal('webgpu-too-slow');
      console.log(`guard: ${session.choice.detail}`);
      const out = await session.runAsync(feeds);
      expect(out[g.outputName].data.length).to.equal(63);
    } finally {
      await session.releaseAsync();
    }
  });
});
