// The manifest's latency heads (issue #12): each is validated like `generator`, and a head the manifest
// lacks falls back to `generator` (custom and older manifests).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelLoadError } from '../../../src/errors.ts';
import { generatorForHead, validateModelManifest } from '../../../src/models/modelManifest.ts';
import { generatorManifest } from './generatorManifest.ts';

const balanced = generatorManifest({ file: 'generator.onnx', lookaheadFrames: 4 });
const live = generatorManifest({ file: 'generator-live.onnx', lookaheadFrames: 0 });

describe('modelManifest latency heads', () => {
  test('each head gets its entry; balanced is `generator`', () => {
    const m = validateModelManifest({ layout: 'lips-v1', generator: balanced, latencyModes: { live } });
    assert.equal(generatorForHead(m, 'live'), m.latencyModes!.live);
    assert.equal(generatorForHead(m, 'balanced'), m.generator);
  });

  test('a head the manifest lacks falls back to `generator`', () => {
    const older = validateModelManifest({ layout: 'lips-v1', generator: balanced });
    for (const head of ['live', 'balanced', 'playback'] as const) {
      assert.equal(generatorForHead(older, head), older.generator);
    }
    const partial = validateModelManifest({ layout: 'lips-v1', generator: balanced, latencyModes: { live } });
    assert.equal(generatorForHead(partial, 'playback'), partial.generator);
  });

  test('a bad head is a ModelLoadError naming it', () => {
    const bad = (latencyModes: unknown, pattern: RegExp) =>
      assert.throws(
        () => validateModelManifest({ layout: 'lips-v1', generator: balanced, latencyModes }),
        (e: Error) => e instanceof ModelLoadError && pattern.test(e.message),
      );
    bad({ live: { ...live, frameRateHz: -1 } }, /latencyModes\.live\.frameRateHz must be a non-negative integer/);
    bad({ playback: { ...live, featureSpec: 'features-v0' } }, /latencyModes\.playback was trained on features/);
    bad({ live: 'generator-live.onnx' }, /latencyModes\.live must be a generator object/);
    bad({ balanced: live }, /latencyModes\.balanced is not a head/);
    bad([live], /latencyModes must be an object/);
  });
});
