// The one model loader on the test fixtures, in Node (wasm): what it loads, in which form, and how a
// failure surfaces (the caller's wording for the generator and template, a warning for the encoders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  loadLipSyncModelsAsync,
  releaseLipSyncModelsAsync,
  type ILipSyncModelFiles,
} from '../../../src/models/loadLipSyncModels.ts';
import { configureOnnxRuntime } from '../../../src/models/onnxBackend.ts';

const TINY = 'test/fixtures/generated/tiny-generator/manifest.json';
const FLAME = 'test/fixtures/generated/flame-vertex-generator/manifest.json';

configureOnnxRuntime({ numThreads: 1 });

/** Files from disk; `broken` names files read as garbage. */
function diskFiles(manifestPath: string, read: string[] = [], broken: string[] = []): ILipSyncModelFiles {
  return {
    readManifestAsync: async () => JSON.parse(readFileSync(manifestPath, 'utf8')) as unknown,
    async readFileAsync(file) {
      read.push(file);
      return broken.includes(file) ? new Uint8Array([1, 2, 3]) : readFileSync(join(dirname(manifestPath), file));
    },
    fileError: (what, file, e) => new Error(`cannot read the ${what} ${file}: ${(e as Error).message}`),
  };
}

test('loads the generator, and the metric encoders only when asked', async () => {
  const read: string[] = [];
  const without = await loadLipSyncModelsAsync(diskFiles(TINY, read), {
    executionProviders: ['wasm'],
    telemetryEncoders: false,
  });
  try {
    assert.deepEqual(read, ['generator.onnx']);
    assert.equal(without.encoders, null);
    assert.equal(without.template, undefined);
    assert.equal(without.generator.choice.reason, 'only-provider');
    assert.deepEqual(without.generator.inputNames, ['mel']);
  } finally {
    await releaseLipSyncModelsAsync(without);
  }
  const withEncoders = await loadLipSyncModelsAsync(diskFiles(TINY), {
    executionProviders: ['wasm'],
    telemetryEncoders: true,
  });
  try {
    assert.ok(withEncoders.encoders);
    assert.equal(withEncoders.encoders.speech.backend, 'wasm');
    assert.deepEqual(withEncoders.encoders.mesh.inputNames, ['lips']);
  } finally {
    await releaseLipSyncModelsAsync(withEncoders);
  }
});

test('loads the head asked for, as `manifest.generator`; a head the manifest lacks loads `generator`', async () => {
  const base = JSON.parse(readFileSync(TINY, 'utf8')) as { generator: Record<string, unknown> };
  // The same graph under a live head: a copy, a distinct entry, so the one loaded can be told apart.
  const live = { ...base.generator };
  const files: ILipSyncModelFiles = {
    ...diskFiles(TINY),
    readManifestAsync: async () => ({ ...base, latencyModes: { live } }),
  };
  const options = { executionProviders: ['wasm'] as const, telemetryEncoders: false };
  const liveModels = await loadLipSyncModelsAsync(files, { ...options, latencyHead: 'live' });
  try {
    assert.equal(liveModels.latencyHead, 'live');
    assert.equal(liveModels.manifest.generator, liveModels.manifest.latencyModes?.live);
  } finally {
    await releaseLipSyncModelsAsync(liveModels);
  }
  const fallback = await loadLipSyncModelsAsync(files, { ...options, latencyHead: 'playback' });
  try {
    assert.equal(fallback.latencyHead, 'balanced', 'no playback head: the balanced generator, reported as such');
    assert.notEqual(fallback.manifest.generator, fallback.manifest.latencyModes?.live);
  } finally {
    await releaseLipSyncModelsAsync(fallback);
  }
});

test('a flame-vertices generator comes with its template', async () => {
  const models = await loadLipSyncModelsAsync(diskFiles(FLAME), { executionProviders: ['wasm'], telemetryEncoders: false });
  try {
    assert.equal(models.manifest.generator.outputKind, 'flame-vertices');
    assert.equal(models.template?.length, 5023 * 3);
  } finally {
    await releaseLipSyncModelsAsync(models);
  }
});

test('a bad template or generator is worded by the caller; bad encoders only turn telemetry off', async () => {
  await assert.rejects(
    loadLipSyncModelsAsync(diskFiles(FLAME, [], ['template.f32']), { executionProviders: ['wasm'], telemetryEncoders: false }),
    /^Error: cannot read the template template\.f32: A FLAME template is/,
  );
  const missing: ILipSyncModelFiles = {
    ...diskFiles(TINY),
    readFileAsync: async () => {
      throw new Error('ENOENT');
    },
  };
  await assert.rejects(
    loadLipSyncModelsAsync(missing, { executionProviders: ['wasm'], telemetryEncoders: false }),
    /cannot read the generator generator\.onnx: ENOENT/,
  );
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => warnings.push(m);
  try {
    const models = await loadLipSyncModelsAsync(diskFiles(TINY, [], ['mesh.onnx']), {
      executionProviders: ['wasm'],
      telemetryEncoders: true,
    });
    assert.equal(models.encoders, null);
    await releaseLipSyncModelsAsync(models);
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Live PLRS and A\/V offset are off/);
});
