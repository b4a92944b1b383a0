// Issue #6: a suspended AudioContext rests the avatar and shows no frames; on resume lip sync carries
// on without replaying speech from before the suspension; a context the autoplay policy holds does not
// hold up startAsync (real Chromium, fake microphone).
// A file (a page) of its own, as each fault test has: README "Tests" says why.
import { expect } from '@esm-bundle/chai';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { type FrameRecord, playing, record, startMicAsync } from '../support/recordLipSync.ts';
import { isAtRest } from '../support/morphInfluences.ts';
import { sleep, waitFor, within } from '../support/waitFor.ts';
import { createTestRig } from './testRig.ts';

describe('PerceptualLipSyncBehavior suspend and resume', () => {
  const t = useLipSyncTestScene();

  const startMic = (options: Parameters<typeof t.make>[0] = {}) => startMicAsync(t, options);

  it('suspends with the AudioContext (avatar at rest, no frames) and resumes without replaying stale frames', async () => {
    const { head, lipSync, rec } = await startMic();
    const ctx = lipSync.audioContext!;
    await within('AudioContext.suspend()', 10000, ctx.suspend());
    await waitFor(() => lipSync.state === 'suspended', 2000, "state 'suspended'");
    expect(isAtRest(head), 'rest while suspended').to.equal(true);
    const framesWhileSuspended = rec.frames.length;
    await sleep(400);
    expect(rec.frames.length, 'no frames while suspended').to.equal(framesWhileSuspended);
    expect(isAtRest(head), 'still at rest').to.equal(true);

    const resumeCtxTime = ctx.currentTime;
    const resumedAt = performance.now();
    await within('AudioContext.resume()', 10000, ctx.resume());
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

  it('finishes starting in state suspended while the autoplay policy holds the AudioContext, and runs once it resumes', async () => {
    const ctx = new AudioContext();
    await within('AudioContext.suspend()', 10000, ctx.suspend());
    // Before a user gesture Chromium keeps resume() pending (Web Audio: "allowed to start"); this page
    // runs with autoplay allowed, so the context's resume() is made to do the same.
    const resumeOnGesture = ctx.resume.bind(ctx);
    ctx.resume = () => new Promise<void>(() => undefined);
    try {
      const head = createTestRig(t.scene);
      const lipSync = t.make({ audioContext: ctx });
      head.addBehavior(lipSync);
      const rec = record(lipSync, head);
      await within('startAsync with the context held', 20000, lipSync.startAsync({ kind: 'microphone' }));
      expect(lipSync.state).to.equal('suspended');
      expect(isAtRest(head), 'rest until the context runs').to.equal(true);
      expect(playing(rec.frames), 'frames before the context runs').to.equal(0);

      await within('the resume after the gesture', 10000, resumeOnGesture());
      await waitFor(() => lipSync.state === 'running', 2000, "state 'running'");
      await waitFor(() => playing(rec.frames) >= 10, 10000, 'frames once the context runs');
      expect(rec.states.map((s) => s.state)).to.deep.equal(['loading', 'suspended', 'running']);
      expect(rec.errors).to.have.length(0);
      lipSync.stop();
    } finally {
      await ctx.close();
    }
  });
});
