// Issue #6 (bad input): an hour of digital silence must not grow memory, emit telemetry or produce
// NaN. CI cannot wait an hour, so the hour is simulated faster than real time: 3,600 zero chunks of
// one second are pushed straight into a real worker (push stream), and its frames go through the stages
// the behavior runs per frame on the main thread (silence gate, playout, telemetry aggregator). (The
// worklet posts 10 ms chunks; 360,000 such calls took 122 s on a quiet machine and overran WTR's
// 600 s per-file limit on a busy one: the messaging, not the worker's processing, was the cost.)
import { expect } from '@esm-bundle/chai';
import { proxy, transfer } from 'comlink';
import { defaultWorkerUrl } from '../../../src/assetUrls.ts';
import { LipsPlayout } from '../../../src/playout/lipsPlayout.ts';
import { isDigitalSilence } from '../../../src/playout/silenceGate.ts';
import { TelemetryAggregator } from '../../../src/telemetry/telemetryAggregator.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';
import {
  acquireLipSyncWorkerAsync,
  liveLipSyncWorkerCount,
} from '../../../src/worker/lipSyncWorkerClient.ts';
import { TINY_MANIFEST } from '../support/fixtures.ts';
import { waitFor } from '../support/waitFor.ts';
describe('An hour of digital silence (simulated faster than real time)', () => {
  // SKIPPED (known failure): passed in 122 s in one fresh-clone CI run, overran WTR's 600 s per-file limit in the next.
  it('3,600 zero chunks of 1 s pushed straight into the worker, frames through the playout gate and telemetry: lips at rest, no telemetry, bounded memory, no NaN', async function () {
    this.timeout(600000);
    const worker = await acquireLipSyncWorkerAsync(defaultWorkerUrl(), {
      manifestUrl: TINY_MANIFEST,
      executionProviders: ['wasm'],
      numThreads: 1,
    });
    try {
      // The main-thread stages the behavior runs per frame (pure): silence gate, playout, telemetry.
      const playout = new LipsPlayout(63);
      const rest = new Float32Array(63);
      const telemetry = new TelemetryAggregator({ meshWindowFrames: 10 });
      const samples: ITelemetrySample[] = [];
      const shown = new Float32Array(63);
      const restLips = new Float32Array(63); // read back from an avatar at rest: zero displacement
      let frames = 0;
      let nonFinite = 0;
      let notAtRest = 0;
      let newestSec = 0;
      const sink = (block: LipsFrameBlock) => {
        frames += block.frames;
        telemetry.onFrames(block.firstTimeSec, block.frameDurationSec, block.speechRms);
        for (let f = 0; f < block.frames; f++) {
          const timeSec = block.firstTimeSec + f * block.frameDurationSec;
          const d = block.displacements.subarray(f * 63, f * 63 + 63);
          if (!Number.isFinite(block.speechRms[f]) || !d.every(Number.isFinite)) nonFinite++;
          playout.push({ timeSec, displacements: isDigitalSilence(block.speechRms[f]) ? rest : d });
          playout.sample(timeSec, shown);
          if (shown.some((v) => Math.abs(v) > 1e-6)) notAtRest++;
          telemetry.recordFrame(timeSec, restLips, 0.1);
          newestSec = timeSec;
        }
        samples.push(...telemetry.takeSamples());
      };
      const id = 1;
      await worker.api.openPushStream(id, proxy(sink));
      const CHUNK = 16000; // one second
      const CHUNKS = 3600; // one hour
      const BATCH = 20;
      let footprintAfterAMinute = 0;
      const t0 = performance.now();
      for (let n = 0; n < CHUNKS; n += BATCH) {
        const calls: Promise<void>[] = [];
        for (let c = n; c < n + BATCH; c++) {
          const samples16k = new Float32Array(CHUNK);
          calls.push(
            worker.api.pushAudio(
              id,
              transfer({ samples: samples16k, firstSample: c * CHUNK, contextTimeSec: c }, [
                samples16k.buffer,
              ]),
            ),
          );
        }
        await Promise.all(calls); // backpressure: the worker has taken this batch in
        if (n + BATCH === 60) footprintAfterAMinute = (await worker.api.streamFootprint(id))!;
      }
      const stats = await worker.api.getStats();
      await waitFor(() => newestSec > 3599, 60000, 'the last frames');
      const footprintAfterAnHour = (await worker.api.streamFootprint(id))!;
      console.log(
        `an hour of silence in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${frames} frames, ` +
          `${stats.droppedChunks} outputs dropped by backlog, worker buffers ${footprintAfterAMinute} → ${footprintAfterAnHour} floats`,
      );
      expect(stats.samplesReceived, 'samples received').to.equal(CHUNKS * CHUNK);
      expect(frames + stats.droppedChunks, 'every output frame made or dropped').to.be.within(
        179_990,
        180_000,
      );
      expect(nonFinite, 'frames with NaN or Infinity').to.equal(0);
      expect(notAtRest, 'frames not at rest').to.equal(0);
      expect(samples, 'telemetry samples from silence').to.have.length(0);
      expect(footprintAfterAnHour, 'worker buffers bounded').to.be.at.most(footprintAfterAMinute);
      expect(playout.buffer.size, 'playout buffer bounded').to.be.at.most(64);
      expect((await worker.api.getStats()).queueDepth, 'no queue left').to.equal(0);
    } finally {
      await worker.releaseAsync();
    }
    expect(liveLipSyncWorkerCount(), 'worker released').to.equal(0);
  });
});
