// Issues #6 and #8: PerceptualLipSyncBehavior under faults, in real Chromium (real AudioContext,
// worklet, worker, onnxruntime-web with the tiny test generator, fake microphone looping
// mic-speech.wav). Each fault ends in a typed error or an automatic recovery, the behavior stays
// usable, and nothing leaks (the shared harness checks workers and AudioContexts after each test).
import { expect } from '@esm-bundle/chai';
import { spyOnGetUserMedia } from '../support/spyOnGetUserMedia.ts';
import { liveSharedAudioContextCount } from '../../../src/behavior/sharedAudioContext.ts';
import { AudioSourceError, WorkerCrashError } from '../../../src/errors.ts';
import {
  liveLipSyncWorkerCount,
  simulateLipSyncWorkerFaultForTesting,
} from '../../../src/worker/lipSyncWorkerClient.ts';
import { MIC_SPEECH_WAV } from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { type FrameRecord, playing, record, startMicAsync } from '../support/recordLipSync.ts';
import { isAtRest, morphInfluences } from '../support/morphInfluences.ts';
import { sleep, waitFor } from '../support/waitFor.ts';
import { createTestRig } from './testRig.ts';

describe('PerceptualLipSyncBehavior faults', () => {
  const t = useLipSyncTestScene();

  const startMic = (options: Parameters<typeof t.make>[0] = {}) => startMicAsync(t, options);

  it('without a standby worker, cold-restarts a crashed worker and carries on (one worker, no leak)', async () => {
    const { lipSync, rec } = await startMic();
    expect(liveLipSyncWorkerCount()).to.equal(1);
    expect(simulateLipSyncWorkerFaultForTesting('crash')).to.equal(1);
    await waitFor(() => rec.errors.length > 0, 5000, 'the crash notice');
    expect(rec.errors[0].error).to.be.instanceOf(WorkerCrashError);
    const detectedAt = rec.errors[0].at;
    expect(lipSync.state).to.equal('recovering');
    // A cold start: seconds on a loaded machine, so only a loose deadline here.
    await waitFor(() => lipSync.state === 'running', 20000, "state 'running' again");
    await waitFor(() => playing(rec.framesAfter(detectedAt + 500)) >= 10, 10000, 'frames again');
    expect(liveLipSyncWorkerCount()).to.equal(1);
    expect(rec.errors).to.have.length(1);
  });

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
        await lipSync.startAsync({ kind: 'microphone' });
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

  it('suspends with the AudioContext (avatar at rest, no frames) and resumes without replaying stale frames', async () => {
    const { head, lipSync, rec } = await startMic();
    const ctx = lipSync.audioContext!;
    await ctx.suspend();
    await waitFor(() => lipSync.state === 'suspended', 2000, "state 'suspended'");
    expect(isAtRest(head), 'rest while suspended').to.equal(true);
    const framesWhileSuspended = rec.frames.length;
    await sleep(400);
    expect(rec.frames.length, 'no frames while suspended').to.equal(framesWhileSuspended);
    expect(isAtRest(head), 'still at rest').to.equal(true);

    const resumeCtxTime = ctx.currentTime;
    const resumedAt = performance.now();
    await ctx.resume();
    await waitFor(() => lipSync.state === 'running', 2000, "state 'running'");
    await waitFor(() => playing(rec.framesAfter(resumedAt)) >= 20, 10000, 'frames after the resume');
    const after = rec.framesAfter(resumedAt);
    // Only speech captured after the resume is shown: nothing from before the suspension.
    for (const f of after.filter((x) => x.playout === 'playing'))
      expect(f.timeSec, 'a frame from before the suspension').to.be.at.least(resumeCtxTime - 0.02);
    // And no backlog: frames are shown about as far behind the clock as before the suspension.
    const lagOf = (fs: FrameRecord[]) =>
      Math.max(...fs.filter((x) => x.playout === 'playing').map((f) => f.ctxTime - f.timeSec));
    const lagBefore = lagOf(rec.frames.slice(0, framesWhileSuspended));
    expect(lagOf(after.slice(-10)), 'lag behind the audio clock, s').to.be.below(lagBefore + 0.3);
    expect(rec.states.map((s) => s.state)).to.deep.equal(['loading', 'running', 'suspended', 'running']);
    expect(rec.errors).to.have.length(0);
  });

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
    // Bounded, so a start that never settles fails with a message instead of the 120 s test timeout
    // (seen once in a full CI run under load; not reproduced alone).
    let settled: { error?: unknown } | null = null;
    void Promise.all([
      talker.startAsync({ kind: 'url', url: MIC_SPEECH_WAV }),
      listener.startAsync({ kind: 'audioBuffer', buffer: silence }),
    ]).then(
      () => (settled = {}),
      (error: unknown) => (settled = { error }),
    );
    await waitFor(() => settled !== null, 60000, 'both startAsync calls to settle').catch((e: Error) => {
      throw new Error(`${e.message} States: talker ${talker.state}, listener ${listener.state}.`);
    });
    if (settled!.error) throw settled!.error;
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
