import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingResampler, resampleTo16k } from '../../../src/features/resampleTo16k.ts';

function sine(rate: number, hz: number, seconds: number, amplitude: number): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

/** Amplitude of the `hz` component by projection on sin/cos (an exact DFT bin over whole periods). */
function amplitudeAt(y: Float32Array, rate: number, hz: number, from: number, to: number): number {
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    s += y[i] * Math.sin((2 * Math.PI * hz * i) / rate);
    c += y[i] * Math.cos((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(s, c)) / (to - from);
}

function streamAll(rate: number, x: Float32Array, chunk: number): Float32Array {
  const r = new StreamingResampler(rate);
  const out: number[] = [];
  const buf = new Float32Array(r.maxOutputLength(chunk));
  for (let i = 0; i < x.length; i += chunk) {
    const n = r.push(x.subarray(i, i + chunk), buf);
    for (let k = 0; k < n; k++) out.push(buf[k]);
  }
  assert.equal(r.droppedSamples, 0);
  return Float32Array.from(out);
}

test('streaming output is identical whether fed in 128-sample or 1-second chunks', () => {
  for (const rate of [44100, 48000, 22050, 8000, 96000]) {
    const x = new Float32Array(rate * 1.5);
    let seed = 12345;
    for (let i = 0; i < x.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      x[i] = seed / 2 ** 32 - 0.5;
    }
    const small = streamAll(rate, x, 128);
    const large = streamAll(rate, x, rate);
    const odd = streamAll(rate, x, 77);
    assert.equal(small.length, large.length);
    assert.deepEqual(small, large, `rate ${rate}`);
    assert.deepEqual(odd, large, `rate ${rate}`);
  }
});

test('a 1 kHz sine at 44.1/48/22.05/8/96 kHz comes out at 1 kHz, amplitude within 0.1 %, in phase', () => {
  for (const rate of [44100, 48000, 22050, 8000, 96000]) {
    const y = resampleTo16k(sine(rate, 1000, 1, 0.5), rate);
    assert.equal(y.length, 16000);
    const a = amplitudeAt(y, 16000, 1000, 1600, 14400);
    assert.ok(Math.abs(a - 0.5) < 5e-4, `rate ${rate}: amplitude ${a}`);
    // Latency is compensated: sample i is the input at time i/16000 s.
    let maxErr = 0;
    for (let i = 1600; i < 14400; i++)
      maxErr = Math.max(maxErr, Math.abs(y[i] - 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
    assert.ok(maxErr < 1e-3, `rate ${rate}: max deviation ${maxErr}`);
    // Nothing leaks to other frequencies.
    assert.ok(amplitudeAt(y, 16000, 3000, 1600, 14400) < 1e-4);
  }
});

test('a 12 kHz tone at 48 kHz is attenuated by at least 40 dB (no alias at 4 kHz)', () => {
  const y = resampleTo16k(sine(48000, 12000, 1, 0.5), 48000);
  let energy = 0;
  for (let i = 1600; i < 14400; i++) energy += y[i] * y[i];
  const rmsOut = Math.sqrt(energy / 12800);
  const attenuationDb = 20 * Math.log10(0.5 / Math.SQRT2 / rmsOut);
  assert.ok(attenuationDb >= 40, `attenuation ${attenuationDb.toFixed(1)} dB`);
  assert.ok(amplitudeAt(y, 16000, 4000, 1600, 14400) < 0.005);
});

test('16 kHz input passes through unchanged with zero latency', () => {
  const x = sine(16000, 440, 0.1, 0.3);
  assert.equal(new StreamingResampler(16000).latencySamples, 0);
  assert.deepEqual(resampleTo16k(x, 16000), x);
});

test('maxOutputLength bounds every push, and a short buffer drops instead of throwing', () => {
  const r = new StreamingResampler(8000);
  const out = new Float32Array(r.maxOutputLength(128));
  for (let i = 0; i < 50; i++) assert.ok(r.push(new Float32Array(128), out) <= out.length);
  assert.equal(r.droppedSamples, 0);
  const tiny = new Float32Array(3);
  assert.equal(r.push(new Float32Array(128), tiny), 3);
  assert.ok(r.droppedSamples > 0);
  r.reset();
  assert.equal(r.droppedSamples, 0);
});

test('reset makes the stream start over bit-identically', () => {
  const x = sine(44100, 700, 0.2, 0.4);
  const r = new StreamingResampler(44100);
  const a = new Float32Array(r.maxOutputLength(x.length));
  const b = new Float32Array(r.maxOutputLength(x.length));
  const na = r.push(x, a);
  r.reset();
  const nb = r.push(x, b);
  assert.equal(na, nb);
  assert.deepEqual(a, b);
});

test('rates outside 8–96 kHz or non-integers throw a RangeError that says what to pass', () => {
  assert.throws(() => new StreamingResampler(7999), /between 8000 and 96000 Hz, got 7999/);
  assert.throws(() => new StreamingResampler(96001), RangeError);
  assert.throws(() => new StreamingResampler(44100.5), RangeError);
  assert.throws(() => resampleTo16k(new Float32Array(4), 200000), RangeError);
});
