import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FEATURES_V1 } from '../../../src/features/featureSpec.ts';
import { StreamingLogMel } from '../../../src/features/streamingLogMel.ts';
import { resampleTo16k } from '../../../src/features/resampleTo16k.ts';
import { readWav } from '../../../src/cli/readWav.ts';
import { generateLipsTrackAsync } from '../../../src/models/generateLipsTrack.ts';
import { createGeneratorStream, createOfflineGeneratorRunner } from '../../../src/models/generatorRunners.ts';
import { validateModelManifest } from '../../../src/models/modelManifest.ts';
import { configureOnnxRuntime, createModelSessionAsync } from '../../../src/models/onnxBackend.ts';
import {
  StatefulStreamingGenerator,
  statefulAsOfflineRunner,
  type StatefulGeneratorRunner,
} from '../../../src/models/statefulGenerator.ts';
import { generatorManifest } from './generatorManifest.ts';

const LAG = 2;
const manifest = generatorManifest({
  lookaheadFrames: 2 * LAG,
  state: { inputs: ['s'], outputs: ['next_s'], shapes: [[1, 1]], outputLagFrames: LAG },
});

/** A 1-band "model" with memory: output of step t = running sum of every mel value up to frame 2t+1. */
const runningSum: StatefulGeneratorRunner = async (mel, frames, state) => {
  let acc = state[0][0];
  const lips = new Float32Array((frames / 2) * 63);
  for (let t = 0; t < frames / 2; t++) {
    acc += mel[2 * t] + mel[2 * t + 1];
    lips.fill(acc, t * 63, t * 63 + 63);
  }
  return { lips, state: [Float32Array.of(acc)] };
};

test('stateful streaming in uneven chunks equals one offline run, frames numbered by the look-ahead lag', async () => {
  const total = 300;
  const mel = Float32Array.from({ length: total }, (_, i) => Math.sin(i * 0.37));
  const offline = await statefulAsOfflineRunner(manifest, runningSum)(mel, total);
  const gen = new StatefulStreamingGenerator(manifest, 1);
  assert.equal(gen.outputsPerRun, 1);
  const streamed: number[] = [];
  let f = 0;
  for (const n of [1, 1, 3, 7, 2, 40, 1, 1, 100, 144]) {
    gen.appendMel(mel.subarray(f, f + n), n);
    f += n;
    const block = await gen.pumpAsync(runningSum);
    if (!block) continue;
    assert.equal(block.firstOutput, streamed.length, 'blocks are contiguous');
    for (let j = 0; j < block.outputs; j++) streamed.push(block.displacements[j * 63]);
  }
  assert.equal(streamed.length, total / 2 - LAG, 'the last LAG frames wait for their look-ahead');
  for (let j = 0; j < streamed.length; j++) assert.ok(Math.abs(streamed[j] - offline[j * 63]) < 1e-5, `frame ${j}`); // state is float32
  // offline: frame j is the state after step j + LAG; the tail past the input is rest
  assert.ok(Math.abs(offline[0] - (mel[0] + mel[1] + mel[2] + mel[3] + mel[4] + mel[5])) < 1e-6);
  assert.equal(offline[(total / 2 - 1) * 63], 0);
});

test('a backlog beyond the bound is dropped, counted, and streaming goes on from a fresh state', async () => {
  const gen = new StatefulStreamingGenerator(manifest, 1, 20);
  gen.appendMel(new Float32Array(100).fill(1), 100);
  const block = await gen.pumpAsync(runningSum);
  assert.ok(block);
  assert.equal(block.droppedOutputs, 40, '80 frames over the bound = 40 steps never generated');
  assert.equal(block.firstOutput, 40);
  assert.equal(gen.nextOutput, 50 - LAG);
  gen.appendMel(new Float32Array(4).fill(1), 4);
  const next = await gen.pumpAsync(runningSum);
  assert.equal(next?.firstOutput, 50 - LAG);
  assert.equal(next?.droppedOutputs, 0);
  // the restarted state has summed only the 20 kept frames and the 4 new ones (not the dropped 80)
  assert.equal(next?.displacements[63], 24);
});

test('the shipped generator streams 10 ms chunks to the same lips as one offline bake (onnxruntime-web wasm)', async () => {
  const manifestPath = 'models/manifest.json';
  const m = validateModelManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
  assert.ok(m.generator.state, 'the shipped generator is stateful');
  configureOnnxRuntime({ numThreads: 1 });
  const session = await createModelSessionAsync(readFileSync(`models/${m.generator.file}`), ['wasm'], 'generator');
  try {
    const wav = readWav(readFileSync('test/fixtures/generated/mic-speech.wav'), 'mic-speech.wav');
    const audio = resampleTo16k(wav.samples, wav.sampleRateHz).subarray(0, 3 * 16000);
    const offline = await generateLipsTrackAsync(audio, m.generator, createOfflineGeneratorRunner(m.generator, { session }));
    const stream = createGeneratorStream(m.generator, { session });
    const logMel = new StreamingLogMel(FEATURES_V1);
    const streamed: Float32Array[] = [];
    for (let i = 0; i < audio.length; i += 160) {
      const block = logMel.push(audio.slice(i, i + 160));
      if (!block) continue;
      stream.appendMel(block.data, block.frames);
      const out = await stream.pumpAsync();
      if (out) streamed.push(out.displacements.subarray(0, out.outputs * 63));
    }
    const frames = streamed.reduce((n, b) => n + b.length / 63, 0);
    assert.ok(frames >= offline.frames - 4, `${frames} streamed of ${offline.frames}`);
    let maxDiff = 0;
    let spread = 0;
    let f = 0;
    for (const b of streamed) {
      for (let i = 0; i < b.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(b[i] - offline.displacements[f * 63 + i]));
        spread = Math.max(spread, Math.abs(b[i] - offline.displacements[i % 63]));
      }
      f += b.length / 63;
    }
    assert.ok(maxDiff < 1e-6, `max |streamed − offline| = ${maxDiff} m`);
    assert.ok(spread > 1e-3, 'the lips really move (the comparison is not between constants)');
  } finally {
    await session.releaseAsync();
  }
});
