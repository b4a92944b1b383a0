import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBakeMode } from '../../../src/cli/commands/bake.ts';
import { main } from '../../../src/cli/main.ts';

const MANIFEST = 'test/fixtures/generated/tiny-generator/manifest.json';
const WAV = 'test/fixtures/generated/mic-speech.wav';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

test('bake writes a lips-v1 track with one frame per 20 ms of audio, frame 0 at time 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bake-'));
  const outPath = join(dir, 'track.json');
  const { io, err } = capture();
  const code = await main(['bake', '--audio', WAV, '--out', outPath, '--models', MANIFEST], io);
  assert.equal(code, 0, err.join('\n'));
  const track = JSON.parse(readFileSync(outPath, 'utf8'));
  assert.equal(track.layout, 'lips-v1');
  assert.equal(track.fps, 50);
  // mic-speech.wav: 330880 samples at 44.1 kHz = 7.503 s → 376 frames
  assert.equal(track.frames.length, Math.ceil((330880 / 44100) * 50));
  for (const frame of track.frames) {
    assert.equal(frame.length, 21);
    for (const p of frame) assert.ok(p.length === 3 && p.every(Number.isFinite));
  }
  // The model's output moves the lips (the tiny model is random but not constant).
  const y = track.frames.map((f: number[][]) => f[15][1] - f[19][1]);
  assert.ok(Math.max(...y) - Math.min(...y) > 1e-4);
});

test('bake reports a missing audio file on one line with exit code 2', async () => {
  const { io, err } = capture();
  const code = await main(
    ['bake', '--audio', '/no/such.wav', '--out', '/tmp/x.json', '--models', MANIFEST],
    io,
  );
  assert.equal(code, 2);
  assert.equal(err.length, 1);
  assert.match(err[0], /cannot read \/no\/such\.wav/);
});

test('bake rejects a manifest for another layout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bake-'));
  const bad = join(dir, 'manifest.json');
  writeFileSync(bad, JSON.stringify({ layout: 'arkit-52', generator: {} }));
  const { io, err } = capture();
  const code = await main(['bake', '--audio', WAV, '--out', join(dir, 't.json'), '--models', bad], io);
  assert.notEqual(code, 0);
  assert.match(err.join('\n'), /layout "lips-v1"/);
});

test('bake --mode: playback by default, live|balanced|playback, anything else a usage error', async () => {
  assert.equal(parseBakeMode(undefined), 'playback');
  for (const head of ['live', 'balanced', 'playback'] as const) assert.equal(parseBakeMode(head), head);
  assert.throws(() => parseBakeMode('auto'), /--mode expects live, balanced or playback, got 'auto'/);
  // The tiny manifest has no latency heads: the default bakes with its generator and says so.
  const dir = mkdtempSync(join(tmpdir(), 'bake-'));
  const { io, out, err } = capture();
  const code = await main(['bake', '--audio', WAV, '--out', join(dir, 't.json'), '--models', MANIFEST], io);
  assert.equal(code, 0, err.join('\n'));
  assert.match(out.join('\n'), /\(balanced head\)/);
  const bad = capture();
  assert.equal(await main(['bake', '--audio', WAV, '--out', join(dir, 'u.json'), '--mode', 'x'], bad.io), 2);
  assert.match(bad.err.join('\n'), /--mode expects/);
});
