// Parity of the shipped ONNX models (models/) with PyTorch: the export script writes small inputs and the
// PyTorch outputs to test/fixtures/models/*.json; onnxruntime-web must match them on wasm and webgpu.
// Inputs are tiny because webgpu on SwiftShader is ~60x slower than wasm.
import { expect } from '@esm-bundle/chai';
import { createModelSessionAsync, type ExecutionProvider, type IModelSession } from '../../../src/models/onnxBackend.ts';
import { loadModelBytesAsync } from '../../../src/models/loadModelBytes.ts';
import { validateModelManifest, type IModelManifest } from '../../../src/models/modelManifest.ts';

interface ITensorJson {
  dims: number[];
  data: number[];
}
interface IFixture {
  model: string;
  /** Every graph input (the stateful generator also takes its carried state). */
  inputs: Record<string, ITensorJson>;
  /** Every graph output (the generator also returns its next state). */
  outputs: Record<string, ITensorJson>;
  tolerance: number;
}

const fetchJson = async <T>(url: string): Promise<T> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
};

describe('models/: ONNX parity with PyTorch', function () {
  this.timeout(120_000);
  let manifest: IModelManifest;
  const sessions: IModelSession[] = [];
  afterEach(async () => {
    while (sessions.length) await sessions.pop()!.releaseAsync();
  });

  before(async () => {
    manifest = validateModelManifest(await fetchJson('/models/manifest.json'));
  });

  it('has a manifest the runtime accepts, with the documented framing', () => {
    expect(manifest.layout).to.equal('lips-v1');
    expect(manifest.generator.outputKind).to.equal('lips-v1-displacement');
    expect(manifest.generator.melFramesPerOutputFrame).to.equal(2);
    expect(manifest.generator.frameRateHz).to.equal(50);
    expect(manifest.generator.state?.outputLagFrames, 'stateful graph, look-ahead in frames').to.equal(
      manifest.generator.lookaheadFrames / 2,
    );
    expect(manifest.metricEncoders?.speechWindowFrames).to.equal(20);
    expect(manifest.metricEncoders?.meshWindowFrames).to.equal(10);
  });

  const cases = [
    { fixture: 'generator', file: () => manifest.generator.file, sha: () => manifest.generator.sha256 },
    { fixture: 'speech_encoder', file: () => manifest.metricEncoders!.speechFile, sha: () => undefined },
    { fixture: 'mesh_encoder', file: () => manifest.metricEncoders!.meshFile, sha: () => undefined },
  ];
  for (const backend of ['wasm', 'webgpu'] as ExecutionProvider[]) {
    for (const c of cases) {
      it(`${c.fixture} matches PyTorch on ${backend}`, async function () {
        if (backend === 'webgpu' && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) this.skip();
        const fx = await fetchJson<IFixture>(`/test/fixtures/models/${c.fixture}.json`);
        const bytes = await loadModelBytesAsync(`/models/${c.file()}`, 1, c.sha());
        const session = await createModelSessionAsync(bytes, [backend], c.fixture);
        sessions.push(session);
        expect(session.backend).to.equal(backend);
        const feeds = Object.fromEntries(
          Object.entries(fx.inputs).map(([name, t]) => [name, { data: new Float32Array(t.data), dims: t.dims }]),
        );
        const out = await session.runAsync(feeds);
        expect(Object.keys(out).sort()).to.deep.equal(Object.keys(fx.outputs).sort());
        for (const [name, want] of Object.entries(fx.outputs)) {
          const y = out[name];
          expect(y.dims, name).to.deep.equal(want.dims);
          let maxDiff = 0;
          for (let i = 0; i < want.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(y.data[i] - want.data[i]));
          expect(maxDiff, `max |onnx(${backend}) - pytorch| of ${name}`).to.be.lessThan(fx.tolerance);
        }
      });
    }
  }
});
