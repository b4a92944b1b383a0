import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePcmChunk } from '../../../src/audio/decodePcmChunk.ts';
import { AudioChunkError } from '../../../src/errors.ts';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPcm16(n: number, seed: number): Int16Array {
  const r = rng(seed);
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.floor(r() * 65536) - 32768;
  x[0] = -32768;
  x[1] = 32767;
  return x;
}

/** Little-endian bytes of PCM16 samples, written byte by byte (independent of the host's endianness). */
function leBytes(x: Int16Array): Uint8Array {
  const b = new Uint8Array(x.length * 2);
  for (let i = 0; i < x.length; i++) {
    b[2 * i] = x[i] & 0xff;
    b[2 * i + 1] = (x[i] >> 8) & 0xff;
  }
  return b;
}

test('PCM16 samples scale by 1/32768: full scale is -1 and just under +1', () => {
  const y = decodePcmChunk(new Int16Array([-32768, -16384, 0, 16384, 32767]));
  assert.deepEqual(Array.from(y), [-1, -0.5, 0, 0.5, 32767 / 32768]);
});

test('PCM16 bytes (ArrayBuffer, Uint8Array at any offset) decode as little-endian, like the Int16Array', () => {
  const x = randomPcm16(1001, 7);
  const expected = decodePcmChunk(x);
  const bytes = leBytes(x);
  assert.deepEqual(decodePcmChunk(bytes.buffer.slice(0) as ArrayBuffer), expected);
  assert.deepEqual(decodePcmChunk(bytes), expected);
  // An odd byteOffset cannot be viewed as an Int16Array: a WebSocket frame sliced after a 1-byte header.
  const framed = new Uint8Array(bytes.length + 1);
  framed.set(bytes, 1);
  assert.deepEqual(decodePcmChunk(framed.subarray(1)), expected);
  // 0x0180 little-endian is bytes [0x80, 0x01] = 384; big-endian reading would give -32767.
  assert.equal(decodePcmChunk(new Uint8Array([0x80, 0x01]))[0], 384 / 32768);
});

test('float chunks are copied (the caller may reuse its buffer) and empty chunks are fine', () => {
  const x = new Float32Array([0.25, -0.5, 1.5]);
  const y = decodePcmChunk(x);
  assert.deepEqual(Array.from(y), [0.25, -0.5, 1.5]);
  x[0] = 0;
  assert.equal(y[0], 0.25);
  assert.equal(decodePcmChunk(new Float32Array(0)).length, 0);
  assert.equal(decodePcmChunk(new ArrayBuffer(0)).length, 0);
});

test('odd PCM16 byte lengths, non-finite samples and other types are AudioChunkErrors that say what to do', () => {
  assert.throws(
    () => decodePcmChunk(new Uint8Array(961)),
    (e: unknown) => e instanceof AudioChunkError && /961 bytes.*even byte count/.test(e.message),
  );
  assert.throws(() => decodePcmChunk(new ArrayBuffer(3)), AudioChunkError);
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(
      () => decodePcmChunk(new Float32Array([0, 0.1, bad])),
      (e: unknown) => e instanceof AudioChunkError && /sample 2 of 3/.test(e.message),
    );
  }
  assert.throws(
    () => decodePcmChunk(new Int32Array(4) as unknown as Int16Array),
    (e: unknown) => e instanceof AudioChunkError && /Int32Array.*expected an Int16Array/.test(e.message),
  );
});
