import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IFloatTensor } from '../../../src/models/onnxBackend.ts';
import { ENCODER_CHUNK, runEncoderAsync } from '../../../src/worker/encoderRunner.ts';

/** An "encoder" embedding each window as [sum of its values, its row count in the run]. */
function fakeEncoder(runs: number[]) {
  return {
    inputName: 'x',
    outputName: 'y',
    label: 'speechEncoder',
    session: {
      async runTimedAsync(feeds: Readonly<Record<string, IFloatTensor>>) {
        const { data, dims } = feeds.x;
        runs.push(dims[0]);
        const per = data.length / dims[0];
        const y = new Float32Array(dims[0] * 2);
        for (let w = 0; w < dims[0]; w++) {
          for (let i = 0; i < per; i++) y[w * 2] += data[w * per + i];
          y[w * 2 + 1] = dims[0];
        }
        return { outputs: { y: { data: y, dims: [dims[0], 2] } }, runMs: 1.5 };
      },
    },
  };
}

test('windows are encoded in chunks of ENCODER_CHUNK, in order, each run timed', async () => {
  const n = ENCODER_CHUNK * 2 + 5;
  const batch = Float32Array.from({ length: n * 3 }, (_, i) => Math.floor(i / 3));
  const runs: number[] = [];
  const times: number[] = [];
  const out = await runEncoderAsync(fakeEncoder(runs), batch, [n, 3, 1], (ms) => times.push(ms));
  assert.deepEqual(runs, [ENCODER_CHUNK, ENCODER_CHUNK, 5]);
  assert.deepEqual(times, [1.5, 1.5, 1.5]);
  for (let w = 0; w < n; w++) assert.equal(out[w * 2], 3 * w, `window ${w}`);
});

test('a missing output is an error naming the encoder', async () => {
  const enc = { ...fakeEncoder([]), outputName: 'z' };
  await assert.rejects(
    runEncoderAsync(enc, new Float32Array(3), [1, 3], () => undefined),
    /speechEncoder output "z"/,
  );
});
