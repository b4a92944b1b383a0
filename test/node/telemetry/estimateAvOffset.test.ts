import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateAvOffset } from '../../../src/telemetry/estimateAvOffset.ts';

const shifts = Array.from({ length: 51 }, (_, i) => (i - 25) * 10);
/** A smooth similarity curve peaking at `peakMs` (Gaussian bump of `height` over a baseline). */
const bump = (peakMs: number, height = 0.4, widthMs = 60, base = 0.1) =>
  shifts.map((s) => base + height * Math.exp(-0.5 * ((s - peakMs) / widthMs) ** 2));

test('finds a peak between grid points to within a few ms (parabolic refinement)', () => {
  for (const peak of [-173, -40, 0, 37, 100, 104, 212]) {
    const r = estimateAvOffset(bump(peak), shifts)!;
    assert.ok(Math.abs(r.offsetMs - peak) < 3, `peak ${peak}: got ${r.offsetMs}`);
    assert.ok(r.confidence > 0.8, `clear peak is confident (${r.confidence})`);
  }
});

test('positive offset means lips late: the curve is indexed by how much earlier the speech is', () => {
  const r = estimateAvOffset(bump(100), shifts)!;
  assert.ok(r.offsetMs > 90);
});

test('confidence: flat or noisy curves are not confident; edge peaks are 0', () => {
  const flat = estimateAvOffset(
    shifts.map(() => 0.2),
    shifts,
  )!;
  assert.equal(flat.confidence, 0);
  let seed = 3;
  const noise = shifts.map(() => {
    seed = (seed * 16807) % 2147483647;
    return 0.2 + 0.01 * (seed / 2147483647 - 0.5);
  });
  assert.ok(estimateAvOffset(noise, shifts)!.confidence < 0.1);
  const ramp = shifts.map((s) => s / 1000);
  const edge = estimateAvOffset(ramp, shifts)!;
  assert.equal(edge.offsetMs, 250);
  assert.equal(edge.confidence, 0);
  const weak = estimateAvOffset(bump(0, 0.02), shifts)!;
  assert.ok(weak.confidence < 0.3 && weak.confidence > 0, `weak peak (${weak.confidence})`);
});

test('null for short or non-finite curves, never NaN', () => {
  assert.equal(estimateAvOffset([1, 2], [0, 10]), null);
  const c = bump(0);
  c[3] = NaN;
  assert.equal(estimateAvOffset(c, shifts), null);
  assert.throws(() => estimateAvOffset([1, 2, 3], [0, 1]), RangeError);
  const r = estimateAvOffset(bump(20), shifts)!;
  assert.ok(Number.isFinite(r.offsetMs) && Number.isFinite(r.confidence) && Number.isFinite(r.peak));
});
