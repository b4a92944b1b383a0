import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputsPerRunFor, StreamingGenerator } from '../../../src/models/streamingGenerator.ts';
import { generatorManifest } from './generatorManifest.ts';

const manifest = (contextFrames: number, lookaheadFrames: number) => generatorManifest({ contextFrames, lookaheadFrames });

/** A causal "model": output j = sum of mel[0] over input frames [2j - C, 2j + L] of the window. */
function fakeRunner(C: number, L: number, runs: { frames: number }[]) {
  return async (mel: Float32Array, frames: number) => {
    runs.push({ frames });
    const out = new Float32Array(Math.ceil(frames / 2) * 63);
    for (let j = 0; j < Math.ceil(frames / 2); j++) {
      let s = 0;
      for (let i = Math.max(0, 2 * j - C); i <= Math.min(frames - 1, 2 * j + L); i++) s += mel[i * 2];
      out.fill(s, j * 63, j * 63 + 63);
    }
    return out;
  };
}

test('a long-context generator is streamed in batches and equals one offline pass', async () => {
  const C = 118;
  const L = 4;
  const total = 400;
  const mel = Float32Array.from({ length: total * 2 }, (_, i) => Math.sin(i * 0.37));
  const offlineRuns: { frames: number }[] = [];
  const offline = await fakeRunner(C, L, offlineRuns)(mel, total);

  const gen = new StreamingGenerator(manifest(C, L), 2);
  assert.equal(gen.outputsPerRun, 3);
  const runs: { frames: number }[] = [];
  const streamed: number[] = [];
  for (let f = 0; f < total; f++) {
    gen.appendMel(mel.subarray(f * 2, f * 2 + 2), 1);
    const block = await gen.pumpAsync(fakeRunner(C, L, runs));
    if (block) for (let j = 0; j < block.outputs; j++) streamed.push(block.displacements[j * 63]);
  }
  // Every run but the first waits for 3 outputs: ~3x fewer context recomputations than one per output.
  assert.ok(runs.length <= Math.ceil(streamed.length / 3) + 1, `${runs.length} runs for ${streamed.length} outputs`);
  assert.ok(streamed.length >= Math.floor((total - 1 - L) / 2) - 2);
  for (let j = 0; j < streamed.length; j++) assert.ok(Math.abs(streamed[j] - offline[j * 63]) < 1e-4, `output ${j}`);
});

test('a short-context generator runs on every output (no added latency)', () => {
  assert.equal(new StreamingGenerator(manifest(3, 0), 80).outputsPerRun, 1);
});

test('a live stream runs each output as soon as its look-ahead is there, and still equals the offline pass', async () => {
  const C = 118;
  const L = 4;
  const total = 120;
  const mel = Float32Array.from({ length: total * 2 }, (_, i) => Math.cos(i * 0.21));
  const offline = await fakeRunner(C, L, [])(mel, total);
  const gen = new StreamingGenerator(manifest(C, L), 2, 200, true);
  assert.equal(gen.outputsPerRun, 1, 'no batching on the live path');
  assert.equal(outputsPerRunFor(manifest(C, L), true), 1);
  assert.equal(outputsPerRunFor(manifest(C, L)), 3, 'played sources keep their batches');
  const streamed: number[] = [];
  for (let f = 0; f < total; f++) {
    gen.appendMel(mel.subarray(f * 2, f * 2 + 2), 1);
    const block = await gen.pumpAsync(fakeRunner(C, L, []));
    // Output j is final once mel frame 2j + 1 + L has arrived: it comes out with that very frame.
    const lastReady = Math.floor((f - L) / 2);
    assert.equal(gen.nextOutput, Math.max(0, lastReady + 1), `after mel frame ${f}`);
    if (block) for (let j = 0; j < block.outputs; j++) streamed.push(block.displacements[j * 63]);
  }
  for (let j = 0; j < streamed.length; j++) assert.ok(Math.abs(streamed[j] - offline[j * 63]) < 1e-4, `output ${j}`);
});
