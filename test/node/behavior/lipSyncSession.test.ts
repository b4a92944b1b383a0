// A session on fakes: what start acquires, teardown releases (whatever point start reached), and frames flow
// from the worker's sink through playout to the rig. The browser tests run the same code on the real thing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttachedRig } from '../../../src/behavior/attachedRig.ts';
import { AudioSourceError, LipSyncError, WorkerCrashError } from '../../../src/errors.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';
import { fakes } from './fakeSessionDeps.ts';

const tick = () => new Promise((r) => setImmediate(r));

const block = (first: number, frames: number): LipsFrameBlock => ({
  frames,
  firstTimeSec: first,
  frameDurationSec: 0.02,
  displacements: new Float32Array(frames * 63).fill(0.01),
  speechRms: new Float32Array(frames).fill(0.1),
});

describe('LipSyncSession', () => {
  test('start acquires in order; teardown releases everything, once', async (t) => {
    const f = fakes();
    t.after(() => f.session.teardown()); // a failed assertion must not leave the telemetry timer running
    await f.session.startAsync({ kind: 'microphone' }, 1, f.renderLoop, () => undefined);
    assert.deepEqual(f.log, ['lease', 'source', 'worker', 'capture', 'worker0.openStream', 'source.start']);
    assert.deepEqual(f.states, ['running']);
    assert.equal(f.observers.size, 1);
    assert.equal(f.listeners.size, 1);
    assert.ok(f.session.delayLine, 'a played source goes through the delay line');
    assert.ok(f.session.playout!.delaySec > 0.2);
    assert.equal(f.workers[0].live, false, 'a played source keeps its batches (hidden by its delay)');
    assert.deepEqual(f.heads, ['playback'], 'auto: a delayed source gets the most look-ahead');
    assert.equal(f.session.latencyHead, 'playback');
    assert.equal(f.session.delayLine!.delay.delayTime.value, f.session.playout!.delaySec);
    assert.ok(f.source.node.connections.has(f.capture.node));
    assert.ok(f.session.monitor);
    f.log.length = 0;
    f.session.teardown();
    assert.deepEqual(f.log, [
      'source.close',
      'capture.dispose',
      'worker0.closeStream',
      'worker0.release',
      'lease.release',
    ]);
    assert.equal(f.observers.size, 0, 'render observer removed');
    assert.equal(f.listeners.size, 0, 'statechange listener removed');
    assert.equal(f.source.node.connections.size, 0, 'source disconnected from capture and delay');
    assert.ok(f.session.abort.signal.aborted);
    assert.equal(f.session.monitor, null, 'telemetry timer stopped');
    assert.equal(f.session.worker, null);
    f.log.length = 0;
    f.session.teardown();
    assert.deepEqual(f.log, [], 'idempotent');
  });

  test('a failed start releases what it had acquired and says why', async (t) => {
    const f = fakes({ failCapture: true });
    t.after(() => f.session.teardown()); // a failed assertion must not leave the telemetry timer running
    await assert.rejects(
      f.session.startAsync({ kind: 'microphone' }, 1, f.renderLoop, () => undefined),
      (e: Error) => e instanceof AudioSourceError && /no AudioWorklet/.test(e.message),
    );
    assert.deepEqual(f.log, [
      'lease',
      'source',
      'worker',
      'capture',
      'source.close',
      'worker0.closeStream',
      'worker0.release',
      'lease.release',
    ]);
    assert.equal(f.observers.size + f.listeners.size, 0);
  });

  test('a teardown during start cancels it', async (t) => {
    const f = fakes();
    t.after(() => f.session.teardown()); // a failed assertion must not leave the telemetry timer running
    const started = f.session.startAsync({ kind: 'microphone' }, 1, f.renderLoop, () => undefined);
    f.session.teardown();
    await assert.rejects(started, (e: Error) => e instanceof LipSyncError && /cancelled/.test(e.message));
    assert.ok(f.log.includes('source.close'));
    assert.equal(f.observers.size, 0);
  });

  test('live source: frames flow to the rig; a crashed worker is replaced and its late frames ignored', async (t) => {
    const f = fakes({ playback: false });
    t.after(() => f.session.teardown()); // a failed assertion must not leave the telemetry timer running
    await f.session.startAsync({ kind: 'microphone' }, 1, f.renderLoop, () => undefined);
    assert.equal(f.session.delayLine, null, 'live sources are not delayed');
    assert.equal(f.workers[0].live, true, 'a live stream runs one output per run');
    const shown: Float32Array[] = [];
    const rig = {
      show: (lips: Float32Array) => (shown.push(Float32Array.from(lips)), 0.001),
    } as unknown as AttachedRig;
    const old = f.workers[0];
    old.sink!(block(9.8, 10));
    assert.equal(f.session.frames, 10);
    const at = f.session.render(rig, 1, 0, new Float32Array(63), false);
    assert.ok(at && at.state === 'playing');
    assert.equal(at.solverErrorM, 0.001);
    assert.ok(Math.abs(shown[0][0] - 0.01) < 1e-6);
    old.crash(new WorkerCrashError('boom'));
    await tick();
    await tick();
    assert.deepEqual(f.states, ['running', 'recovering', 'running']);
    assert.equal(f.errors[0].message, 'boom');
    assert.ok(f.log.includes('capture.renewPort') && f.log.includes('worker1.openStream'));
    old.sink!(block(10, 5));
    assert.equal(f.session.frames, 10, 'blocks of the dead worker are dropped');
    assert.equal(f.workers[1].live, true, 'the replacement stream is live too');
    f.workers[1].sink!(block(10, 5));
    assert.equal(f.session.frames, 15);
    assert.equal(f.session.supervisor.restarts, 1);
    assert.deepEqual(
      f.heads,
      ['live', 'live'],
      'auto: a microphone gets the live head, and so does its replacement',
    );
    f.context.state = 'suspended';
    assert.equal(
      f.session.render(rig, 1, 0, new Float32Array(63), false),
      null,
      'nothing shown while suspended',
    );
    f.session.teardown();
    assert.ok(f.log.includes('worker1.release'));
  });

  test('latencyMode: explicit heads pass through; a played source that is not delayed counts as live', async (t) => {
    const explicit = fakes({ options: { latencyMode: 'balanced' } });
    t.after(() => explicit.session.teardown());
    await explicit.session.startAsync({ kind: 'microphone' }, 1, explicit.renderLoop, () => undefined);
    assert.deepEqual(explicit.heads, ['balanced']);
    const undelayed = fakes({ options: { audioDelayCompensation: false } });
    t.after(() => undelayed.session.teardown());
    await undelayed.session.startAsync({ kind: 'microphone' }, 1, undelayed.renderLoop, () => undefined);
    assert.deepEqual(undelayed.heads, ['live'], 'heard as it happens: no time to wait for look-ahead');
  });
});
