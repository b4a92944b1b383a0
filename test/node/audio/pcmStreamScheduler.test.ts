import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PcmStreamScheduler, type IPcmChunkSlot } from '../../../src/audio/pcmStreamScheduler.ts';

const RATE = 48000;
const QUANTUM = 128 / RATE;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A server sending a stream of 20–100 ms chunks in real time, each delayed by a random network jitter in
 * [0, jitterMs], arrivals in order; the audio clock ticks in 128-frame quanta. Returns the slots.
 */
function simulate(s: PcmStreamScheduler, seconds: number, jitterMs: number, seed: number): IPcmChunkSlot[] {
  const r = rng(seed);
  const slots: IPcmChunkSlot[] = [];
  let sentSec = 1;
  let lastArrival = 0;
  while (sentSec < 1 + seconds) {
    const frames = Math.round((0.02 + 0.08 * r()) * RATE);
    const arrival = Math.max(lastArrival, sentSec + (jitterMs / 1000) * r());
    lastArrival = arrival;
    const now = Math.floor(arrival / QUANTUM) * QUANTUM;
    slots.push(s.schedule(now, frames));
    sentSec += frames / RATE;
  }
  return slots;
}

test('the first chunk starts leadMs ahead on a whole frame; chunks arriving in time join gaplessly', () => {
  const s = new PcmStreamScheduler({ sampleRateHz: RATE, leadMs: 100 });
  const a = s.schedule(1.0001, 960);
  assert.equal(a.newRun, true);
  assert.equal(a.startFrame, Math.ceil(1.1001 * RATE));
  assert.equal(a.startSec, a.startFrame / RATE);
  assert.ok(Number.isInteger(a.startFrame));
  const b = s.schedule(1.02, 1234);
  assert.deepEqual(b, {
    startFrame: a.endFrame,
    startSec: a.endFrame / RATE,
    endFrame: a.endFrame + 1234,
    newRun: false,
  });
  assert.equal(s.runs, 1);
  assert.equal(s.underruns, 0);
  assert.ok(Math.abs(s.queuedSec(1.02) - (b.endFrame / RATE - 1.02)) < 1e-12);
});

test('a chunk arriving after the queue ran dry, or within safetyMs of its end, starts a new run (an underrun)', () => {
  const s = new PcmStreamScheduler({ sampleRateHz: RATE, leadMs: 100, safetyMs: 10 });
  const a = s.schedule(0, 4800); // plays 0.1–0.2 s
  assert.equal(a.endFrame / RATE, 0.2);
  const late = s.schedule(0.195, 480); // 5 ms before the end: too close to join
  assert.equal(late.newRun, true);
  assert.equal(late.startFrame, Math.ceil(0.295 * RATE));
  assert.equal(s.underruns, 1);
  const dry = s.schedule(1, 480); // long after the end
  assert.equal(dry.newRun, true);
  assert.equal(s.underruns, 2);
  assert.equal(s.queuedSec(5), 0);
  const onTime = s.schedule(1.09, 480); // 11 ms before the end: joins
  assert.equal(onTime.newRun, false);
  assert.equal(s.runs, 3);
});

test('after interrupt() the next chunk starts a new run that is not counted as an underrun', () => {
  const s = new PcmStreamScheduler({ sampleRateHz: RATE });
  s.schedule(0, 48000);
  s.interrupt();
  assert.equal(s.endSec, -Infinity);
  const next = s.schedule(0.5, 480); // the old queue would have lasted until 1.12 s
  assert.equal(next.newRun, true);
  assert.equal(next.startFrame, Math.ceil((0.5 + 0.12) * RATE));
  assert.equal(s.runs, 2);
  assert.equal(s.underruns, 0);
});

test('real-time arrivals with jitter below the lead play as one gapless run; above it they underrun', () => {
  for (const seed of [1, 2, 3]) {
    const s = new PcmStreamScheduler({ sampleRateHz: RATE, leadMs: 120 });
    const slots = simulate(s, 30, 100, seed);
    for (let i = 1; i < slots.length; i++) {
      assert.equal(slots[i].startFrame, slots[i - 1].endFrame, `chunk ${i} joins the previous one`);
    }
    assert.equal(s.underruns, 0, `seed ${seed}`);
  }
  const s = new PcmStreamScheduler({ sampleRateHz: RATE, leadMs: 40 });
  const slots = simulate(s, 30, 100, 1);
  assert.ok(s.underruns > 0);
  for (let i = 1; i < slots.length; i++) {
    assert.ok(slots[i].startFrame >= slots[i - 1].endFrame, 'chunks never overlap');
  }
});

test('rejects impossible options', () => {
  assert.throws(() => new PcmStreamScheduler({ sampleRateHz: 0 }), RangeError);
  assert.throws(() => new PcmStreamScheduler({ sampleRateHz: RATE, leadMs: 5, safetyMs: 10 }), RangeError);
});
