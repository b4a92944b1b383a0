import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RollingSlcc } from '../../../src/telemetry/rollingSlcc.ts';
import { pearson } from '../../../src/math/pearson.ts';

test('null until 3 utterances, then Pearson r of the pairs', () => {
  const s = new RollingSlcc();
  s.add(0.1, 10);
  s.add(0.2, 21);
  assert.equal(s.value(), null);
  s.add(0.3, 29);
  const r = s.value()!;
  assert.ok(Math.abs(r - pearson([0.1, 0.2, 0.3], [10, 21, 29])!) < 1e-12);
  assert.ok(r > 0.99);
});

test('rolls over the last `capacity` utterances; ignores NaN; constant data gives null', () => {
  const s = new RollingSlcc(3);
  for (const [si, li] of [
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 1],
    [5, 0],
    [6, -1],
  ])
    s.add(si, li);
  assert.equal(s.count, 3);
  assert.ok(Math.abs(s.value()! - -1) < 1e-12, 'only the anti-correlated last three remain');
  s.add(NaN, 1);
  assert.equal(s.count, 3);
  const c = new RollingSlcc();
  for (let i = 0; i < 4; i++) c.add(0.1, 5);
  assert.equal(c.value(), null);
  assert.throws(() => new RollingSlcc(2), RangeError);
});
