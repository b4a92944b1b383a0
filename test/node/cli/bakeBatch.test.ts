// `bake --in-dir`: a folder of clips in parallel on worker threads, resumable, with a failure summary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import { captureIo } from './helpers.ts';

const TINY = 'test/fixtures/generated/tiny-generator/manifest.json';
const F = 'test/fixtures/generated/formats';
let dir = '';
let inDir = '';
let outDir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'batch-'));
  inDir = join(dir, 'clips');
  outDir = join(dir, 'tracks');
  mkdirSync(join(inDir, 'scene2'), { recursive: true });
  copyFileSync(`${F}/pcm24-48k.wav`, join(inDir, 'line1.wav'));
  copyFileSync(`${F}/speech.flac`, join(inDir, 'line2.flac'));
  copyFileSync(`${F}/speech.mp3`, join(inDir, 'scene2', 'line3.mp3'));
  writeFileSync(join(inDir, 'scene2', 'broken.wav'), readFileSync(`${F}/pcm16-16k.wav`).subarray(0, 3000));
  writeFileSync(join(inDir, 'notes.txt'), 'not audio: not baked');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const bake = async (...extra: string[]) => {
  const io = captureIo();
  const code = await main(['bake', '--in-dir', inDir, '--out-dir', outDir, '--models', TINY, ...extra], io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n') };
};

test('bakes every clip on 2 threads, mirrors the tree, lists the failure with its typed error, exits 1', async () => {
  const r = await bake('--jobs', '2');
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /4 files to bake with 2 worker threads/);
  assert.match(r.out, /3 baked, 0 skipped, 1 failed/);
  assert.match(r.err, /scene2\/broken\.wav: AudioFileError: .*truncated/);
  for (const t of ['line1.json', 'line2.json', 'scene2/line3.json']) {
    const track = JSON.parse(readFileSync(join(outDir, t), 'utf8'));
    assert.equal(track.layout, 'lips-v1');
    assert.ok(track.frames.length >= 376, `${t}: ${track.frames.length} frames`);
  }
  assert.equal(existsSync(join(outDir, 'scene2', 'broken.json')), false, 'no track for the failed file');
  assert.equal(existsSync(join(outDir, 'scene2', 'broken.json.partial')), false, 'no partial file left');
  // The same track as a single bake.
  const io = captureIo();
  const single = join(dir, 'single.json');
  assert.equal(
    await main(['bake', '--audio', join(inDir, 'line1.wav'), '--out', single, '--models', TINY], io),
    0,
  );
  assert.equal(readFileSync(single, 'utf8'), readFileSync(join(outDir, 'line1.json'), 'utf8'));
});

test('resumes: existing tracks are skipped (untouched), --force bakes them again', async () => {
  const before = statSync(join(outDir, 'line1.json')).mtimeMs;
  const again = await bake();
  assert.match(again.out, /1 files to bake with 1 worker thread, 3 skipped/);
  assert.equal(statSync(join(outDir, 'line1.json')).mtimeMs, before);
  const forced = await bake('--force', '--jobs', '2');
  assert.match(forced.out, /4 files to bake/);
  assert.match(forced.out, /3 baked, 0 skipped, 1 failed/);
});

test('usage errors: a missing folder, clashing names, --jobs 0, --in-dir without --out-dir', async () => {
  const io = captureIo();
  assert.equal(await main(['bake', '--in-dir', join(dir, 'nope'), '--out-dir', outDir], io), 2);
  assert.match(io.err[0], /is not a folder/);
  const clash = join(dir, 'clash');
  mkdirSync(clash);
  copyFileSync(`${F}/speech.flac`, join(clash, 'a.flac'));
  copyFileSync(`${F}/speech.mp3`, join(clash, 'a.mp3'));
  const io2 = captureIo();
  assert.equal(await main(['bake', '--in-dir', clash, '--out-dir', outDir], io2), 2);
  assert.match(io2.err[0], /a\.flac and a\.mp3/);
  const io3 = captureIo();
  assert.equal(await main(['bake', '--in-dir', inDir, '--out-dir', outDir, '--jobs', '0'], io3), 2);
  const io4 = captureIo();
  assert.equal(await main(['bake', '--in-dir', inDir], io4), 2);
  assert.match(io4.err[0], /--in-dir and --out-dir go together/);
});
