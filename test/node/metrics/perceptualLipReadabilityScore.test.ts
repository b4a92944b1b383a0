import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MetricInputError,
  perceptualLipReadabilityScore,
  toVertexSequence,
} from '../../../src/metrics/index.ts';
import { readMetricFixture } from './fixtures.ts';

/** The fixtures' deterministic stand-in encoder: projections on cos(0.01·k·i), k = 0…7. */
function toyEncoder(x: Float32Array): Float32Array {
  const out = new Float32Array(8);
  for (let k = 0; k < 8; k++) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * Math.cos(0.01 * k * i);
    out[k] = s;
  }
  return out;
}

test('PLRS windows and scores like the reference (non-overlapping 5-frame windows) to 1e-6', () => {
  const fx = readMetricFixture<{
    samplesPerFrame: number;
    speech: number[];
    points: number;
    mesh: number[];
    expected: { score: number; similarities: number[] };
  }>('plrs.json');
  const r = perceptualLipReadabilityScore(
    Float32Array.from(fx.speech),
    toVertexSequence(Float32Array.from(fx.mesh), fx.points),
    { encodeSpeech: toyEncoder, encodeMesh: toyEncoder },
    { samplesPerFrame: fx.samplesPerFrame },
  );
  assert.equal(r.similarities.length, fx.expected.similarities.length);
  r.similarities.forEach((s, i) => assert.ok(Math.abs(s - fx.expected.similarities[i]) <= 1e-6));
  assert.ok(Math.abs((r.score as number) - fx.expected.score) <= 1e-6);
});

test('PLRS passes 3200-sample speech windows and 5-frame mesh windows by default, stride 5 frames', () => {
  const speechStarts: number[] = [];
  const meshStarts: number[] = [];
  const speech = Float32Array.from({ length: 640 * 23 }, (_, i) => i);
  const mesh = toVertexSequence(
    Float32Array.from({ length: 21 * 21 * 3 }, (_, i) => i),
    21,
  );
  const r = perceptualLipReadabilityScore(speech, mesh, {
    encodeSpeech: (w) => {
      assert.equal(w.length, 3200);
      speechStarts.push(w[0]);
      return Float32Array.of(1, 0);
    },
    encodeMesh: (w) => {
      assert.equal(w.length, 5 * 21 * 3);
      meshStarts.push(w[0] / (21 * 3));
      return Float32Array.of(1, 0);
    },
  });
  // audio windows = (14720 − 3200)/640 + 1 = 19; clip_num = min(19, 21 − 4) = 17 → 3 windows.
  assert.deepEqual(speechStarts, [0, 3200, 6400]);
  assert.deepEqual(meshStarts, [0, 5, 10]);
  assert.equal(r.score, 1);
});

test('PLRS is null for a clip shorter than one window; NaN and zero embeddings throw', () => {
  const mesh = toVertexSequence(new Float32Array(4 * 3), 1);
  const enc = { encodeSpeech: () => Float32Array.of(1), encodeMesh: () => Float32Array.of(1) };
  assert.equal(perceptualLipReadabilityScore(new Float32Array(3200), mesh, enc).score, null);
  const bad = new Float32Array(3200);
  bad[5] = NaN;
  assert.throws(() => perceptualLipReadabilityScore(bad, mesh, enc), MetricInputError);
  // One full window needs clip_num ≥ 5: 3200 + 4·640 samples and 9 frames.
  const nine = toVertexSequence(new Float32Array(9 * 3), 1);
  assert.throws(
    () =>
      perceptualLipReadabilityScore(new Float32Array(5760), nine, {
        ...enc,
        encodeMesh: () => Float32Array.of(0),
      }),
    /zero vector/,
  );
});
