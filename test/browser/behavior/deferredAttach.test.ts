// Babylon defers a behavior's attach while the scene is loading (addBehavior → init now, attach on
// scene.onDataLoadedObservable); the README's `addBehavior` then `startAsync` must wait for it (issue #16).
import { expect } from '@esm-bundle/chai';
import { LipSyncError } from '../../../src/errors.ts';
import { MIC_SPEECH_WAV as SPEECH } from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { createTestRig } from './testRig.ts';

describe('PerceptualLipSyncBehavior deferred attach', () => {
  const t = useLipSyncTestScene();

  it('startAsync right after addBehavior on a loading scene waits for the attach, then runs', async () => {
    const head = createTestRig(t.scene);
    const loading = {};
    t.scene.addPendingData(loading);
    expect(t.scene.isLoading).to.equal(true);
    const lipSync = t.make();
    head.addBehavior(lipSync);
    expect(lipSync.attachedNode, 'Babylon deferred the attach').to.equal(null);
    const start = lipSync.startAsync({ kind: 'url', url: SPEECH });
    setTimeout(() => t.scene.removePendingData(loading), 300);
    await start;
    expect(lipSync.attachedNode).to.equal(head);
    expect(lipSync.state).to.equal('running');
    lipSync.stop();
  });

  it('removeBehavior before the deferred attach ends the waiting start with a LipSyncError', async () => {
    const head = createTestRig(t.scene);
    const loading = {};
    t.scene.addPendingData(loading);
    const lipSync = t.make();
    head.addBehavior(lipSync);
    const start = lipSync.startAsync({ kind: 'url', url: SPEECH });
    head.removeBehavior(lipSync);
    const err = await start.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(LipSyncError);
    expect((err as Error).message).to.match(/cancelled while waiting for Babylon to attach/);
    expect(lipSync.state).to.equal('idle');
    t.scene.removePendingData(loading);
    expect(lipSync.attachedNode, 'a removed behavior is not attached later').to.equal(null);
  });
});
