import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LipSyncError, ModelLoadError, WorkerCrashError } from '../../../src/errors.ts';
import {
  MAX_RESTARTS_WITHOUT_FRAMES,
  WorkerSupervisor,
  type ISupervisedWorker,
  type IWorkerSupervisorHost,
} from '../../../src/behavior/workerSupervisor.ts';

class FakeWorker implements ISupervisedWorker {
  static made = 0;
  readonly id = ++FakeWorker.made;
  killed = false;
  released = false;
  readonly crashed: Promise<WorkerCrashError>;
  crash!: (e: WorkerCrashError) => void;
  constructor() {
    this.crashed = new Promise((r) => (this.crash = r));
  }
  kill(): void {
    this.killed = true;
  }
  releaseAsync(): Promise<void> {
    this.released = true;
    return Promise.resolve();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setup(opts: { open?: (w: FakeWorker) => Promise<void>; acquire?: () => Promise<FakeWorker> } = {}) {
  const log: string[] = [];
  const opened: FakeWorker[] = [];
  let alive = true;
  let now = 1000;
  const host: IWorkerSupervisorHost<FakeWorker> = {
    alive: () => alive,
    acquireAsync: opts.acquire ?? (async () => new FakeWorker()),
    openStreamAsync:
      opts.open ??
      (async (w) => {
        opened.push(w);
      }),
    onCrash: (e) => log.push(`crash:${e.message}`),
    onRecovered: () => log.push('recovered'),
    onGiveUp: (e) => log.push(`giveUp:${e.constructor.name}:${e.message}`),
    nowMs: () => now,
  };
  const s = new WorkerSupervisor(host);
  return {
    s,
    log,
    opened,
    kill: () => (alive = false),
    advance: (ms: number) => (now += ms),
  };
}

describe('WorkerSupervisor', () => {
  test('a crash of the watched worker restarts the stream in a fresh one; frames end the gap', async () => {
    const { s, log, opened, advance } = setup();
    const first = new FakeWorker();
    s.worker = first;
    s.watch(first);
    first.crash(new WorkerCrashError('boom'));
    await tick();
    await tick();
    assert.deepEqual(log, ['crash:boom', 'recovered']);
    assert.ok(first.killed, 'the crashed worker is handed back');
    assert.equal(opened.length, 1);
    assert.equal(s.worker, opened[0]);
    assert.equal(s.restarts, 1);
    advance(250);
    assert.equal(s.onFrames(), true);
    assert.equal(s.gapMs, 250);
    assert.equal(s.restartsWithoutFrames, 0);
    assert.equal(s.onFrames(), false, 'only the first frames end a gap');
  });

  test('a worker that is no longer current is not restarted', async () => {
    const { s, log } = setup();
    const old = new FakeWorker();
    s.watch(old);
    s.worker = new FakeWorker();
    old.crash(new WorkerCrashError('late'));
    await tick();
    assert.deepEqual(log, []);
  });

  test(`gives up after ${MAX_RESTARTS_WITHOUT_FRAMES} crashes in a row without a frame`, async () => {
    const { s, log } = setup({
      open: async () => {
        throw new WorkerCrashError('dies at once');
      },
    });
    await s.restartAsync(new WorkerCrashError('first'));
    assert.equal(log[0], 'crash:first');
    assert.equal(log.length, 2);
    assert.match(log[1], /^giveUp:WorkerCrashError:The lip-sync worker crashed 3 times in a row/);
    assert.match(log[1], /dies at once/);
    assert.equal(s.restarts, MAX_RESTARTS_WITHOUT_FRAMES + 1);
    assert.equal(s.worker, null);
  });

  test('a replacement that fails otherwise ends the session with that error', async () => {
    const { s, log } = setup({
      acquire: async () => {
        throw new ModelLoadError('no model');
      },
    });
    await s.restartAsync(new WorkerCrashError('x'));
    assert.deepEqual(log, ['crash:x', 'giveUp:ModelLoadError:no model']);
    const plain = setup({
      acquire: async () => {
        throw new TypeError('odd');
      },
    });
    await plain.s.restartAsync(new WorkerCrashError('y'));
    assert.match(plain.log[1], /^giveUp:WorkerCrashError:TypeError: odd/);
    assert.ok(new WorkerCrashError('z') instanceof LipSyncError);
  });

  test('stopped meanwhile: the fresh worker is released, nothing else happens', async () => {
    let made: FakeWorker | null = null;
    const ctl = setup({
      acquire: async () => {
        ctl.kill();
        return (made = new FakeWorker());
      },
    });
    await ctl.s.restartAsync(new WorkerCrashError('x'));
    assert.deepEqual(ctl.log, ['crash:x']);
    assert.ok(made!.released);
    assert.equal(ctl.s.worker, null);
    assert.equal(ctl.s.take(), null);
  });
});
