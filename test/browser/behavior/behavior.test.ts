// PerceptualLipSyncBehavior end to end in Chromium: real AudioContext, worklet, worker and
// onnxruntime-web (tiny test generator), a real Babylon scene; lifecycle and bad inputs.
import { expect } from '@esm-bundle/chai';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import { PerceptualLipSyncBehavior } from '../../../src/behavior/perceptualLipSyncBehavior.ts';
import { liveSharedAudioContextCount } from '../../../src/behavior/sharedAudioContext.ts';
import { liveLipSyncWorkerCount } from '../../../src/worker/lipSyncWorkerClient.ts';
import { AudioSourceError, ModelLoadError } from '../../../src/errors.ts';
import { UnsupportedRigError } from '../../../src/rig/rigErrors.ts';
import { createTestRig } from './testRig.ts';

const MANIFEST = new URL('../../fixtures/generated/tiny-generator/manifest.json', import.meta.url).href;
const SPEECH = new URL('../../fixtures/generated/mic-speech.wav', import.meta.url).href;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PerceptualLipSyncBehavior', () => {
  let engine: NullEngine;
  let scene: Scene;
  let renderTimer: ReturnType<typeof setInterval>;
  const behaviors: PerceptualLipSyncBehavior[] = [];

  beforeEach(() => {
    engine = new NullEngine();
    scene = new Scene(engine);
    // NullEngine has no render loop of its own here: drive onBeforeRender at 60 Hz.
    renderTimer = setInterval(() => scene.onBeforeRenderObservable.notifyObservers(scene), 16);
  });
  afterEach(async () => {
    clearInterval(renderTimer);
    for (const b of behaviors.splice(0)) b.dispose();
    await sleep(600); // worker disposal waits up to 500 ms for the worker's own cleanup
    scene.dispose();
    engine.dispose();
    expect(liveLipSyncWorkerCount(), 'workers left running').to.equal(0);
    expect(liveSharedAudioContextCount(), 'AudioContexts left open').to.equal(0);
  });

  function make(options: ConstructorParameters<typeof PerceptualLipSyncBehavior>[0] = {}) {
    const b = new PerceptualLipSyncBehavior({
      modelManifestUrl: MANIFEST,
      executionProviders: ['wasm'],
      ...options,
    });
    behaviors.push(b);
    return b;
  }

  it('lip-syncs a playing audio file: influences move, then rest after stop; everything is released', async () => {
    const head = createTestRig(scene);
    const lipSync = make();
    head.addBehavior(lipSync);
    expect(lipSync.rig?.kind).to.equal('arkit');
    const baseline = scene.onBeforeRenderObservable.observers.length;
    const states: string[] = [];
    lipSync.onStateChangedObservable.add((s) => states.push(s));
    const influences: number[][] = [];
    lipSync.onFrameObservable.add(() => {
      influences.push(head.morphTargetManager!.getTarget(0) ? collect(head) : []);
    });
    await lipSync.startAsync({ kind: 'url', url: SPEECH });
    expect(lipSync.state).to.equal('running');
    expect(scene.onBeforeRenderObservable.observers.length).to.equal(baseline + 1);
    await sleep(2500);
    const moving = influences.filter((v) => v.some((x) => Math.abs(x) > 1e-3));
    expect(moving.length, 'frames with non-rest influences').to.be.greaterThan(30);
    const spread = Math.max(...influences.map((v) => v[0])) - Math.min(...influences.map((v) => v[0]));
    expect(spread, 'jawOpen influence varies over time').to.be.greaterThan(0.01);
    lipSync.stop();
    expect(lipSync.state).to.equal('idle');
    expect(states).to.deep.equal(['loading', 'running', 'idle']);
    expect(
      collect(head).every((x) => x === 0),
      'rest pose after stop',
    ).to.equal(true);
    expect(scene.onBeforeRenderObservable.observers.length).to.equal(baseline);
  });

  it('lip-syncs the (fake) microphone and stops the track it opened', async () => {
    const head = createTestRig(scene);
    const lipSync = make();
    head.addBehavior(lipSync);
    const opened: MediaStream[] = [];
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      const s = await original(c);
      opened.push(s);
      return s;
    };
    try {
      const seen = new Set<string>();
      lipSync.onFrameObservable.add((f) => seen.add(f.playout));
      await lipSync.startAsync({ kind: 'microphone' });
      await sleep(2500);
      expect(seen.has('playing'), 'frames were played').to.equal(true);
      const track = opened[0].getAudioTracks()[0];
      expect(track.getSettings().echoCancellation).to.equal(false);
      lipSync.stop();
      expect(track.readyState).to.equal('ended');
    } finally {
      navigator.mediaDevices.getUserMedia = original;
    }
  });

  it('reports a missing model as ModelLoadError and recovers on the next start', async () => {
    const head = createTestRig(scene);
    const lipSync = make({ modelManifestUrl: '/no/such/manifest.json', fetchAttempts: 1 });
    head.addBehavior(lipSync);
    const errors: Error[] = [];
    lipSync.onErrorObservable.add((e) => errors.push(e));
    let thrown: unknown;
    await lipSync.startAsync({ kind: 'url', url: SPEECH }).catch((e) => (thrown = e));
    expect(thrown).to.be.instanceOf(ModelLoadError);
    expect((thrown as Error).message).to.contain('404');
    expect(errors).to.have.length(1);
    expect(lipSync.state).to.equal('error');
    // The same behavior works once given a good model.
    (lipSync.options as { modelManifestUrl: string }).modelManifestUrl = MANIFEST;
    await lipSync.startAsync({ kind: 'url', url: SPEECH });
    expect(lipSync.state).to.equal('running');
  });

  it('rejects an unsupported rig with UnsupportedRigError, on the observable and from startAsync', async () => {
    const box = CreateBox('box', {}, scene);
    const lipSync = make();
    const errors: Error[] = [];
    lipSync.onErrorObservable.add((e) => errors.push(e));
    box.addBehavior(lipSync);
    expect(errors[0]).to.be.instanceOf(UnsupportedRigError);
    let thrown: unknown;
    await lipSync.startAsync({ kind: 'microphone' }).catch((e) => (thrown = e));
    expect(thrown).to.be.instanceOf(UnsupportedRigError);
  });

  it('reports a bad audio URL as AudioSourceError and leaks nothing', async () => {
    const head = createTestRig(scene);
    const lipSync = make();
    head.addBehavior(lipSync);
    let thrown: unknown;
    await lipSync.startAsync({ kind: 'url', url: '/no/such.wav' }).catch((e) => (thrown = e));
    expect(thrown).to.be.instanceOf(AudioSourceError);
    expect(lipSync.state).to.equal('error');
  });

  it('detach during model load cancels the start and releases everything', async () => {
    const head = createTestRig(scene);
    const lipSync = make();
    head.addBehavior(lipSync);
    const start = lipSync.startAsync({ kind: 'url', url: SPEECH });
    head.removeBehavior(lipSync);
    let thrown: unknown;
    await start.catch((e) => (thrown = e));
    expect(thrown, 'start was cancelled').to.be.instanceOf(Error);
    expect(lipSync.attachedNode).to.equal(null);
    expect(lipSync.state).to.equal('idle');
  });
});

function collect(mesh: ReturnType<typeof createTestRig>): number[] {
  const m = mesh.morphTargetManager!;
  return Array.from({ length: m.numTargets }, (_, i) => m.getTarget(i).influence);
}
