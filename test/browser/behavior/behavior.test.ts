// PerceptualLipSyncBehavior end to end in Chromium: real AudioContext, worklet, worker and
// onnxruntime-web (tiny test generator), a real Babylon scene; lifecycle and bad inputs.
import { expect } from '@esm-bundle/chai';
import { spyOnGetUserMedia } from '../support/spyOnGetUserMedia.ts';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import { AudioSourceError, ModelLoadError } from '../../../src/errors.ts';
import { UnsupportedRigError } from '../../../src/rig/rigErrors.ts';
import { MIC_SPEECH_WAV as SPEECH, TINY_MANIFEST as MANIFEST } from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { morphInfluences as collect } from '../support/morphInfluences.ts';
import { waitFor } from '../support/waitFor.ts';
import { createTestRig } from './testRig.ts';

describe('PerceptualLipSyncBehavior', () => {
  const t = useLipSyncTestScene();
  const make = t.make;

  it('lip-syncs a playing audio file: influences move, then rest after stop; everything is released', async () => {
    const head = createTestRig(t.scene);
    const lipSync = make();
    head.addBehavior(lipSync);
    expect(lipSync.rig?.kind).to.equal('arkit');
    const scene = t.scene;
    const baseline = scene.onBeforeRenderObservable.observers.length;
    const states: string[] = [];
    lipSync.onStateChangedObservable.add(({ state }) => states.push(state));
    const influences: number[][] = [];
    lipSync.onFrameObservable.add(() => {
      influences.push(collect(head));
    });
    await lipSync.startAsync({ kind: 'url', url: SPEECH });
    expect(lipSync.state).to.equal('running');
    expect(scene.onBeforeRenderObservable.observers.length).to.equal(baseline + 1);
    const isMoving = (v: number[]) => v.some((x) => Math.abs(x) > 1e-3);
    // The clip's speech lasts ~4 s; on a loaded machine fewer renders fit in it, so wait for them.
    await waitFor(
      () => influences.filter(isMoving).length > 30,
      6000,
      '30 frames with non-rest influences',
    ).catch(() => undefined);
    const moving = influences.filter(isMoving);
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
    const head = createTestRig(t.scene);
    const lipSync = make();
    head.addBehavior(lipSync);
    const { opened, restore } = spyOnGetUserMedia();
    try {
      const seen = new Set<string>();
      lipSync.onFrameObservable.add((f) => seen.add(f.playout));
      await lipSync.startAsync({ kind: 'microphone' });
      await waitFor(() => seen.has('playing'), 8000, 'played frames').catch(() => undefined);
      expect(seen.has('playing'), 'frames were played').to.equal(true);
      const track = opened[0].getAudioTracks()[0];
      expect(track.getSettings().echoCancellation).to.equal(false);
      lipSync.stop();
      expect(track.readyState).to.equal('ended');
    } finally {
      restore();
    }
  });

  it('reports a missing model as ModelLoadError and recovers on the next start', async () => {
    const head = createTestRig(t.scene);
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
    const box = CreateBox('box', {}, t.scene);
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
    const head = createTestRig(t.scene);
    const lipSync = make();
    head.addBehavior(lipSync);
    let thrown: unknown;
    await lipSync.startAsync({ kind: 'url', url: '/no/such.wav' }).catch((e) => (thrown = e));
    expect(thrown).to.be.instanceOf(AudioSourceError);
    expect(lipSync.state).to.equal('error');
  });

  it('detach during model load cancels the start and releases everything', async () => {
    const head = createTestRig(t.scene);
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
