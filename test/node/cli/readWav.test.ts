import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWav } from '../../../src/cli/readWav.ts';
import { wavBytes } from './helpers.ts';

test('PCM16 stereo is downmixed to mono and scaled by 1/32768', () => {
  const wav = readWav(
    wavBytes(
      [
        [0.5, -0.5, 0],
        [0.5, 0.5, 0],
      ],
      44100,
      'pcm16',
    ),
  );
  assert.equal(wav.sampleRateHz, 44100);
  assert.equal(wav.samples.length, 3);
  assert.ok(Math.abs(wav.samples[0] - 16384 / 32768) < 1e-4);
  assert.ok(Math.abs(wav.samples[1]) < 1e-4);
});

test('float32 mono is read as is', () => {
  const wav = readWav(wavBytes([[0.25, -0.75]], 16000, 'float32'));
  assert.deepEqual(Array.from(wav.samples), [0.25, -0.75]);
});

test('non-wav bytes are rejected with a fix in the message', () => {
  assert.throws(() => readWav(new TextEncoder().encode('not a wav file at all')), /not a RIFF\/WAVE/);
});
