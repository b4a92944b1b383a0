import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PlayoutBuffer } from '../../../src/playout/playoutBuffer.ts';

const frame = (timeSec: number, value: number) => ({
  timeSec,
  displacements: new Float32Array(3).fill(value),
});

describe('PlayoutBuffer', () => {
  test('interpolates linearly between the two frames around t', () => {
    const b = new PlayoutBuffer({ valuesPerFrame: 3 });
    b.push(frame(1.0, 0));
    b.push(frame(1.02, 10));
    const out = new Float32Array(3);
    assert.equal(b.frameAt(1.005, out), true);
    assert.ok(Math.abs(out[0] - 2.5) < 1e-5);
    assert.equal(b.frameAt(1.02, out), true);
    assert.equal(out[0], 10);
  });

  test('never shows a frame from the future: t before the oldest frame returns false and leaves out alone', () => {
    const b = new PlayoutBuffer({ valuesPerFrame: 3 });
    const out = new Float32Array(3).fill(-1);
    assert.equal(b.frameAt(5, out), false, 'empty');
    b.push(frame(1.0, 7));
    assert.equal(b.frameAt(0.99, out), false);
    assert.deepEqual(Array.from(out), [-1, -1, -1]);
  });

  test('holds the newest frame after it, and the earlier frame across a gap', () => {
    const b = new PlayoutBuffer({ valuesPerFrame: 3, maxGapSec: 0.1 });
    b.push(frame(1.0, 1));
    b.push(frame(1.5, 9)); // gap of 0.5 s: speech stopped in between
    const out = new Float32Array(3);
    b.frameAt(1.3, out);
    assert.equal(out[0], 1);
    b.frameAt(2.0, out);
    assert.equal(out[0], 9);
  });

  test('drops frames older than needed as the clock advances, and is bounded with a dropped counter', () => {
    const b = new PlayoutBuffer({ valuesPerFrame: 3, capacity: 4 });
    for (let i = 0; i < 6; i++) b.push(frame(i * 0.02, i));
    assert.equal(b.size, 4);
    assert.equal(b.dropped, 2);
    assert.ok(Math.abs(b.oldestTimeSec - 0.04) < 1e-12);
    const out = new Float32Array(3);
    b.frameAt(0.07, out);
    assert.equal(b.size, 3, 'frames before the one at/before t are discarded');
    assert.ok(Math.abs(out[0] - 3.5) < 1e-5);
  });

  test('late or duplicate frames are dropped; a jump back in time resets (discontinuity)', () => {
    const b = new PlayoutBuffer({ valuesPerFrame: 3, maxGapSec: 0.25 });
    b.push(frame(10, 1));
    b.push(frame(10.02, 2));
    assert.equal(b.push(frame(10.02, 3)), false);
    assert.equal(b.push(frame(10.01, 3)), false);
    assert.equal(b.dropped, 2);
    assert.equal(b.push(frame(2, 4)), true); // new stream, clock restarted
    assert.equal(b.discontinuities, 1);
    assert.equal(b.size, 1);
    const out = new Float32Array(3);
    assert.equal(b.frameAt(2.5, out), true);
    assert.equal(out[0], 4);
  });

  test('rejects nonsense options', () => {
    assert.throws(() => new PlayoutBuffer({ capacity: 1 }), RangeError);
    assert.throws(() => new PlayoutBuffer({ maxGapSec: 0 }), RangeError);
  });
});
