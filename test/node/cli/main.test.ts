import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS, main } from '../../../src/cli/main.ts';
import { FLAME_MTM_LIP_PAIR } from '../../../src/metrics/flameRegions.ts';
import { meanTemporalMisalignment } from '../../../src/metrics/meanTemporalMisalignment.ts';
import { captureIo, npyBytes } from './helpers.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/metrics/', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const f = (name: string): string => join(fixtures, name);

test('the dispatcher registers mtm and evaluate and rejects unknown commands with exit 2', async () => {
  assert.deepEqual([...COMMANDS.keys()].sort(), ['assets', 'bake', 'evaluate', 'mtm']);
  const io = captureIo();
  assert.equal(await main(['nope'], io), 2);
  assert.match(io.err[0], /unknown command 'nope'/);
  const help = captureIo();
  assert.equal(await main(['mtm', '--help'], help), 0);
  assert.match(help.out[0], /--gt/);
});

test('mtm --json prints exactly the two required keys (plus mtm_ms with --fps)', async () => {
  const io = captureIo();
  const code = await main(
    ['mtm', '--gt', f('cli_gt_lip_distance.json'), '--pred', f('cli_pred_lip_distance.npy'), '--json'],
    io,
  );
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(io.out[0]), { mtm_frames: 2, matches: 9 });
  const withFps = captureIo();
  await main(
    ['mtm', '--gt', f('cli_gt_lips.json'), '--pred', f('cli_pred_lips.json'), '--fps', '25', '--json'],
    withFps,
  );
  assert.deepEqual(JSON.parse(withFps.out[0]), { mtm_frames: 2, matches: 9, mtm_ms: 80 });
});

test('mtm reports null when nothing matches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-mtm-'));
  writeFileSync(join(dir, 'flat.json'), JSON.stringify(new Array(30).fill(0.01)));
  const io = captureIo();
  assert.equal(
    await main(['mtm', '--gt', join(dir, 'flat.json'), '--pred', join(dir, 'flat.json'), '--json'], io),
    0,
  );
  assert.deepEqual(JSON.parse(io.out[0]), { mtm_frames: null, matches: 0 });
});

test('bad files and usage give one stderr line and exit code 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bad-'));
  writeFileSync(join(dir, 'nan.json'), '[0.1, "x", 0.2]');
  writeFileSync(join(dir, 'broken.json'), '[0.1, 0.2');
  writeFileSync(join(dir, 'data.txt'), '0.1 0.2');
  for (const args of [
    ['mtm', '--gt', join(dir, 'missing.json'), '--pred', f('cli_gt_lip_distance.json')],
    ['mtm', '--gt', join(dir, 'nan.json'), '--pred', f('cli_gt_lip_distance.json')],
    ['mtm', '--gt', join(dir, 'broken.json'), '--pred', f('cli_gt_lip_distance.json')],
    ['mtm', '--gt', join(dir, 'data.txt'), '--pred', f('cli_gt_lip_distance.json')],
    ['mtm', '--gt', f('cli_gt_lip_distance.json')],
    ['mtm', '--bogus'],
    [
      'evaluate',
      '--pred',
      f('cli_pred_lips.json'),
      '--gt',
      f('cli_gt_lips.json'),
      '--audio',
      join(dir, 'data.txt'),
    ],
  ]) {
    const io = captureIo();
    assert.equal(await main(args, io), 2, args.join(' '));
    assert.equal(io.err.length, 1, args.join(' '));
    assert.ok(!io.err[0].includes('\n'), io.err[0]);
  }
});

test('evaluate prints the table, writes metrics JSON and an SVG with matched extrema joined', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-eval-'));
  const io = captureIo();
  const code = await main(
    [
      'evaluate',
      '--pred',
      f('cli_pred_lips.json'),
      '--gt',
      f('cli_gt_lips.json'),
      '--audio',
      f('cli_speech.wav'),
      '--out',
      join(dir, 'metrics.json'),
      '--plot',
      join(dir, 'curves.svg'),
    ],
    io,
  );
  assert.equal(code, 0);
  assert.match(io.out.join('\n'), /MTM\s+2\s+frames/);
  const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as Record<string, number>;
  assert.equal(m.layout as unknown, 'lips-v1');
  assert.equal(m.fps, 25);
  assert.equal(m.mtm_frames, 2);
  assert.equal(m.mtm_ms, 80);
  assert.ok(m.lve > 0 && m.lve < 1e-4);
  assert.ok(m.lip_aperture_r > 0 && m.lip_aperture_r < 1);
  // The synthetic speech is loud when the GT mouth moves fast: GT couples, the late prediction does not.
  assert.ok(m.speech_lip_r_gt > 0.9, `gt r ${m.speech_lip_r_gt}`);
  assert.ok(m.speech_lip_r_pred < m.speech_lip_r_gt);
  assert.equal(m.fdd, undefined);
  const svg = readFileSync(join(dir, 'curves.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg'));
  assert.equal((svg.match(/stroke="green"/g) ?? []).length, 9);
});

test('evaluate on FLAME .npy sequences adds FDD and honours --gt-stride', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-flame-'));
  const frames = 24;
  const make = (delay: number, count: number): Float32Array => {
    const data = new Float32Array(count * 5023 * 3);
    for (let t = 0; t < count; t++) {
      const o = 0.01 + 0.004 * Math.sin((2 * Math.PI * (t - delay)) / 8);
      data[(t * 5023 + FLAME_MTM_LIP_PAIR.upper) * 3 + 1] = o;
      data[(t * 5023 + 10) * 3 + 2] = 0.001 * Math.sin(t); // an upper-face vertex that moves
    }
    return data;
  };
  writeFileSync(join(dir, 'pred.npy'), npyBytes(make(1, frames), [frames, 5023, 3]));
  // GT at twice the rate: every second frame is the real one.
  const gt60 = new Float32Array(frames * 2 * 5023 * 3);
  const gt30 = make(0, frames);
  for (let t = 0; t < frames; t++) gt60.set(gt30.subarray(t * 15069, (t + 1) * 15069), 2 * t * 15069);
  writeFileSync(join(dir, 'gt.npy'), npyBytes(gt60, [frames * 2, 15069]));
  const io = captureIo();
  const code = await main(
    [
      'evaluate',
      '--pred',
      join(dir, 'pred.npy'),
      '--gt',
      join(dir, 'gt.npy'),
      '--gt-stride',
      '2',
      '--fps',
      '30',
      '--out',
      join(dir, 'm.json'),
    ],
    io,
  );
  assert.equal(code, 0, io.err.join('\n'));
  const m = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(m.layout, 'flame');
  assert.deepEqual(m.frames, { gt: frames, pred: frames });
  const opening = (delay: number): number[] =>
    Array.from({ length: frames }, (_, t) =>
      Math.fround(0.01 + 0.004 * Math.sin((2 * Math.PI * (t - delay)) / 8)),
    );
  assert.equal(m.mtm_frames, meanTemporalMisalignment(opening(0), opening(1)).mtmFrames);
  assert.equal(typeof m.fdd, 'number');
  assert.match(String(m.fdd_region), /non-mouth/);
});

test('the CLI entry runs under node --import tsx: stdout and exit codes', () => {
  const ok = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'mtm',
      '--gt',
      f('cli_gt_lip_distance.json'),
      '--pred',
      f('cli_pred_lip_distance.npy'),
      '--json',
    ],
    { cwd: repo, encoding: 'utf8' },
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), '{"mtm_frames":2,"matches":9}');
  const bad = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'mtm',
      '--gt',
      'does-not-exist.json',
      '--pred',
      f('cli_pred_lip_distance.npy'),
    ],
    { cwd: repo, encoding: 'utf8' },
  );
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /does-not-exist\.json: cannot read \(ENOENT\)/);
});
