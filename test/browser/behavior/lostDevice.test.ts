// Issue #6: a microphone that goes away mid-stream is a typed AudioSourceError; the behavior rests,
// releases everything and starts again on a new device (real Chromium, fake microphone).
// A file (a page) of its own, as each fault test has: README "Tests" says why.
import { expect } from '@esm-bundle/chai';
import { spyOnGetUserMedia } from '../support/spyOnGetUserMedia.ts';
import { AudioSourceError } from '../../../src/errors.ts';
import { liveLipSyncWorkerCount } from '../../../src/worker/lipSyncWorkerClient.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { playing, startMicAsync } from '../support/recordLipSync.ts';
import { isAtRest } from '../support/morphInfluences.ts';
import { waitFor, within } from '../support/waitFor.ts';

describe('PerceptualLipSyncBehavior lost input device', () => {
  const t = useLipSyncTestScene();

  const startMic = (options: Parameters<typeof t.make>[0] = {}) => startMicAsync(t, options);

  for (const how of ['ended event', 'track.stop() by other code'] as const) {
    it(`reports a removed input device (${how}) as AudioSourceError, rests, releases everything, and starts again`, async () => {
      const gum = spyOnGetUserMedia();
      try {
        const { head, lipSync, rec } = await startMic();
        const baseline = t.scene.onBeforeRenderObservable.observers.length - 1;
        const track = gum.opened[0].getAudioTracks()[0];
        // An unplugged device ends the track and fires `ended`; track.stop() fires nothing (spec).
        track.stop();
        if (how === 'ended event') track.dispatchEvent(new Event('ended'));
        await waitFor(() => rec.errors.length > 0, 3000, 'the lost-device error');
        expect(rec.errors[0].error).to.be.instanceOf(AudioSourceError);
        expect(rec.errors[0].error.message).to.match(/disconnected/);
        expect(lipSync.state).to.equal('error');
        expect(isAtRest(head), 'rest pose').to.equal(true);
        expect(t.scene.onBeforeRenderObservable.observers.length, 'render observer removed').to.equal(
          baseline,
        );
        expect(lipSync.audioContext, 'context released').to.equal(null);
        await waitFor(() => liveLipSyncWorkerCount() === 0, 2000, 'the worker to be released');

        // Usable again: a new start (a new device) works.
        const before = rec.frames.length;
        await within('the new start', 40000, lipSync.startAsync({ kind: 'microphone' }));
        expect(lipSync.state).to.equal('running');
        await waitFor(() => playing(rec.frames.slice(before)) >= 10, 10000, 'frames after the new start');
        expect(gum.opened[1].getAudioTracks()[0].readyState).to.equal('live');
        lipSync.stop();
        expect(gum.opened[1].getAudioTracks()[0].readyState, 'the new track stopped').to.equal('ended');
      } finally {
        gum.restore();
      }
    });
  }
});
