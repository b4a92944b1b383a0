import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { FEATURES_V1 } from '../../../src/features/featureSpec.ts';
import { logMelSpectrogram } from '../../../src/features/logMelSpectrogram.ts';
import { StreamingLogMel } from '../../../src/features/streamingLogMel.ts';

interface Golden {
  name: string;
  pcm16: number[];
  frames: number;
  mels: number;
  logMel: number[];
  rms: number[];
}

const dir = new URL('../../fixtures/features/', import.meta.url);
const goldens: Golden[] = readdirSync(dir)
  .filter((f) => f.startsWith('logmel_') && f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Golden);

function samplesOf(g: Golden): Float32Array {
  return Float32Array.from(g.pcm16, (v) => v / 32768);
}

test('there are log-mel goldens to check against', () => {
  assert.ok(goldens.length >= 3, 'run /usr/bin/python3 -m training.reference.make_feature_goldens');
});

for (const g of goldens) {
  test(`log-mel matches training/features.py on "${g.name}" to 1e-4`, () => {
    const out = logMelSpectrogram(samplesOf(g));
    assert.equal(out.frames, g.frames);
    assert.equal(out.mels, g.mels);
    let maxErr = 0;
    for (let i = 0; i < g.logMel.length; i++) maxErr = Math.max(maxErr, Math.abs(out.data[i] - g.logMel[i]));
    assert.ok(maxErr <= 1e-4, `max abs error ${maxErr}`);
  });
}

test('streaming log-mel equals the offline result for any chunking, with frame indices and times', () => {
  const x = samplesOf(goldens[0]);
  const offline = logMelSpectrogram(x);
  for (const chunk of [1, 7, 128, 160, 399, 1000, x.length]) {
    const s = new StreamingLogMel();
    const got = new Float32Array(offline.data.length);
    let next = 0;
    for (let i = 0; i < x.length; i += chunk) {
      const block = s.push(x.subarray(i, i + chunk));
      if (!block) continue;
      assert.equal(block.firstFrame, next);
      assert.equal(block.startTimeSec, (next * FEATURES_V1.hopLengthSamples) / FEATURES_V1.sampleRateHz);
      got.set(block.data, next * block.mels);
      next += block.frames;
    }
    assert.equal(next, offline.frames, `chunk ${chunk}`);
    assert.deepEqual(got, offline.data, `chunk ${chunk}`);
  }
});

test('streaming log-mel returns null until a frame completes, and reset restarts numbering', () => {
  const s = new StreamingLogMel();
  assert.equal(s.push(new Float32Array(399)), null);
  const block = s.push(new Float32Array(1));
  assert.equal(block?.frames, 1);
  assert.equal(block?.firstFrame, 0);
  s.reset();
  assert.equal(s.push(new Float32Array(100)), null);
  assert.equal(s.push(new Float32Array(300))?.firstFrame, 0);
});

test('silence hits the log floor and a short input has no frames', () => {
  const out = logMelSpectrogram(new Float32Array(800));
  assert.equal(out.frames, 3);
  assert.ok(out.data.every((v) => Math.abs(v - Math.log(FEATURES_V1.logFloor)) < 1e-4));
  assert.equal(logMelSpectrogram(new Float32Array(399)).frames, 0);
});

test('non-finite samples are rejected with a message naming the index', () => {
  const x = new Float32Array(500);
  x[123] = NaN;
  assert.throws(() => logMelSpectrogram(x), /index 123/);
  assert.throws(() => new StreamingLogMel().push(x), RangeError);
});
