import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import { ModelLoadError } from '../../../src/errors.ts';
import { createGeneratorOutputToLips, parseFlameTemplate } from '../../../src/models/generatorOutput.ts';
import { validateModelManifest } from '../../../src/models/modelManifest.ts';
import { generatorManifest } from './generatorManifest.ts';
import { FLAME_LIPS_V1_LANDMARKS } from '../../../src/metrics/flameLandmarks.ts';

const FLAME_VALUES = 5023 * 3;
const flameGenerator = generatorManifest({
  outputKind: 'flame-vertices',
  templateFile: 'template.f32',
  outputName: 'vertices',
  contextFrames: 3,
});

test('flame-vertices outputs become lips-v1 displacements: landmark offsets from the template', () => {
  const template = Float32Array.from({ length: FLAME_VALUES }, (_, i) => Math.sin(i * 0.01) * 0.1);
  // frame 0 = template (rest); frame 1 = template + 3 mm down on the vertices of the inner lower lip centre
  const raw = new Float32Array(2 * FLAME_VALUES);
  raw.set(template, 0);
  raw.set(template, FLAME_VALUES);
  const lowerInner = FLAME_LIPS_V1_LANDMARKS[19];
  if (!('vertices' in lowerInner)) throw new Error('FLAME landmarks have vertices');
  for (const v of lowerInner.vertices) raw[FLAME_VALUES + v * 3 + 1] -= 0.003;
  const lips = createGeneratorOutputToLips(flameGenerator, template)(raw);
  assert.equal(lips.length, 2 * 63);
  for (let i = 0; i < 63; i++) assert.ok(Math.abs(lips[i]) < 1e-7, 'the template itself is the neutral mouth');
  assert.ok(Math.abs(lips[63 + 19 * 3 + 1] + 0.003) < 1e-6, 'point 19 moved 3 mm down');
  assert.ok(Math.abs(lips[63 + 15 * 3 + 1]) < 1e-7, 'point 15 (upper inner) did not move');
});

test('a wrong template or output size is a ModelLoadError; lips-v1 outputs pass through', () => {
  assert.throws(() => createGeneratorOutputToLips(flameGenerator, new Float32Array(10)), ModelLoadError);
  assert.throws(() => createGeneratorOutputToLips(flameGenerator), ModelLoadError);
  const toLips = createGeneratorOutputToLips(flameGenerator, new Float32Array(FLAME_VALUES));
  assert.throws(() => toLips(new Float32Array(FLAME_VALUES + 1)), ModelLoadError);
  assert.throws(() => parseFlameTemplate(new Uint8Array(12)), ModelLoadError);
  const raw = Float32Array.of(1, 2, 3);
  assert.equal(createGeneratorOutputToLips({ ...flameGenerator, outputKind: 'lips-v1-displacement' })(raw), raw);
  assert.throws(
    () =>
      validateModelManifest({ layout: 'lips-v1', generator: { ...flameGenerator, templateFile: undefined } }),
    /templateFile/,
  );
});

test('bake runs a FLAME-vertex generator (FaceFormer-style output) into a moving lips-v1 track', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bake-flame-'));
  const out = join(dir, 'track.json');
  const err: string[] = [];
  const code = await main(
    [
      'bake',
      '--audio',
      'test/fixtures/generated/mic-speech.wav',
      '--out',
      out,
      '--models',
      'test/fixtures/generated/flame-vertex-generator/manifest.json',
    ],
    { stdout: () => undefined, stderr: (l) => err.push(l) },
  );
  assert.equal(code, 0, err.join('\n'));
  const track = JSON.parse(readFileSync(out, 'utf8')) as { frames: number[][][] };
  const y = track.frames.map((f) => f[19][1]);
  assert.ok(y.every(Number.isFinite));
  const range = Math.max(...y) - Math.min(...y);
  // the fixture's offsets are a few mm: lips-v1 motion of that order, not 0 and not template-sized (~0.1 m)
  assert.ok(range > 2e-4 && range < 0.03, `lower inner lip moves ${range} m`);
});
