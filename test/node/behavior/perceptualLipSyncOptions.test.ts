import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_PERCEPTUAL_LIPSYNC_OPTIONS,
  validatePerceptualLipSyncOptions,
} from '../../../src/behavior/perceptualLipSyncOptions.ts';
import { InvalidOptionError } from '../../../src/errors.ts';

describe('validatePerceptualLipSyncOptions: assetBaseUrl', () => {
  test('unset: every asset URL keeps its own default', () => {
    const o = validatePerceptualLipSyncOptions({});
    assert.equal(o.modelManifestUrl, 'models/manifest.json');
    assert.equal(o.wasmPaths, undefined);
    assert.equal(o.workerUrl, undefined);
    assert.equal(o.captureProcessorUrl, undefined);
    assert.equal(DEFAULT_PERCEPTUAL_LIPSYNC_OPTIONS.assetBaseUrl, undefined);
  });

  test("set: the manifest, wasm, worker and worklet point into the folder 'perceptual-lipsync assets' wrote", () => {
    for (const base of ['/lipsync/', '/lipsync']) {
      const o = validatePerceptualLipSyncOptions({ assetBaseUrl: base });
      assert.equal(o.modelManifestUrl, '/lipsync/models/manifest.json');
      assert.equal(o.wasmPaths, '/lipsync/');
      assert.equal(o.workerUrl, '/lipsync/worker.js');
      assert.equal(o.captureProcessorUrl, '/lipsync/capture-processor.js');
    }
  });

  test('explicit options win over assetBaseUrl; undefined counts as not given', () => {
    const o = validatePerceptualLipSyncOptions({
      assetBaseUrl: 'https://cdn.example/lipsync/',
      modelManifestUrl: '/my-models/manifest.json',
      workerUrl: undefined,
    });
    assert.equal(o.modelManifestUrl, '/my-models/manifest.json');
    assert.equal(o.workerUrl, 'https://cdn.example/lipsync/worker.js');
  });

  test('an empty or non-string assetBaseUrl is an InvalidOptionError naming the option', () => {
    assert.throws(() => validatePerceptualLipSyncOptions({ assetBaseUrl: '' }), /assetBaseUrl/);
    assert.throws(
      () => validatePerceptualLipSyncOptions({ assetBaseUrl: 3 as unknown as string }),
      InvalidOptionError,
    );
  });

  test("latencyMode defaults to 'auto'; anything but a mode or a head is an InvalidOptionError", () => {
    assert.equal(validatePerceptualLipSyncOptions({}).latencyMode, 'auto');
    assert.equal(validatePerceptualLipSyncOptions({ latencyMode: 'live' }).latencyMode, 'live');
    assert.throws(
      () => validatePerceptualLipSyncOptions({ latencyMode: 'fast' as unknown as 'live' }),
      (e: Error) => e instanceof InvalidOptionError && /latencyMode = "fast"/.test(e.message),
    );
  });
});
