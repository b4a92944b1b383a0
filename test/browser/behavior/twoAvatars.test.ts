// Issue #6: one worker and one AudioContext serve several avatars on a page: two sources, two avatars,
// each follows its own speech; stopping one leaves the other running (real Chromium).
// A file (a page) of its own, as each fault test has: README "Tests" says why.
import { expect } from '@esm-bundle/chai';
import { liveSharedAudioContextCount } from '../../../src/behavior/sharedAudioContext.ts';
import { liveLipSyncWorkerCount } from '../../../src/worker/lipSyncWorkerClient.ts';
import { MIC_SPEECH_WAV } from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { playing, record } from '../support/recordLipSync.ts';
import { isAtRest, morphInfluences } from '../support/morphInfluences.ts';
import { waitFor, within } from '../support/waitFor.ts';
import { createTestRig } from './testRig.ts';

describe('PerceptualLipSyncBehavior two avatars', () => {
  const t = useLipSyncTestScene();

  it('drives two avatars from two sources through one shared worker and AudioContext; stopping one leaves the other running', async () => {
    const talkingHead = createTestRig(t.scene);
    const silentHead = createTestRig(t.scene);
    const talker = t.make();
    const listener = t.make();
    talkingHead.addBehavior(talker);
    silentHead.addBehavior(listener);
    const talkerJaw: number[] = [];
    talker.onFrameObservable.add(() => talkerJaw.push(morphInfluences(talkingHead)[0]));
    const heard = record(listener, silentHead);
    const silence = new AudioBuffer({ length: 20 * 44100, sampleRate: 44100, numberOfChannels: 1 });
    await within(
      'both startAsync calls',
      60000,
      Promise.all([
        talker.startAsync({ kind: 'url', url: MIC_SPEECH_WAV }),
        listener.startAsync({ kind: 'audioBuffer', buffer: silence }),
      ]),
    ).catch((e: Error) => {
      throw new Error(`${e.message} States: talker ${talker.state}, listener ${listener.state}.`);
    });
    expect(talker.audioContext, 'one AudioContext').to.equal(listener.audioContext);
    expect(liveSharedAudioContextCount()).to.equal(1);
    expect(liveLipSyncWorkerCount(), 'one worker').to.equal(1);

    // Each avatar follows its own source: the talker's jaw moves, the listener's lips stay at rest.
    await waitFor(
      () => talkerJaw.length > 30 && Math.max(...talkerJaw) - Math.min(...talkerJaw) > 0.01,
      15000,
      "the talker's jaw moving",
    );
    await waitFor(() => playing(heard.frames) >= 30, 15000, "the listener's frames");
    expect(
      heard.frames.every((f) => f.rest),
      'the listener stays at rest on silence',
    ).to.equal(true);

    talker.stop();
    expect(isAtRest(talkingHead), 'the stopped avatar rests').to.equal(true);
    expect(listener.state, 'the other keeps running').to.equal('running');
    const n = heard.frames.length;
    await waitFor(
      () => playing(heard.frames.slice(n)) >= 20,
      10000,
      "the listener's frames after the talker stopped",
    );
    expect(liveLipSyncWorkerCount(), 'the shared worker stays for the listener').to.equal(1);
    expect(liveSharedAudioContextCount()).to.equal(1);
    listener.stop(); // then the harness checks that the worker and the context are gone
  });
});
