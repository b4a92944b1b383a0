// The worker's state object in Node (wasm, the tiny test models, no Worker, no comlink round trip): a push
// stream and an offline pass over the same speech give the same lips; scoring runs the metric encoders and
// reports counters; close and dispose release everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readWav } from '../../../src/cli/readWav.ts';
import { resampleTo16k } from '../../../src/features/resampleTo16k.ts';
import { LIPS_V1_VALUES } from '../../../src/metrics/lipsV1Layout.ts';
import type { ILipSyncModelFiles } from '../../../src/models/loadLipSyncModels.ts';
import { configureOnnxRuntime, pendingOnnxRuns } from '../../../src/models/onnxBackend.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';
import { ingest } from '../../../src/worker/lipsStream.ts';
import { LipSyncEngine } from '../../../src/worker/lipSyncEngine.ts';

const TINY = 'test/fixtures/generated/tiny-generator/manifest.json';
configureOnnxRuntime({ numThreads: 1 });

const files = (manifestPath: string): ILipSyncModelFiles => ({
  readManifestAsync: async () => JSON.parse(readFileSync(manifestPath, 'utf8')) as unknown,
  readFileAsync: async (file) => readFileSync(join(dirname(manifestPath), file)),
});
const speech = () => readWav(readFileSync('test/fixtures/generated/mic-speech.wav'), 'mic-speech.wav');

async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

test('a push stream gives the offline pass’s lips on the audio clock, and scoring encodes windows', async () => {
  const engine = new LipSyncEngine();
  assert.throws(() => engine.openStream(1, null, () => undefined), /not initialised/);
  const models = await engine.loadAsync(files(TINY), ['wasm']);
  try {
    assert.ok(models.encoders, 'the tiny manifest has metric encoders');
    assert.deepEqual(Object.keys(engine.backends()).sort(), ['generator', 'meshEncoder', 'speechEncoder']);
    const wav = speech();
    const audio = resampleTo16k(wav.samples, wav.sampleRateHz).slice(0, 32000);
    const offline = await engine.generateOfflineAsync(audio.slice());
    assert.equal(offline.frames, 100);

    const blocks: LipsFrameBlock[] = [];
    const stream = engine.openStream(3, null, (b) => blocks.push(b));
    for (let i = 0; i < audio.length; i += 160)
      ingest(stream, { samples: audio.slice(i, i + 160), firstSample: i, contextTimeSec: 2 + i / 16000 });
    await until(() => !stream.pumping && blocks.reduce((n, b) => n + b.frames, 0) >= 95);
    const frames = blocks.reduce((n, b) => n + b.frames, 0);
    assert.ok(frames >= 95 && frames <= 100, `${frames} streamed frames`);
    assert.equal(blocks[0].firstTimeSec, 2);
    let maxDiff = 0;
    let f = 0;
    for (const b of blocks)
      for (let j = 0; j < b.frames; j++, f++)
        for (let v = 0; v < LIPS_V1_VALUES; v++)
          maxDiff = Math.max(
            maxDiff,
            Math.abs(b.displacements[j * LIPS_V1_VALUES + v] - offline.displacements[f * LIPS_V1_VALUES + v]),
          );
    assert.ok(maxDiff < 1e-5, `max difference ${maxDiff} m`);

    const stats = engine.stats();
    assert.equal(stats.samplesReceived, audio.length);
    assert.ok(stats.generatorRuns > 0 && stats.generatorRunMs.length > 0);

    // Read-back lips = what was generated (as displacements), scored against the stream's speech.
    const lips = new Float32Array(frames * LIPS_V1_VALUES);
    const result = await engine.scoreAsync(3, 2, frames, lips);
    assert.equal(result.dropped, false);
    assert.ok(result.windows.length > 0, 'windows scored');
    assert.equal(result.windows[0].similarities.length, result.shiftsMs.length);
    assert.ok(result.runMs.speechEncoder.length > 0 && result.runMs.meshEncoder.length > 0);
    assert.equal(result.queueDepth, pendingOnnxRuns());
    assert.equal(result.backend, 'wasm');

    engine.closeStream(3);
    assert.equal(engine.streams.size, 0);
    const none = await engine.scoreAsync(3, 2, frames, lips);
    assert.deepEqual([none.windows.length, none.droppedChunks, none.shiftsMs.length], [0, 0, 0]);
  } finally {
    await engine.disposeAsync();
  }
  assert.equal(engine.models, null);
  assert.equal(engine.stats().backend, null);
});
