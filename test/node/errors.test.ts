import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AudioChunkError,
  AudioSourceError,
  InvalidOptionError,
  LipSyncError,
  ModelLoadError,
  WorkerCrashError,
} from '../../src/errors.ts';
import { UnsupportedRigError } from '../../src/rig/rigErrors.ts';

test('every typed error is a LipSyncError with a literal name that survives minification', () => {
  const cases: [Error, string][] = [
    [new ModelLoadError('m'), 'ModelLoadError'],
    [new AudioSourceError('a'), 'AudioSourceError'],
    [new WorkerCrashError('w'), 'WorkerCrashError'],
    [new InvalidOptionError('i'), 'InvalidOptionError'],
    [new AudioChunkError('c'), 'AudioChunkError'],
    [new UnsupportedRigError('u', 'a box'), 'UnsupportedRigError'],
  ];
  for (const [err, name] of cases) {
    assert.ok(err instanceof LipSyncError, name);
    assert.equal(err.name, name);
  }
  assert.match(
    new UnsupportedRigError('No landmark map.', '1 mesh, 0 morph targets').message,
    /Found: 1 mesh/,
  );
  assert.equal(new LipSyncError('x', { recoverable: false }).recoverable, false);
});
