import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Observable } from '@babylonjs/core/Misc/observable.js';
import { LipSyncRunner } from '../../../src/behavior/lipSyncRunner.ts';
import type { LipSyncState } from '../../../src/behavior/lipSyncState.ts';
import { validatePerceptualLipSyncOptions } from '../../../src/behavior/perceptualLipSyncOptions.ts';
import { AudioSourceError } from '../../../src/errors.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import { fakes } from './fakeSessionDeps.ts';

function runnerOn(f: ReturnType<typeof fakes>) {
  const states: LipSyncState[] = [];
  const errors: Error[] = [];
  let rests = 0;
  const target = {
    onStateChanged: new Observable<LipSyncState>(),
    onError: new Observable<Error>(),
    onTelemetry: new Observable<ITelemetrySample>(),
    rest: () => void rests++,
    stop: () => runner.stop(),
  };
  target.onStateChanged.add((s) => void states.push(s));
  target.onError.add((e) => void errors.push(e));
  const runner = new LipSyncRunner(validatePerceptualLipSyncOptions({}), target, f.deps);
  return { runner, states, errors, rests: () => rests };
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

  test('a failed start ends in error and reports it once', async () => {
    const f = fakes({ failCapture: true });
    const r = runnerOn(f);
    await assert.rejects(r.runner.startAsync({ kind: 'microphone' }, 1, f.renderLoop, () => undefined));
    assert.deepEqual(r.states, ['loading', 'error']);
    assert.equal(r.errors.length, 1);
    assert.ok(r.errors[0] instanceof AudioSourceError);
    assert.equal(r.runner.session, null);
  });
});
