// A worker or worklet script that is not where the library looks (a bundler moved the library away from
// dist/worker.js, a missing copy step) is reported with what the server answered, not "script error".
import { expect } from '@esm-bundle/chai';
import { AudioSourceError, WorkerCrashError } from '../../../src/errors.ts';
import { MIC_SPEECH_WAV as SPEECH } from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { createTestRig } from './testRig.ts';

describe('PerceptualLipSyncBehavior asset load failures', () => {
  const t = useLipSyncTestScene();

  const startError = async (options: Parameters<typeof t.make>[0]): Promise<Error> => {
    const head = createTestRig(t.scene);
    const lipSync = t.make(options);
    head.addBehavior(lipSync);
    const err = await lipSync.startAsync({ kind: 'url', url: SPEECH }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err, 'startAsync rejects').to.not.equal(null);
    expect(lipSync.state).to.equal('error');
    return err!;
  };

  it('a worker script answering 404 names the status, the URL and the assets step', async () => {
    const err = await startError({ workerUrl: '/no/such/dir/worker.js' });
    expect(err).to.be.instanceOf(WorkerCrashError);
    expect(err.message).to.match(/could not be loaded: HTTP 404\b.*\/no\/such\/dir\/worker\.js/);
    expect(err.message).to.include('perceptual-lipsync assets');
  });

  it('a capture worklet answering 404 names the status and the URL', async () => {
    const err = await startError({ captureProcessorUrl: '/no/such/dir/capture-processor.js' });
    expect(err).to.be.instanceOf(AudioSourceError);
    expect(err.message).to.match(/HTTP 404\b.*\/no\/such\/dir\/capture-processor\.js/);
  });
});
