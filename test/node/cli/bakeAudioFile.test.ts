// The streaming bake (decode → resample → log-mel → generator → JSON, a step at a time) writes the track the
// whole-file path computes: same frame count, points within 1e-6 m, for a fixed-window and a stateful graph.
// Both apply the silence gate the browser bake applies (issue #17), so silent frames are the rest pose.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bakeAudioFileAsync } from '../../../src/cli/bakeAudioFile.ts';
import { loadBakeModelAsync } from '../../../src/cli/loadBakeModel.ts';
import { readWav } from '../../../src/cli/readWav.ts';
import { resampleTo16k } from '../../../src/features/resampleTo16k.ts';
import { generateLipsTrackAsync } from '../../../src/models/generateLipsTrack.ts';
import { createOfflineGeneratorRunner } from '../../../src/models/generatorRunners.ts';
import { lipsTrackToJson } from '../../../src/models/lipsTrackJson.ts';
import { gateSilentFrames } from '../../../src/playout/lipsPostProcess.ts';

const TINY = 'test/fixtures/generated/tiny-generator/manifest.json';
const SHIPPED = 'models/manifest.json';
const FORMATS = 'test/fixtures/generated/formats';

async function wholeFileTrack(wavPath: string, manifestPath: string) {
  const model = await loadBakeModelAsync(manifestPath);
  try {
    const wav = readWav(readFileSync(wavPath), wavPath);
    const x = wav.sampleRateHz === 16000 ? wav.samples : resampleTo16k(wav.samples, wav.sampleRateHz);
    const track = await generateLipsTrackAsync(
      x,
      model.generator,
      createOfflineGeneratorRunner(model.generator, model),
    );
    // What the browser bake does with the worker's whole-file track (bakeLipSync.ts).
    gateSilentFrames(track.displacements, track.speechRms, 63);
    return lipsTrackToJson(track);
  } finally {
    await model.session.releaseAsync();
  }
}

async function streamedTrack(audioPath: string, manifestPath: string) {
  const dir = mkdtempSync(join(tmpdir(), 'bake-stream-'));
  const model = await loadBakeModelAsync(manifestPath);
  try {
    const out = join(dir, 'track.json');
    const result = await bakeAudioFileAsync(audioPath, out, model);
    assert.equal(existsSync(`${out}.partial`), false, 'the partial file is renamed');
    const json = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(json.frames.length, result.frames);
    return json as ReturnType<typeof lipsTrackToJson>;
  } finally {
    await model.session.releaseAsync();
    rmSync(dir, { recursive: true, force: true });
  }
}

function maxDiff(a: number[][][], b: number[][][]): number {
  let m = 0;
  a.forEach((f, i) => f.forEach((p, j) => p.forEach((v, k) => (m = Math.max(m, Math.abs(v - b[i][j][k]))))));
  return m;
}

describe('bakeAudioFileAsync', () => {
  for (const [label, manifest] of [
    ['fixed-window tiny generator', TINY],
    ['shipped stateful generator', SHIPPED],
  ] as const) {
    for (const wav of [`${FORMATS}/pcm24-48k.wav`, `${FORMATS}/pcm16-16k.wav`]) {
      test(`${label}, ${wav.split('/').pop()}: streamed = whole file`, async () => {
        const whole = await wholeFileTrack(wav, manifest);
        const streamed = await streamedTrack(wav, manifest);
        assert.equal(streamed.layout, 'lips-v1');
        assert.equal(streamed.fps, whole.fps);
        assert.equal(streamed.frames.length, whole.frames.length);
        const d = maxDiff(streamed.frames, whole.frames);
        assert.ok(d <= 1e-6, `max difference ${d} m`);
      });
    }
  }
});
