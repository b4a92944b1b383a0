import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rms } from '../../../src/features/rms.ts';

test('frame RMS matches training/features.py frame_rms on the noise golden', () => {
  const g = JSON.parse(
    readFileSync(new URL('../../fixtures/features/logmel_noise.json', import.meta.url), 'utf8'),
  ) as { pcm16: number[]; rms: number[] };
  const got = rms(Float32Array.from(g.pcm16, (v) => v / 32768));
  assert.equal(got.length, g.rms.length);
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - g.rms[i]) < 1e-6, `frame ${i}`);
});

test('frame RMS of a constant is its magnitude, on the log-mel framing', () => {
  const out = rms(new Float32Array(800).fill(-0.25));
  assert.equal(out.length, 3); // (800 − 400)/160 + 1
  assert.ok(out.every((v) => Math.abs(v - 0.25) < 1e-7));
  assert.equal(rms(new Float32Array(10)).length, 0);
});
