// `perceptual-lipsync assets`: copies exactly what the browser fetches, from the built package (needs
// `npm run build`, which .ci/run does before the node tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}
const files = (dir: string, prefix = ''): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );

test('assets copies the worker, the worklet, ONE onnxruntime-web binary + glue, the models and the avatar', async () => {
  assert.ok(existsSync('dist/worker.js'), 'dist/worker.js missing: run `npm run build` first');
  const out = mkdtempSync(join(tmpdir(), 'assets-'));
  try {
    const { io, out: lines, err } = capture();
    const code = await main(['assets', '--out', join(out, 'lipsync'), '--demo-avatar'], io);
    assert.equal(code, 0, err.join('\n'));
    const manifest = JSON.parse(readFileSync('models/manifest.json', 'utf8'));
    const expected = [
      'worker.js',
      'capture-processor.js',
      'ort-wasm-simd-threaded.jsep.wasm',
      'ort-wasm-simd-threaded.jsep.mjs',
      'models/manifest.json',
      `models/${manifest.generator.file}`,
      `models/${manifest.metricEncoders.speechFile}`,
      `models/${manifest.metricEncoders.meshFile}`,
      'models/MODEL_CARD.md',
      ...(existsSync('models/NOTICE') ? ['models/NOTICE'] : []),
      'demo-avatar.glb',
    ].sort();
    assert.deepEqual(files(join(out, 'lipsync')).sort(), expected);
    for (const [copy, source] of [
      ['worker.js', 'dist/worker.js'],
      [
        'ort-wasm-simd-threaded.jsep.wasm',
        'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm',
      ],
      ['models/generator.onnx', 'models/generator.onnx'],
    ]) {
      assert.ok(
        readFileSync(join(out, 'lipsync', copy)).equals(readFileSync(source)),
        `${copy} equals ${source}`,
      );
    }
    const total = files(join(out, 'lipsync')).reduce((s, f) => s + statSync(join(out, 'lipsync', f)).size, 0);
    assert.ok(total < 40e6, `one onnxruntime-web binary, not all four (${(total / 1e6).toFixed(1)} MB)`);
    assert.match(lines.join('\n'), /assetBaseUrl/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('assets --no-models leaves models/ out; a missing --out is a usage error', async () => {
  const out = mkdtempSync(join(tmpdir(), 'assets-'));
  try {
    const { io } = capture();
    assert.equal(await main(['assets', '--out', out, '--no-models'], io), 0);
    assert.equal(existsSync(join(out, 'models')), false);
    assert.equal(existsSync(join(out, 'demo-avatar.glb')), false);
    const bad = capture();
    assert.equal(await main(['assets'], bad.io), 2);
    assert.match(bad.err.join('\n'), /--out is required/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
