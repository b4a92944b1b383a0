// End-to-end plumbing: fake-mic wav → AudioWorklet (downmix, resample) → Worker (comlink) →
// log-mel → onnxruntime-web generator (tiny test model) → frames on the main thread → a Babylon
// morph target influence, plus the same audio through the wasm and webgpu providers compared.
import { expect } from '@esm-bundle/chai';
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer.js';
import '@babylonjs/core/Materials/standardMaterial.js'; // the default material's side effect
import { createCaptureNodeAsync } from '../../../src/audio/captureNode.ts';
import { defaultCaptureProcessorUrl, defaultWorkerUrl } from '../../../src/assetUrls.ts';
import type { LipSyncWorkerApi } from '../../../src/worker/lipSyncWorker.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';

const MANIFEST = new URL('../../fixtures/generated/tiny-generator/manifest.json', import.meta.url).href;
const MIC_WAV = new URL('../../fixtures/generated/mic-speech.wav', import.meta.url).href;
const INNER_UPPER = 15;
const INNER_LOWER = 19;

function openWorker(): { api: Remote<LipSyncWorkerApi>; close: () => void } {
  const worker = new Worker(defaultWorkerUrl(), { type: 'module' });
  const api = wrap<LipSyncWorkerApi>(worker);
  return {
    api,
    close: () => {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}

/** Vertical gap between the inner-lip mid points of frame f, metres (its change from neutral's). */
function aperture(displacements: Float32Array, f: number): number {
  return displacements[f * 63 + INNER_UPPER * 3 + 1] - displacements[f * 63 + INNER_LOWER * 3 + 1];
}

describe('smoke: mic → worklet → worker → onnxruntime-web → Babylon', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it('turns fake-microphone speech into timed lips-v1 frames and a morph influence', async () => {
    const context = new AudioContext();
    cleanups.push(() => context.close());
    const capture = await createCaptureNodeAsync(context, defaultCaptureProcessorUrl());
    cleanups.push(() => capture.dispose());

    const { api, close } = openWorker();
    cleanups.push(close);
    const info = await api.initAsync({ manifestUrl: MANIFEST, executionProviders: ['wasm'] });
    expect(info.backend).to.equal('wasm');
    expect(info.frameRateHz).to.equal(50);

    const blocks: LipsFrameBlock[] = [];
    await api.openStream(
      1,
      transfer(capture.port, [capture.port]),
      proxy((b: LipsFrameBlock) => void blocks.push(b)),
    );
    // Open the microphone once the chain is ready, as the behavior does, so the frames measure the
    // pipeline rather than a backlog queued while the model loaded.
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    cleanups.push(() => stream.getTracks().forEach((t) => t.stop()));
    // Keep a reference: an unreferenced MediaStreamAudioSourceNode may be collected.
    const micNode = context.createMediaStreamSource(stream);
    micNode.connect(capture.node);
    cleanups.push(() => micNode.disconnect());

    // The fake mic loops a 7.5 s file that starts with 0.5 s of silence; 3 s covers speech.
    await new Promise((r) => setTimeout(r, 3000));
    await api.closeStream(1);
    const frames = blocks.reduce((n, b) => n + b.frames, 0);
    expect(frames, 'frames generated in 3 s at 50 fps').to.be.within(100, 160);

    // Frames are contiguous in audio-clock time and follow the clock (a loose bound: a loaded CI
    // machine is slow; bench/ measures the real latency).
    for (let i = 1; i < blocks.length; i++) {
      const expected = blocks[i - 1].firstTimeSec + blocks[i - 1].frames * blocks[i - 1].frameDurationSec;
      expect(blocks[i].firstTimeSec).to.be.closeTo(expected, 1e-6);
    }
    const last = blocks[blocks.length - 1];
    const lastTime = last.firstTimeSec + (last.frames - 1) * last.frameDurationSec;
    expect(context.currentTime - lastTime).to.be.within(0, 3);

    // Speech reached the model: the frames' speech RMS rises well above silence and lips move.
    const rms = blocks.flatMap((b) => Array.from(b.speechRms));
    expect(Math.max(...rms)).to.be.greaterThan(0.02);
    const apertures = blocks.flatMap((b) =>
      Array.from({ length: b.frames }, (_, f) => aperture(b.displacements, f)),
    );
    expect(apertures.every(Number.isFinite)).to.equal(true);
    expect(Math.max(...apertures) - Math.min(...apertures)).to.be.greaterThan(1e-4);

    // The result drives a Babylon morph target on a real WebGL2 engine.
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 64;
    const engine = new Engine(canvas, false, { preserveDrawingBuffer: true });
    cleanups.push(() => engine.dispose());
    const scene = new Scene(engine);
    new FreeCamera('cam', new Vector3(0, 0, -4), scene).setTarget(Vector3.Zero());
    const box = CreateBox('box', { size: 1 }, scene);
    const manager = new MorphTargetManager(scene);
    const target = new MorphTarget('mouthOpen', 0, scene);
    const base = box.getVerticesData(VertexBuffer.PositionKind)!;
    target.setPositions(base.map((v, i) => (i % 3 === 1 ? v * 2 : v)));
    manager.addTarget(target);
    box.morphTargetManager = manager;
    const lo = Math.min(...apertures);
    const hi = Math.max(...apertures);
    target.influence = (apertures[apertures.length >> 1] - lo) / (hi - lo);
    await scene.whenReadyAsync();
    scene.render();
    expect(engine.webGLVersion).to.equal(2);
    const morphed = box.getPositionData(false, true)!;
    expect(morphed[1]).to.be.closeTo(base[1] * (1 + target.influence), 1e-5);
  });

  it('gives the same frames on the wasm and webgpu providers', async () => {
    const decodeContext = new OfflineAudioContext(1, 16000, 16000);
    const decoded = await decodeContext.decodeAudioData(await (await fetch(MIC_WAV)).arrayBuffer());
    const speech = decoded.getChannelData(0).slice(8000, 8000 + 16000); // 1 s of speech
    const results: Record<string, LipsFrameBlock> = {};
    for (const ep of ['wasm', 'webgpu'] as const) {
      const { api, close } = openWorker();
      cleanups.push(close);
      const info = await api.initAsync({ manifestUrl: MANIFEST, executionProviders: [ep] });
      expect(info.backend).to.equal(ep);
      results[ep] = await api.generateOfflineAsync(speech.slice());
    }
    const a = results.wasm;
    const b = results.webgpu;
    expect(a.frames).to.equal(50);
    expect(b.frames).to.equal(a.frames);
    let maxDiff = 0;
    for (let i = 0; i < a.displacements.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(a.displacements[i] - b.displacements[i]));
    expect(maxDiff, 'max |wasm - webgpu| (m)').to.be.lessThan(1e-5);
  });
});
