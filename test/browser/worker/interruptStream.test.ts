// The worker's interruptStream(): no frame of speech before the cut is delivered once the call has
// returned (a run in flight emits nothing, audio from before the cut that arrives later is ignored), and the
// stream goes on as a new utterance on the same 20 ms grid. (That the queued backlog is dropped rather than
// worked through is not measurable here: the tiny generator catches up within a few coalesced runs.)
import { expect } from '@esm-bundle/chai';
import { proxy, releaseProxy, transfer, wrap } from 'comlink';
import { defaultWorkerUrl } from '../../../src/assetUrls.ts';
import type { LipSyncWorkerApi } from '../../../src/worker/lipSyncWorker.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';
import { TINY_MANIFEST } from '../support/fixtures.ts';
import { sleep } from '../support/waitFor.ts';

describe('Worker interruptStream', function () {
  this.timeout(60000);

  it('delivers no frame of speech from before the cut once it returns; the stream goes on after it', async () => {
    const worker = new Worker(defaultWorkerUrl(), { type: 'module' });
    const api = wrap<LipSyncWorkerApi>(worker);
    try {
      await api.initAsync({ manifestUrl: TINY_MANIFEST, executionProviders: ['wasm'] });
      const blocks: { at: 'before' | 'after'; first: number; frames: number; dt: number }[] = [];
      let phase: 'before' | 'after' = 'before';
      await api.openPushStream(
        1,
        proxy((b: LipsFrameBlock) =>
          blocks.push({ at: phase, first: b.firstTimeSec, frames: b.frames, dt: b.frameDurationSec }),
        ),
      );
      // 6 s of a speech-like signal pushed at once.
      const sr = 16000;
      // Not awaited one by one: every chunk is queued in the worker before it runs the generator much.
      const push = async (fromSec: number, seconds: number) => {
        const sent: Promise<void>[] = [];
        for (let s = 0; s < seconds * sr; s += 1600) {
          const x = new Float32Array(1600);
          for (let i = 0; i < x.length; i++)
            x[i] = 0.3 * Math.sin((s + i) * 0.07) * Math.sin((s + i) * 0.0011);
          const first = Math.round(fromSec * sr) + s;
          sent.push(
            api.pushAudio(
              1,
              transfer({ samples: x, firstSample: first, contextTimeSec: first / sr }, [x.buffer]),
            ),
          );
        }
        await Promise.all(sent);
      };
      await push(0, 6);
      const cutSec = 6;
      await api.interruptStream(1, cutSec);
      phase = 'after';
      await push(5.5, 1.5); // audio from before the cut (captured late) and after it
      await sleep(2000);
      const before = blocks.filter((b) => b.at === 'before').reduce((n, b) => n + b.frames, 0);
      const stale = blocks.filter((b) => b.at === 'after' && b.first < cutSec - 1e-9);
      const after = blocks.filter((b) => b.at === 'after');
      const afterFrames = after.reduce((n, b) => n + b.frames, 0);
      console.log(
        `frames before the cut ${before} of 300 pushed, after it ${afterFrames} ` +
          `(first at ${after[0]?.first.toFixed(3)} s), stale blocks ${stale.length}`,
      );
      expect(stale.length, 'blocks of speech before the cut after interruptStream returned').to.equal(0);
      expect(afterFrames, 'the stream goes on after the cut').to.be.at.least(40);
      expect(after[0].first).to.be.at.least(cutSec);
      // Same 20 ms grid as before the cut.
      const grid = (after[0].first / after[0].dt) % 1;
      expect(Math.min(grid, 1 - grid)).to.be.below(1e-6);
    } finally {
      api[releaseProxy]();
      worker.terminate();
    }
  });
});
