// One worker stream without a worker or ORT: a fake generator session whose displacement is the window's
// mean mel value, so frame times, grid alignment, interrupts, coalescing and speech RMS can be checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURES_V1 } from '../../../src/features/featureSpec.ts';
import { LIPS_V1_VALUES } from '../../../src/metrics/lipsV1Layout.ts';
import type { GeneratorSession } from '../../../src/models/generatorRunners.ts';
import type { IModelManifest } from '../../../src/models/modelManifest.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';
import {
  createLipsStream,
  generatorBacklogFrames,
  ingest,
  streamFootprint,
  type LipsStream,
} from '../../../src/worker/lipsStream.ts';
import { WorkerCounters } from '../../../src/worker/workerCounters.ts';
import { generatorManifest } from '../models/generatorManifest.ts';

const SR = FEATURES_V1.sampleRateHz;
const HOP = FEATURES_V1.hopLengthSamples;
const manifest: IModelManifest = { generator: generatorManifest({ contextFrames: 2 }) } as IModelManifest;
const K = manifest.generator.melFramesPerOutputFrame;

/** A session that outputs a constant displacement per output frame and counts its runs. */
function fakeSession(value = 0.001): GeneratorSession & { runs: number; hold?: Promise<void> } {
  const s: GeneratorSession & { runs: number; hold?: Promise<void> } = {
    runs: 0,
    async runAsync(feeds) {
      s.runs++;
      if (s.hold) await s.hold;
      const frames = feeds.mel.dims[1];
      return {
        lips: { data: new Float32Array(Math.ceil(frames / K) * LIPS_V1_VALUES).fill(value), dims: [] },
      };
    },
  };
  return s;
}

function open(session: GeneratorSession, counters = new WorkerCounters()) {
  const blocks: LipsFrameBlock[] = [];
  const stream = createLipsStream({ manifest, session, telemetryEncoders: false, counters }, null, (b) =>
    blocks.push(b),
  );
  return { stream, blocks, counters };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const sine = (n: number, amp: number) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin(i * 0.3));

async function feed(
  stream: LipsStream,
  samples: Float32Array,
  firstSample: number,
  timeSec: number,
  step = 1600,
) {
  for (let i = 0; i < samples.length; i += step) {
    ingest(stream, {
      samples: samples.slice(i, i + step),
      firstSample: firstSample + i,
      contextTimeSec: timeSec + i / SR,
    });
    await settle();
  }
}

test('frames are on the audio clock: t0 snaps to the capture’s output-frame grid, frames are contiguous', async () => {
  const { stream, blocks, counters } = open(fakeSession(0.002));
  // Capture sample 100 at AudioContext time 1.0 s: the grid (K hops = 320 samples) starts 220 samples later.
  await feed(stream, sine(16000, 0.5), 100, 1.0);
  assert.equal(stream.t0, 1.0 + 220 / SR);
  assert.ok(blocks.length > 0);
  const dur = (K * HOP) / SR;
  let next = stream.t0!;
  for (const b of blocks) {
    assert.ok(Math.abs(b.firstTimeSec - next) < 1e-9, `block at ${b.firstTimeSec}, expected ${next}`);
    assert.equal(b.frameDurationSec, dur);
    assert.equal(b.displacements.length, b.frames * LIPS_V1_VALUES);
    next += b.frames * dur;
  }
  // The block carries the generated displacements as they are (no neutral pose added in the worker).
  assert.equal(blocks[0].displacements[5], Math.fround(0.002));
  assert.equal(counters.samplesReceived, 16000 - 220);
  assert.equal(generatorBacklogFrames(stream) < K * 2, true);
});

test('speech RMS per frame is the RMS of the frame’s own samples (silence 0, full-scale square 1)', async () => {
  const { stream, blocks } = open(fakeSession());
  const x = new Float32Array(8000);
  x.fill(1, 3200, 6400); // frames 10..19 (320 samples each) are a constant 1
  await feed(stream, x, 0, 0);
  const rms = blocks.flatMap((b) => [...b.speechRms]);
  assert.ok(rms.length >= 20);
  for (let f = 0; f < 10; f++) assert.equal(rms[f], 0, `frame ${f}`);
  for (let f = 10; f < 20; f++) assert.ok(Math.abs(rms[f] - 1) < 1e-6, `frame ${f}: ${rms[f]}`);
});

test('audio before skipBeforeSec is dropped and non-finite samples become silence', async () => {
  const { stream, blocks } = open(fakeSession());
  stream.skipBeforeSec = 0.5;
  const x = new Float32Array(16000).fill(0.25);
  x[9000] = Number.NaN;
  await feed(stream, x, 0, 0);
  assert.equal(stream.t0, 0.5);
  assert.ok(blocks[0].firstTimeSec >= 0.5);
  assert.ok(blocks.every((b) => b.speechRms.every(Number.isFinite)));
});

test('a pump asked for while one runs is coalesced into it, and a closed stream emits nothing more', async () => {
  const session = fakeSession();
  let release!: () => void;
  session.hold = new Promise<void>((r) => (release = r));
  const { stream, blocks } = open(session);
  await feed(stream, sine(4800, 0.3), 0, 0, 320);
  assert.equal(session.runs, 1); // the first run is held; later chunks only mark the stream dirty
  assert.ok(stream.coalesced >= 1);
  stream.closed = true;
  session.hold = undefined;
  release();
  await settle();
  await settle();
  assert.equal(blocks.length, 0);
});

test('the stream’s buffers stay bounded over a long stream', async () => {
  const { stream } = open(fakeSession());
  await feed(stream, sine(SR * 2, 0.1), 0, 0);
  const early = streamFootprint(stream);
  await feed(stream, sine(SR * 20, 0.1), SR * 2, 2);
  assert.equal(streamFootprint(stream), early);
});

test('a live stream (a microphone) runs one output per run; a played one keeps its batches', () => {
  const long: IModelManifest = { generator: generatorManifest({ contextFrames: 118 }) } as IModelManifest;
  const context = {
    manifest: long,
    session: fakeSession(),
    telemetryEncoders: false,
    counters: new WorkerCounters(),
  };
  const live = createLipsStream(context, null, () => undefined, true);
  const played = createLipsStream(context, null, () => undefined);
  assert.equal(live.live, true);
  assert.equal(live.generator.outputsPerRun, 1);
  assert.equal(played.generator.outputsPerRun, 3);
});
