/**
 * @file Worker thread of `perceptual-lipsync bake --in-dir` (build entry `dist/bake-worker.js`): loads the
 * generator once, then bakes the files the main thread sends, one at a time, reporting progress. Runs only
 * as a worker (it does nothing when imported on the main thread).
 *
 * **Example:** started by `bakeBatch.ts` as
 * `new Worker(url, { workerData: { manifestPath, latencyHead } })`, then `worker.postMessage({ id, audio, out })`.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { bakeAudioFileAsync } from './bakeAudioFile.ts';
import type { BakeWorkerReply, IBakeWorkerData, IBakeWorkerTask } from './bakeWorkerMessages.ts';
import { loadBakeModelAsync } from './loadBakeModel.ts';

async function serve(): Promise<void> {
  const port = parentPort!;
  const post = (reply: BakeWorkerReply): void => port.postMessage(reply);
  let model;
  try {
    const data = workerData as IBakeWorkerData;
    model = await loadBakeModelAsync(data.manifestPath, data.latencyHead);
  } catch (e) {
    post({ type: 'fatal', name: (e as Error).name, message: (e as Error).message });
    return;
  }
  post({ type: 'ready' });
  port.on('message', (task: IBakeWorkerTask | 'close') => {
    if (task === 'close') {
      void model.session.releaseAsync().finally(() => port.close());
      return;
    }
    let last = 0;
    bakeAudioFileAsync(task.audio, task.out, model, (seconds) => {
      post({ type: 'progress', id: task.id, seconds: seconds - last });
      last = seconds;
    }).then(
      (r) => post({ type: 'done', id: task.id, frames: r.frames, durationSec: r.durationSec }),
      (e: unknown) =>
        post({
          type: 'failed',
          id: task.id,
          name: e instanceof Error ? e.name : 'Error',
          message: e instanceof Error ? e.message : String(e),
        }),
    );
  });
}

if (!isMainThread && (workerData as IBakeWorkerData | undefined)?.role === 'perceptual-lipsync-bake')
  void serve();
