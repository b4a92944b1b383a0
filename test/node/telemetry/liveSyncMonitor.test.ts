import { describe, test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { AvOffsetCorrector } from '../../../src/telemetry/avOffsetCorrector.ts';
import {
  LiveSyncMonitor,
  TELEMETRY_INTERVAL_MS,
  type ILiveSyncMonitorHost,
  type ITelemetryScoreReply,
} from '../../../src/telemetry/liveSyncMonitor.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';

const REPLY: ITelemetryScoreReply = {
  shiftsMs: [0],
  windows: [],
  backend: 'wasm',
  backends: {},
  wasmThreads: 2,
  runMs: { generator: [4, 5, 6] },
  droppedChunks: 3,
  queueDepth: 1,
};

function fakeHost(overrides: Partial<ILiveSyncMonitorHost> = {}) {
  const emitted: ITelemetrySample[] = [];
  const requests: { firstTimeSec: number; frames: number; lips: Float32Array }[] = [];
  const counters = { restarts: 0, gapMs: null as number | null };
  let reply: Promise<ITelemetryScoreReply | null> = Promise.resolve(REPLY);
  const host: ILiveSyncMonitorHost = {
    scoreAsync: (firstTimeSec, frames, lips) => {
      requests.push({ firstTimeSec, frames, lips });
      return reply;
    },
    wanted: () => true,
    workerReady: () => true,
    emit: (s) => emitted.push(s),
    restartCounters: () => counters,
    ...overrides,
  };
  return { host, emitted, requests, counters, setReply: (r: typeof reply) => (reply = r) };
}

/** Speech for 1 s at 50 fps: frame RMS, and the read-back lips moving with it. */
function feedSpeech(m: LiveSyncMonitor, seconds: number): void {
  const frames = Math.round(seconds * 50);
  m.onFrames({ firstTimeSec: 0, frameDurationSec: 0.02, speechRms: new Float32Array(frames).fill(0.1) });
  const shown = new Float32Array(63);
  for (let j = 0; j < frames; j++) {
    shown.fill(0.001 * Math.sin(j));
    m.recordShownLips((j + 1) * 0.02, shown, 0.05);
  }
}

describe('LiveSyncMonitor', () => {
  test('read-back: the displacements shown are what is scored', () => {
    const { host } = fakeHost();
    const m = new LiveSyncMonitor(host);
    m.onFrames({ firstTimeSec: 0, frameDurationSec: 0.02, speechRms: [0.1, 0.1, 0.1] });
    m.recordShownLips(0.02, new Float32Array(63).fill(0.25), 0.01);
    m.recordShownLips(0.04, new Float32Array(63).fill(0.25), 0.01);
    m.recordShownLips(0.06, new Float32Array(63).fill(0.25), 0.01);
    const req = m.aggregator.scoreRequest();
    assert.ok(req, 'speech recorded');
    assert.equal(req.lips[0], 0.25);
  });

  test('tick: emits due samples, then asks for scores once at a time; the reply sets the system fields', async () => {
    const { host, emitted, requests, counters } = fakeHost();
    const m = new LiveSyncMonitor(host, { system: { backend: 'webgpu', wasmThreads: 4 } });
    feedSpeech(m, 1);
    m.tick();
    assert.equal(emitted.length, 1);
    assert.equal(emitted[0].kind, 'live');
    assert.equal(emitted[0].backend, 'webgpu', 'known from the start');
    assert.equal(emitted[0].avOffsetCorrectionMs, null);
    assert.equal(emitted[0].playoutMargin, null, 'no playout margin from a host without one');
    assert.equal(requests.length, 1);
    assert.ok(requests[0].frames > 0);
    assert.equal(m.busy, true);
    m.tick();
    assert.equal(requests.length, 1, 'no second request while one runs');
    await new Promise((r) => setImmediate(r));
    assert.equal(m.busy, false);
    counters.restarts = 2;
    counters.gapMs = 120;
    m.refreshSystem();
    m.tick();
    const last = emitted.at(-1)!;
    assert.equal(last.backend, 'wasm');
    assert.equal(last.droppedChunks, 3);
    assert.equal(last.workerRestarts, 2);
    assert.equal(last.workerGapMs, 120);
    assert.ok(last.inference.generator, 'run-time percentiles');
  });

  test('nothing while no one listens or no worker is there; a dead worker frees the next request', async () => {
    let wanted = false;
    let ready = true;
    const f = fakeHost({ wanted: () => wanted, workerReady: () => ready });
    const m = new LiveSyncMonitor(f.host);
    feedSpeech(m, 1);
    m.tick();
    assert.equal(f.emitted.length + f.requests.length, 0);
    wanted = true;
    ready = false;
    m.tick();
    assert.equal(f.emitted.length + f.requests.length, 0);
    ready = true;
    f.setReply(new Promise(() => undefined)); // a request to a worker that died: never settles
    m.tick();
    assert.equal(m.busy, true);
    m.workerReplaced();
    f.setReply(Promise.reject(new Error('gone')));
    m.tick();
    assert.equal(f.requests.length, 2);
    await new Promise((r) => setImmediate(r));
    assert.equal(m.busy, false, 'a rejected request is over');
  });

  test('with the correction on, samples carry it and it feeds the lips delay', () => {
    const { host, emitted } = fakeHost();
    const corrector = new AvOffsetCorrector();
    corrector.correctionMs = -12;
    const m = new LiveSyncMonitor(host, { corrector });
    assert.equal(m.correctionMs, -12);
    feedSpeech(m, 1);
    m.tick();
    assert.equal(emitted[0].avOffsetCorrectionMs, corrector.correctionMs);
    assert.equal(new LiveSyncMonitor(host).correctionMs, null);
  });

  test('start ticks every TELEMETRY_INTERVAL_MS until dispose', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      let ticks = 0;
      const { host } = fakeHost({ wanted: () => (ticks++, false) });
      const m = new LiveSyncMonitor(host);
      m.start();
      mock.timers.tick(TELEMETRY_INTERVAL_MS * 3);
      assert.equal(ticks, 3);
      m.dispose();
      mock.timers.tick(TELEMETRY_INTERVAL_MS * 3);
      assert.equal(ticks, 3);
    } finally {
      mock.timers.reset();
    }
  });

  test('tick: each sample carries the playout margin in force and its reason', () => {
    let margin = { marginMs: 20, arrivalJitterMs: 3, reason: 'start' as const };
    const { host, emitted } = fakeHost({ playoutMargin: () => margin });
    const m = new LiveSyncMonitor(host);
    feedSpeech(m, 1);
    m.tick();
    assert.deepEqual(emitted[0].playoutMargin, { marginMs: 20, arrivalJitterMs: 3, reason: 'start' });
    margin = { marginMs: 5, arrivalJitterMs: 1, reason: 'floor' as never };
    feedSpeech(m, 1);
    m.tick();
    assert.equal(emitted.at(-1)?.playoutMargin?.reason, 'floor', 'read at each tick');
  });
});
