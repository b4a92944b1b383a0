import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AvOffsetCorrector, type IAvOffsetEstimateSample } from '../../../src/telemetry/avOffsetCorrector.ts';

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

const live = (
  timeSec: number,
  avOffsetMs: number | null,
  conf = 0.8,
  windows = 10,
): IAvOffsetEstimateSample => ({
  kind: 'live',
  timeSec,
  avOffsetMs,
  avOffsetConfidence: conf,
  scoredWindows: windows,
});

/**
 * A closed loop like the behavior's: the lips are `extraMs + correction` late; every 250 ms telemetry
 * reports the mean lateness of the lips over the last 2 s (its live window) plus seeded noise of ±noiseMs,
 * from the first second of speech on. Returns the residual lateness of the lips over time.
 */
function closedLoop(
  corrector: AvOffsetCorrector,
  extraMs: number,
  seconds: number,
  seed: number,
  noiseMs = 10,
): { t: number; residualMs: number }[] {
  const r = rng(seed);
  const history: { t: number; late: number }[] = [];
  const out: { t: number; residualMs: number }[] = [];
  for (let t = 0; t <= seconds + 1e-9; t += 0.25) {
    const late = extraMs + corrector.correctionMs;
    history.push({ t, late });
    out.push({ t, residualMs: late });
    if (t < 1) continue;
    const window = history.filter((h) => h.t > t - 2);
    const mean = window.reduce((a, h) => a + h.late, 0) / window.length;
    corrector.update(live(t, mean + noiseMs * (2 * r() - 1)));
  }
  return out;
}

test('an 80 ms offset either way settles within ±20 ms within 10 s of speech and stays there', () => {
  for (const extra of [80, -80]) {
    for (const seed of [1, 2, 3, 4]) {
      const c = new AvOffsetCorrector();
      const trace = closedLoop(c, extra, 20, seed);
      const after10 = trace.filter((p) => p.t >= 10);
      const worst = Math.max(...after10.map((p) => Math.abs(p.residualMs)));
      assert.ok(
        worst <= 20,
        `extra ${extra} ms, seed ${seed}: residual up to ${worst.toFixed(1)} ms after 10 s`,
      );
      // Smoothed: it never overshoots to the other side by more than the noise.
      for (const p of trace) assert.ok(Math.sign(extra) * p.residualMs > -15, `overshoot at ${p.t} s`);
      assert.ok(c.steps >= 1, `${c.steps} steps`);
    }
  }
});

test('no offset, no correction: estimates inside the dead band leave the lips alone', () => {
  const c = new AvOffsetCorrector();
  closedLoop(c, 0, 30, 5, 8);
  assert.equal(c.correctionMs, 0);
  assert.equal(c.steps, 0);
});

test('low-confidence, thin, missing and utterance-summary estimates are ignored', () => {
  const c = new AvOffsetCorrector();
  for (let i = 0; i < 20; i++) {
    const t = i * 0.25;
    c.update(live(t, 100, 0.3));
    c.update(live(t, 100, 0.9, 2));
    c.update(live(t, null));
    c.update({ ...live(t, 100), kind: 'utterance' });
    c.update(live(t, NaN));
  }
  assert.equal(c.correctionMs, 0);
});

test('one wild estimate among good ones does not move the lips (median of three)', () => {
  const c = new AvOffsetCorrector();
  c.update(live(1, 2));
  c.update(live(1.25, -236));
  assert.equal(c.update(live(1.5, 4)), false);
  assert.equal(c.correctionMs, 0);
});

test('estimates measured before a step has settled are ignored, then the next step follows', () => {
  const c = new AvOffsetCorrector();
  for (const t of [1, 1.25, 1.5]) c.update(live(t, 100));
  assert.equal(c.correctionMs, -80);
  // Within settleSec (2.25 s) of the step, estimates still see the old delay: ignored.
  for (const t of [1.75, 2, 2.5, 3.5]) assert.equal(c.update(live(t, 100)), false);
  assert.equal(c.correctionMs, -80);
  for (const t of [3.75, 4, 4.25]) c.update(live(t, 20));
  assert.equal(c.correctionMs, -96);
});

test('the correction is bounded', () => {
  const c = new AvOffsetCorrector({ minCorrectionMs: -100, maxCorrectionMs: 150 });
  closedLoop(c, 400, 60, 1);
  assert.equal(c.correctionMs, -100);
  const d = new AvOffsetCorrector({ minCorrectionMs: -100, maxCorrectionMs: 150 });
  closedLoop(d, -400, 60, 1);
  assert.equal(d.correctionMs, 150);
  d.reset();
  assert.equal(d.correctionMs, 0);
  assert.equal(d.steps, 0);
});

test('rejects options outside their ranges', () => {
  assert.throws(() => new AvOffsetCorrector({ gain: 0 }), RangeError);
  assert.throws(() => new AvOffsetCorrector({ gain: 1.5 }), RangeError);
  assert.throws(() => new AvOffsetCorrector({ estimatesPerStep: 0 }), RangeError);
  assert.throws(() => new AvOffsetCorrector({ minCorrectionMs: 10 }), RangeError);
  assert.throws(() => new AvOffsetCorrector({ minConfidence: 2 }), RangeError);
});
