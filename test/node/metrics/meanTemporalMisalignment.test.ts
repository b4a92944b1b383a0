import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricInputError, meanTemporalMisalignment, overallMtm } from '../../../src/metrics/index.ts';
import { maxAbsDiff, readMetricFixture } from './fixtures.ts';

interface MtmCase {
  name: string;
  sigma: number;
  gt: number[];
  pred: number[];
  shift?: number;
  expected: {
    mtm_frames: number | null;
    matches: number;
    deltas: number[];
    pairs: Array<[number, number]>;
    gt_smoothed: number[];
    pred_smoothed: number[];
    gt_extrema: Array<[number, 'max' | 'min']>;
    pred_extrema: Array<[number, 'max' | 'min']>;
    path: Array<[number, number]>;
  };
}

const { cases } = readMetricFixture<{ cases: MtmCase[] }>('mtm_cases.json');

test('the MTM fixture set is present and covers shifts, random, edge cases', () => {
  assert.ok(cases.length >= 15);
});

for (const c of cases) {
  test(`MTM matches the scipy reference on "${c.name}"`, () => {
    const r = meanTemporalMisalignment(c.gt, c.pred, { sigmaFrames: c.sigma });
    assert.ok(maxAbsDiff(r.gtSmoothed, c.expected.gt_smoothed) <= 1e-12, 'gt smoothing');
    assert.ok(maxAbsDiff(r.predSmoothed, c.expected.pred_smoothed) <= 1e-12, 'pred smoothing');
    assert.deepEqual(r.path, c.expected.path);
    assert.deepEqual(
      r.gtExtrema.map((e) => [e.index, e.kind]),
      c.expected.gt_extrema,
    );
    assert.deepEqual(
      r.predExtrema.map((e) => [e.index, e.kind]),
      c.expected.pred_extrema,
    );
    assert.equal(r.matches, c.expected.matches);
    assert.deepEqual(r.deltas, c.expected.deltas);
    assert.deepEqual(r.pairs, c.expected.pairs);
    if (c.expected.mtm_frames === null) assert.equal(r.mtmFrames, null);
    else assert.ok(Math.abs((r.mtmFrames as number) - c.expected.mtm_frames) <= 1e-6);
  });
}

test('MTM of a sequence against itself delayed by k frames is k, for k = 0…6', () => {
  for (const c of cases.filter((x) => x.shift !== undefined)) {
    const r = meanTemporalMisalignment(c.gt, c.pred);
    assert.equal(r.mtmFrames, c.shift, c.name);
    assert.ok(r.matches > 0);
  }
});

test('mtmMs converts frames with the given fps', () => {
  const c = cases.find((x) => x.shift === 3) as MtmCase;
  const r = meanTemporalMisalignment(c.gt, c.pred, { fps: 25 });
  assert.equal(r.mtmMs, 120);
  assert.equal(meanTemporalMisalignment(c.gt, c.pred).mtmMs, null);
});

test('a constant or monotonic signal has no extrema: 0 matches and a null MTM', () => {
  const flat = new Array(40).fill(0.01);
  const r = meanTemporalMisalignment(flat, flat);
  assert.equal(r.matches, 0);
  assert.equal(r.mtmFrames, null);
});

test('NaN, empty input and a bad fps throw MetricInputError', () => {
  assert.throws(() => meanTemporalMisalignment([0, NaN, 1], [0, 1, 2]), MetricInputError);
  assert.throws(() => meanTemporalMisalignment([0, 1, 2], [0, Infinity]), /pred.*finite/);
  assert.throws(() => meanTemporalMisalignment([], [1]), MetricInputError);
  assert.throws(() => meanTemporalMisalignment([1, 2], [1, 2], { fps: 0 }), MetricInputError);
});

test('overall MTM is the mean of per-clip means, skipping clips without matches', () => {
  assert.equal(overallMtm([1, 2, null, 6]), 3);
  assert.equal(overallMtm([null]), null);
});
