// The CLI reads what studios deliver (issue #16): wav of every common encoding and rate, FLAC, Ogg Vorbis,
// Ogg Opus and MP3 (fixtures made by scripts/make-test-fixtures from the same speech), as a stream; and
// fails with typed, one-line errors on truncated, corrupt and unsupported files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudioFileError } from '../../../../src/cli/audioFile/audioFileError.ts';
import { readAudioChunks } from '../../../../src/cli/audioFile/readAudioChunks.ts';
import { main } from '../../../../src/cli/main.ts';
import { captureIo } from '../helpers.ts';

const F = 'test/fixtures/generated/formats';
const SECONDS = 330880 / 44100; // mic-speech.wav, the source of every fixture

async function readAll(path: string): Promise<{ rate: number; samples: Float32Array; chunks: number }> {
  const parts: Float32Array[] = [];
  let rate = 0;
  for await (const c of readAudioChunks(path)) {
    rate = c.sampleRateHz;
    parts.push(c.samples.slice());
  }
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) samples.set(p, (at += p.length) - p.length);
  return { rate, samples, chunks: parts.length };
}

const rms = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('readAudioChunks', () => {
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'audio-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [file, rate, slack] of [
    ['pcm8-8k.wav', 8000, 0],
    ['pcm16-16k.wav', 16000, 0],
    ['pcm24-48k.wav', 48000, 0], // WAVE_FORMAT_EXTENSIBLE
    ['pcm32-44k-stereo.wav', 44100, 0], // WAVE_FORMAT_EXTENSIBLE, two channels
    ['float32-22k.wav', 22050, 0],
    ['float64-96k.wav', 96000, 0],
    ['speech.flac', 44100, 0],
    ['speech.ogg', 44100, 0],
    ['speech.opus', 48000, 0.01],
    ['speech.mp3', 44100, 0.06], // the MP3 encoder's delay and padding
  ] as const) {
    test(`${file}: ${rate} Hz, the clip's duration and level`, async () => {
      const { rate: got, samples } = await readAll(`${F}/${file}`);
      assert.equal(got, rate);
      const seconds = samples.length / rate;
      assert.ok(Math.abs(seconds - SECONDS) <= slack + 1 / rate, `${seconds.toFixed(4)} s`);
      const level = rms(samples);
      assert.ok(level > 0.02 && level < 0.5, `rms ${level}`);
    });
  }

  test('a long wav arrives in several bounded chunks', async () => {
    const { chunks } = await readAll(`${F}/float64-96k.wav`); // 5.8 MB
    assert.ok(chunks >= 20, `${chunks} chunks of at most 256 KiB`);
  });

  const expectError = async (bytes: Uint8Array, pattern: RegExp, name = 'bad.bin'): Promise<void> => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    await assert.rejects(
      readAll(path),
      (e: unknown) => e instanceof AudioFileError && pattern.test(e.message),
    );
  };

  test('a truncated wav says so (not "Offset is outside the bounds of the DataView")', async () => {
    const wav = readFileSync(`${F}/pcm24-48k.wav`);
    await expectError(
      wav.subarray(0, 5000),
      /truncated: the data chunk announces \d+ bytes but the file holds/,
      'cut.wav',
    );
    await expectError(wav.subarray(0, 30), /truncated/, 'head.wav');
  });

  test('truncated or corrupt compressed files fail as AudioFileError', async () => {
    const flac = readFileSync(`${F}/speech.flac`);
    await expectError(
      flac.subarray(0, flac.length >> 1),
      /truncated or corrupt: decoded \d+ of the 330880 samples/,
      'cut.flac',
    );
    const garbage = Uint8Array.from(flac);
    for (let i = 8192; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
    await expectError(garbage, /truncated or corrupt/, 'garbage.flac');
    for (const f of ['speech.ogg', 'speech.opus']) {
      const ogg = readFileSync(`${F}/${f}`);
      await expectError(
        ogg.subarray(0, ogg.length - 3000),
        /truncated: the file does not end with a complete end-of-stream Ogg page/,
        `cut-${f}`,
      );
    }
    await expectError(
      readFileSync(`${F}/speech.mp3`).subarray(0, 200),
      /no audio could be decoded/,
      'cut.mp3',
    );
  });

  test('unsupported encodings and rates, and other files, are named with what to do', async () => {
    const alaw = Uint8Array.from(readFileSync(`${F}/pcm16-16k.wav`));
    new DataView(alaw.buffer).setUint16(20, 6, true); // format tag: A-law
    await expectError(alaw, /got A-law .*Convert with sox or ffmpeg/, 'alaw.wav');
    const slow = Uint8Array.from(readFileSync(`${F}/pcm16-16k.wav`));
    new DataView(slow.buffer).setUint32(24, 4000, true);
    new DataView(slow.buffer).setUint32(28, 8000, true);
    await expectError(slow, /sample rate 4000 Hz is outside 8000-96000 Hz/, 'slow.wav');
    await expectError(
      new TextEncoder().encode('%PDF-1.7 not audio at all, clearly'),
      /not a format the CLI reads/,
    );
  });

  test('bake prints a bad file as one line and exits with 2', async () => {
    const path = join(dir, 'cut2.wav');
    writeFileSync(path, readFileSync(`${F}/pcm16-16k.wav`).subarray(0, 2000));
    const io = captureIo();
    const code = await main(
      [
        'bake',
        '--audio',
        path,
        '--out',
        join(dir, 't.json'),
        '--models',
        'test/fixtures/generated/tiny-generator/manifest.json',
      ],
      io,
    );
    assert.equal(code, 2);
    assert.equal(io.err.length, 1);
    assert.match(io.err[0], /^perceptual-lipsync bake: .*truncated/);
  });
});
