import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_HISTORY, WorkerCounters } from '../../../src/worker/workerCounters.ts';

test('run histories keep the last RUN_HISTORY runs per model; only generator runs count as generatorRuns', () => {
  const c = new WorkerCounters();
  for (let i = 0; i < RUN_HISTORY + 10; i++) c.recordRun('generator', i);
  c.recordRun('meshEncoder', 7);
  assert.equal(c.generatorRuns, RUN_HISTORY + 10);
  const g = c.runMs('generator');
  assert.equal(g.length, RUN_HISTORY);
  assert.equal(g[0], 10);
  assert.equal(g.at(-1), RUN_HISTORY + 9);
  assert.deepEqual(c.runMs('meshEncoder'), [7]);
  assert.deepEqual(c.runMs('speechEncoder'), []);
  g.push(-1); // a copy: the caller cannot change the history
  assert.equal(c.runMs('generator').length, RUN_HISTORY);
});
