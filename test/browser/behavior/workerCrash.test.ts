// Issues #6 and #8: a crashed inference worker is restarted cold (no standby spare) and lip sync
// carries on, in real Chromium (real AudioContext, worklet, worker, onnxruntime-web with the tiny test
// generator, fake microphone looping mic-speech.wav); nothing leaks (the harness checks after the test).
// A file (a page) of its own, as each fault test has: README "Tests" says why.
import { expect } from '@esm-bundle/chai';
import { WorkerCrashError } from '../../../src/errors.ts';
import {
  liveLipSyncWorkerCount,
  simulateLipSyncWorkerFaultForTesting,
} from '../../../src/worker/lipSyncWorkerClient.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { playing, startMicAsync } from '../support/recordLipSync.ts';
import { waitFor } from '../support/waitFor.ts';

describe('PerceptualLipSyncBehavior worker crash', () => {
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
});
