import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingAttach } from '../../../src/behavior/pendingAttach.ts';

describe('PendingAttach', () => {
  test('nothing pending: a wait ends at once as attached', async () => {
    const p = new PendingAttach();
    assert.equal(p.pending, false);
    assert.equal(await p.waitAsync(10_000), 'attached');
  });

  test('a deferred attach (init now, attach later) resumes every waiter', async () => {
    const p = new PendingAttach();
    p.expect();
    assert.equal(p.pending, true);
    const a = p.waitAsync(10_000);
    const b = p.waitAsync(10_000);
    setTimeout(() => p.attached(), 20);
    assert.deepEqual(await Promise.all([a, b]), ['attached', 'attached']);
    assert.equal(p.pending, false);
  });

  test('bounded: an attach that never comes ends as timeout, and the wait leaves no timer behind', async () => {
    const p = new PendingAttach();
    p.expect();
    const t0 = performance.now();
    assert.equal(await p.waitAsync(50), 'timeout');
    assert.ok(performance.now() - t0 >= 45);
    assert.equal(p.pending, true, 'still expected: a later start may wait again');
  });

  test('removed before the attach, or aborted (stop), ends as cancelled', async () => {
    const p = new PendingAttach();
    p.expect();
    const w = p.waitAsync(10_000);
    p.removed();
    assert.equal(await w, 'cancelled');
    assert.equal(p.pending, false);

    p.expect();
    const abort = new AbortController();
    const w2 = p.waitAsync(10_000, abort.signal);
    abort.abort();
    assert.equal(await w2, 'cancelled');
    assert.equal(p.pending, true, 'an aborted wait does not cancel the attach itself');
    assert.equal(await p.waitAsync(10_000, abort.signal), 'cancelled', 'already aborted');
  });
});
