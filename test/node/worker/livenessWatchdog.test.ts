// The watchdog on real timers, short intervals: a worker that never answers is reported once, one that
// answers is never reported, an excused one is not reported, and stop() ends the pings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLivenessWatchdog } from '../../../src/worker/livenessWatchdog.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a ping left unanswered past timeoutMs is reported once, with the silence', async () => {
  const hangs: number[] = [];
  let pings = 0;
  const stop = startLivenessWatchdog(
    () => {
      pings++;
      return new Promise(() => undefined); // never answers
    },
    { timeoutMs: 80, intervalMs: 20 },
    (ms) => hangs.push(ms),
  );
  await sleep(400);
  stop();
  assert.equal(hangs.length, 1);
  assert.ok(hangs[0] > 80, `silence ${hangs[0]} ms`);
  assert.equal(pings, 1);
});

test('a worker that answers is never reported', async () => {
  const hangs: number[] = [];
  let pings = 0;
  const stop = startLivenessWatchdog(
    async () => {
      pings++;
    },
    { timeoutMs: 60, intervalMs: 15 },
    (ms) => hangs.push(ms),
  );
  await sleep(400);
  stop();
  assert.deepEqual(hangs, []);
  assert.ok(pings >= 5, `${pings} pings`);
});

test('while excused, late answers are not a hang', async () => {
  const hangs: number[] = [];
  const stop = startLivenessWatchdog(
    () => new Promise(() => undefined),
    { timeoutMs: 60, intervalMs: 15, excused: () => true },
    (ms) => hangs.push(ms),
  );
  await sleep(300);
  stop();
  assert.deepEqual(hangs, []);
});

test('stop() ends the pings', async () => {
  let pings = 0;
  const stop = startLivenessWatchdog(
    async () => {
      pings++;
    },
    { timeoutMs: 40, intervalMs: 10 },
    () => assert.fail('no hang expected'),
  );
  await sleep(100);
  stop();
  stop(); // idempotent
  const seen = pings;
  await sleep(100);
  assert.equal(pings, seen);
});
