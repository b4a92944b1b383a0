import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MetricInputError,
  deltaSlcc,
  speechIntensity,
  speechLipCorrelation,
} from '../../../src/metrics/index.ts';
import { readMetricFixture } from './fixtures.ts';

interface SlccFixture {
  rows: Array<{ speaker: string; level: string; si: number; li: number }>;
  expected: { overall: number; per_level: Record<string, number | null>; rows: number };
}

test('SLCC matches the numpy reference (per-speaker z, ddof 1, drops, per level) to 1e-12', () => {
  const fx = readMetricFixture<SlccFixture>('slcc.json');
  const r = speechLipCorrelation(
    fx.rows.map((x) => ({ speaker: x.speaker, level: x.level, speechIntensity: x.si, lipIntensity: x.li })),
  );
  assert.equal(r.rows, fx.expected.rows);
  assert.ok(Math.abs((r.overall as number) - fx.expected.overall) <= 1e-12);
  assert.deepEqual(Object.keys(r.perLevel), Object.keys(fx.expected.per_level));
  for (const [level, v] of Object.entries(fx.expected.per_level)) {
    assert.ok(Math.abs((r.perLevel[level] as number) - (v as number)) <= 1e-12, level);
  }
});

test('SLCC is null with too few rows, and NaN intensities throw', () => {
  assert.equal(speechLipCorrelation([{ speaker: 'a', speechIntensity: 1, lipIntensity: 1 }]).overall, null);
  assert.throws(
    () => speechLipCorrelation([{ speaker: 'a', speechIntensity: NaN, lipIntensity: 1 }]),
    MetricInputError,
  );
});

test('speech intensity is the clip RMS; ΔSLCC is an absolute difference', () => {
  assert.equal(speechIntensity([3, -3, 3, -3]), 3);
  assert.throws(() => speechIntensity([]), MetricInputError);
  assert.throws(() => speechIntensity([0, NaN]), MetricInputError);
  assert.ok(Math.abs(deltaSlcc(0.4, 0.65) - 0.25) < 1e-15);
  assert.throws(() => deltaSlcc(NaN, 0.5), MetricInputError);
});
