import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Observable } from '@babylonjs/core/Misc/observable.js';
import { LipSyncRunner } from '../../../src/behavior/lipSyncRunner.ts';
import type { ILipSyncStateChange } from '../../../src/behavior/lipSyncState.ts';
import { validatePerceptualLipSyncOptions } from '../../../src/behavior/perceptualLipSyncOptions.ts';
import { AudioSourceError } from '../../../src/errors.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import { fakes } from './fakeSessionDeps.ts';

function runnerOn(f: ReturnType<typeof fakes>) {
  const changes: ILipSyncStateChange[] = [];
  const states: string[] = [];
  const errors: Error[] = [];
  let rests = 0;
  const target = {
    onStateChanged: new Observable<ILipSyncStateChange>(),
    onError: new Observable<Error>(),
    onTelemetry: new Observable<ITelemetrySample>(),
    rest: () => void rests++,
    stop: () => runner.stop(),
  };
  target.onStateChanged.add((c) => {
    changes.push(c);
    states.push(c.state);
  });
  target.onError.add((e) => void errors.push(e));
  const runner = new LipSyncRunner(validatePerceptualLipSyncOptions({}), target, f.deps);
  return { runner, states, changes, errors, rests: () => rests };
}

describe('LipSyncRunner', () => {
  test('loading → running ⇄ suspended (the avatar rests) → idle on stop', async (t) => {
    const f = fakes();
    const r = runnerOn(f);
    t.after(() => r.runner.stop()); // a failed assertion must not leave the telemetry timer running
    await r.runner.startAsync({ kind: 'microphone' }, 1, f.renderLoop, () => undefined);
    assert.deepEqual(r.states, ['loading', 'running']);
    assert.ok(r.runner.session);
    const fire = () => f.listeners.forEach((l) => (l as () => void)());
    f.context.state = 'suspended';
    fire();
    assert.deepEqual(r.states.slice(2), ['suspended']);
    assert.equal(r.rests(), 1);
    f.context.state = 'running';
    fire();
    assert.equal(r.runner.state, 'running');
    r.runner.stop();
    assert.equal(r.runner.state, 'idle');
    assert.equal(r.runner.session, null);
    assert.equal(r.rests(), 2);
    assert.ok(f.log.includes('lease.release'));
    r.runner.stop();
    assert.deepEqual(r.states, ['loading', 'running', 'suspended', 'running', 'idle'], 'stop is idempotent');
  });

  test('each change carries the previous state and, once the models loaded, the backend and its reason', async (t) => {
    const f = fakes();
    const r = runnerOn(f);
    t.after(() => r.runner.stop());
    const before = r.runner.backend;
    assert.equal(before, null, 'no models before the first start');
    await r.runner.startAsync({ kind: 'microphone' }, 1, f.renderLoop, () => undefined);
    r.runner.stop();
    assert.deepEqual(
      r.changes.map((c) => [c.previousState, c.state, c.backend?.backend ?? null, c.backend?.reason ?? null]),
      [
        ['idle', 'loading', null, null],
        ['loading', 'running', 'wasm', 'software-adapter'],
        ['running', 'idle', 'wasm', 'software-adapter'], // where the stopped session ran
      ],
    );
    assert.deepEqual(Object.keys(r.changes[1].backend!.models), ['generator', 'speechEncoder']);
    assert.equal(r.changes[1].backend!.models.generator.detail, 'fake: SwiftShader adapter');
    assert.equal(r.runner.backend?.reason, 'software-adapter');
    // The head the worker loaded, reported like the backend: null before, kept after the stop.
    assert.deepEqual(
      r.changes.map((c) => c.latencyHead),
      [null, 'playback', 'playback'],
    );
    assert.equal(r.runner.latencyHead, 'playback');
  });

  test('a failed start ends in error and reports it once', async () => {
    const f = fakes({ failCapture: true });
    const r = runnerOn(f);
    await assert.rejects(r.runner.startAsync({ kind: 'microphone' }, 1, f.renderLoop, () => undefined));
    assert.deepEqual(r.states, ['loading', 'error']);
    assert.equal(r.changes[1].backend, null, 'no models loaded');
    assert.equal(r.errors.length, 1);
    assert.ok(r.errors[0] instanceof AudioSourceError);
    assert.equal(r.runner.session, null);
  });
});
