// Streaming (10 ms chunks through the worker) and offline generation (bake) must give the same lips:
// same features, same model; a fixed context window (tiny test model) or carried state (the shipped
// model) makes chunking invisible.
import { expect } from '@esm-bundle/chai';
import { proxy, releaseProxy, wrap } from 'comlink';
import { defaultWorkerUrl } from '../../../src/assetUrls.ts';
import type { LipSyncWorkerApi } from '../../../src/worker/lipSyncWorker.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';

const MANIFESTS = {
  'fixed-window tiny generator': new URL(
    '../../fixtures/generated/tiny-generator/manifest.json',
    import.meta.url,
  ).href,
  'stateful shipped generator': new URL('../../../models/manifest.json', import.meta.url).href,
  'FLAME-vertex generator (template fetched, reduced to lips-v1 in the worker)': new URL(
    '../../fixtures/generated/flame-vertex-generator/manifest.json',
    import.meta.url,
  ).href,
};
const WAV = new URL('../../fixtures/generated/mic-speech.wav', import.meta.url).href;

describe('worker: streaming vs offline', () => {
  for (const [name, MANIFEST] of Object.entries(MANIFESTS))
    it(`streams 10 ms chunks to the same frames as one offline pass (${name})`, async () => {
      const worker = new Worker(defaultWorkerUrl(), { type: 'module' });
      const api = wrap<LipSyncWorkerApi>(worker);
      try {
        await api.initAsync({ manifestUrl: MANIFEST, executionProviders: ['wasm'] });
        const ctx = new OfflineAudioContext(1, 16000, 16000);
        const audio = (await ctx.decodeAudioData(await (await fetch(WAV)).arrayBuffer()))
          .getChannelData(0)
          .slice(0, 48000);
        const offline = await api.generateOfflineAsync(audio.slice());
        expect(offline.frames).to.equal(150);

        const blocks: LipsFrameBlock[] = [];
        await api.openPushStream(
          7,
          proxy((b: LipsFrameBlock) => void blocks.push(b)),
        );
        for (let i = 0; i < audio.length; i += 160) {
          await api.pushAudio(7, {
            samples: audio.slice(i, i + 160),
            firstSample: i,
            contextTimeSec: 5 + i / 16000,
          });
        }
        await new Promise((r) => setTimeout(r, 500));
        await api.closeStream(7);
        const streamed = blocks.reduce((n, b) => n + b.frames, 0);
        expect(streamed, 'streamed frames (the last ones wait for look-ahead)').to.be.within(140, 150);
        expect(blocks[0].firstTimeSec).to.be.closeTo(5, 1e-9);
        let maxDiff = 0;
        let f = 0;
        for (const b of blocks) {
          for (let j = 0; j < b.frames; j++, f++) {
            for (let v = 0; v < 63; v++)
              maxDiff = Math.max(
                maxDiff,
                Math.abs(b.displacements[j * 63 + v] - offline.displacements[f * 63 + v]),
              );
          }
        }
        expect(maxDiff, 'max |streamed - offline| (m)').to.be.lessThan(1e-6);
        let motion = 0;
        for (let i = 0; i < f * 63; i++)
          motion = Math.max(motion, Math.abs(offline.displacements[i] - offline.displacements[i % 63]));
        expect(motion, 'the lips move (not a comparison of constants)').to.be.greaterThan(1e-4);
      } finally {
        api[releaseProxy]();
        worker.terminate();
      }
    });
});
