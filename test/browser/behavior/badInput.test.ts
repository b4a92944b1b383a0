// Issue #6 (bad input), in real Chromium with the tiny test generator: speech at every common sample
// rate (as the AudioContext's rate and as an AudioBuffer's own rate), and a broken source (clipped
// full-scale noise with NaN and ±Infinity samples). Frames flow, lips move for speech, no NaN anywhere.
import { expect } from '@esm-bundle/chai';
import { proxy, transfer } from 'comlink';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { PerceptualLipSyncBehavior } from '../../../src/behavior/perceptualLipSyncBehavior.ts';
import { defaultWorkerUrl } from '../../../src/assetUrls.ts';
import { LipsPlayout } from '../../../src/playout/lipsPlayout.ts';
import { isDigitalSilence } from '../../../src/playout/silenceGate.ts';
import { LIPS_V1 } from '../../../src/rig/lipsV1.ts';
import { TelemetryAggregator } from '../../../src/telemetry/telemetryAggregator.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';
import { acquireLipSyncWorkerAsync } from '../../../src/worker/lipSyncWorkerClient.ts';
import { MIC_SPEECH_WAV, TINY_MANIFEST } from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { morphInfluences } from '../support/morphInfluences.ts';
import { waitFor } from '../support/waitFor.ts';
import { createTestRig } from './testRig.ts';

const RATES = [8000, 16000, 22050, 44100, 48000, 96000];

/** The speech of mic-speech.wav (its leading 0.5 s of silence cut) resampled to `rate` by the browser. */
async function speechAt(rate: number): Promise<AudioBuffer> {
  const bytes = await (await fetch(MIC_SPEECH_WAV)).arrayBuffer();
  const decoded = await new OfflineAudioContext(1, 1, rate).decodeAudioData(bytes);
  const speech = decoded.getChannelData(0).subarray(Math.round(0.5 * rate));
  const buffer = new AudioBuffer({ length: speech.length, sampleRate: rate, numberOfChannels: 1 });
  buffer.copyToChannel(speech, 0);
  return buffer;
}

/** Records the influences of every applied frame. */
function recordInfluences(lipSync: PerceptualLipSyncBehavior, head: Mesh): number[][] {
  const all: number[][] = [];
  lipSync.onFrameObservable.add(() => all.push(morphInfluences(head)));
  return all;
}

/** Lips move: enough frames away from rest, and the jaw (target 0) opens and closes. */
function lipsMove(influences: number[][]): boolean {
  const moving = influences.filter((v) => v.some((x) => Math.abs(x) > 1e-3)).length;
  const jaw = influences.map((v) => v[0]);
  return moving >= 15 && Math.max(...jaw) - Math.min(...jaw) > 0.01;
}

/** Every number finite (JSON would turn NaN and Infinity into null: check before that). */
function allFinite(value: unknown): boolean {
  let ok = true;
  JSON.stringify(value, (_k, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) ok = false;
    return v;
  });
  return ok;
}

describe('PerceptualLipSyncBehavior with unusual or broken input', () => {
  const t = useLipSyncTestScene();

  async function playAndExpectLips(
    lipSync: PerceptualLipSyncBehavior,
    head: Mesh,
    buffer: AudioBuffer,
    what: string,
  ): Promise<void> {
    head.addBehavior(lipSync);
    const influences = recordInfluences(lipSync, head);
    const errors: Error[] = [];
    lipSync.onErrorObservable.add((e) => errors.push(e));
    await lipSync.startAsync({ kind: 'audioBuffer', buffer });
    await waitFor(() => lipsMove(influences), 15000, `lips moving for ${what}`).catch((e) => {
      const jaw = influences.map((v) => v[0]);
      console.log(
        what,
        buffer.duration,
        influences.length,
        Math.min(...jaw),
        Math.max(...jaw),
        lipSync.state,
        JSON.stringify(influences.slice(-3)),
      );
      throw e;
    });
    expect(errors, 'errors').to.have.length(0);
    expect(allFinite(influences), 'finite influences').to.equal(true);
    lipSync.stop();
  }

  for (const rate of RATES) {
    it(`lip-syncs speech in an AudioContext running at ${rate} Hz`, async () => {
      const context = new AudioContext({ sampleRate: rate });
      try {
        expect(context.sampleRate).to.equal(rate);
        const head = createTestRig(t.scene);
        const lipSync = t.make({ audioContext: context });
        await playAndExpectLips(lipSync, head, await speechAt(rate), `a ${rate} Hz context`);
      } finally {
        await context.close(); // ours: the behavior never closes an injected context
      }
    });
  }

  for (const rate of RATES) {
    it(`lip-syncs an AudioBuffer sampled at ${rate} Hz (shared context at its own rate)`, async () => {
      const head = createTestRig(t.scene);
      const lipSync = t.make();
      const buffer = await speechAt(rate);
      expect(buffer.sampleRate).to.equal(rate);
      await playAndExpectLips(lipSync, head, buffer, `a ${rate} Hz buffer`);
    });
  }

  it('keeps running on clipped full-scale noise with NaN and ±Infinity samples: no NaN anywhere, lips bounded', async () => {
    const rate = 48000;
    const buffer = new AudioBuffer({ length: 5 * rate, sampleRate: rate, numberOfChannels: 1 });
    const x = buffer.getChannelData(0);
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1; // seeded
    for (let i = 0; i < x.length; i++) x[i] = 3 * random(); // mostly clipped beyond full scale
    for (let i = 0; i < x.length; i += 101) x[i] = NaN;
    for (let i = 50; i < x.length; i += 211) x[i] = Infinity;
    for (let i = 70; i < x.length; i += 307) x[i] = -Infinity;
    expect(buffer.getChannelData(0).some(Number.isNaN), 'the buffer holds NaN').to.equal(true);

    const head = createTestRig(t.scene);
    const lipSync = t.make();
    head.addBehavior(lipSync);
    const rig = lipSync.rig!;
    const influences = recordInfluences(lipSync, head);
    const points: boolean[] = [];
    lipSync.onFrameObservable.add((f) => points.push(f.points.every(Number.isFinite)));
    const telemetry: ITelemetrySample[] = [];
    lipSync.onTelemetryObservable.add((s) => telemetry.push(s));
    const errors: Error[] = [];
    lipSync.onErrorObservable.add((e) => errors.push(e));
    await lipSync.startAsync({ kind: 'audioBuffer', buffer });
    // Noise is loud "speech" for the telemetry gate: samples flow, and must be well formed.
    await waitFor(
      () => influences.length >= 120 && telemetry.length >= 3,
      20000,
      'frames and telemetry on noise',
    ).catch((e) => {
      console.log(
        'noise',
        influences.length,
        telemetry.length,
        lipSync.state,
        JSON.stringify(influences.slice(-3)),
      );
      throw e;
    });
    expect(lipSync.state, 'still running').to.equal('running');
    expect(errors, 'errors').to.have.length(0);
    expect(points.every(Boolean), 'finite lips points').to.equal(true);
    expect(allFinite(influences), 'finite influences').to.equal(true);
    for (const v of influences)
      rig.morphs.forEach((m) => expect(v[m.targetIndex]).to.be.within(m.min - 1e-6, m.max + 1e-6));
    expect(
      influences.some((v) => v.some((x) => Math.abs(x) > 1e-3)),
      'frames were generated (not only rest)',
    ).to.equal(true);
    expect(allFinite(telemetry), 'finite telemetry').to.equal(true);
    lipSync.stop();
  });
});

describe('An hour of digital silence (simulated faster than real time)', () => {
  it('360,000 zero chunks of 10 ms pushed straight into the worker, frames through the playout gate and telemetry: lips at rest, no telemetry, bounded memory, no NaN', async function () {
    this.timeout(600000);
    const worker = await acquireLipSyncWorkerAsync(defaultWorkerUrl(), {
      manifestUrl: TINY_MANIFEST,
      executionProviders: ['wasm'],
      numThreads: 1,
    });
    try {
      // The main-thread stages the behavior runs per frame (pure): silence gate, playout, telemetry.
      const playout = new LipsPlayout(LIPS_V1.neutral);
      const telemetry = new TelemetryAggregator({ meshWindowFrames: 10 });
      const samples: ITelemetrySample[] = [];
      const shown = new Float32Array(63);
      const restLips = new Float32Array(63); // read back from an avatar at rest: zero displacement
      let frames = 0;
      let nonFinite = 0;
      let notAtRest = 0;
      let newestSec = 0;
      const sink = (block: LipsFrameBlock) => {
        frames += block.frames;
        telemetry.onFrames(block.firstTimeSec, block.frameDurationSec, block.speechRms);
        for (let f = 0; f < block.frames; f++) {
          const timeSec = block.firstTimeSec + f * block.frameDurationSec;
          const points = block.points.subarray(f * 63, f * 63 + 63);
          if (!Number.isFinite(block.speechRms[f]) || !points.every(Number.isFinite)) nonFinite++;
          playout.push({ timeSec, points: isDigitalSilence(block.speechRms[f]) ? LIPS_V1.neutral : points });
          playout.sample(timeSec, shown);
          if (shown.some((v, i) => Math.abs(v - LIPS_V1.neutral[i]) > 1e-6)) notAtRest++;
          telemetry.recordFrame(timeSec, restLips, 0.1);
          newestSec = timeSec;
        }
        samples.push(...telemetry.takeSamples());
      };
      const id = 1;
      await worker.api.openPushStream(id, proxy(sink));
      const CHUNKS = 360_000; // one hour of 10 ms chunks
      const BATCH = 2000;
      let footprintAfterAMinute = 0;
      const t0 = performance.now();
      for (let n = 0; n < CHUNKS; n += BATCH) {
        const calls: Promise<void>[] = [];
        for (let c = n; c < n + BATCH; c++) {
          const samples16k = new Float32Array(160);
          calls.push(
            worker.api.pushAudio(
              id,
              transfer({ samples: samples16k, firstSample: c * 160, contextTimeSec: c * 0.01 }, [
                samples16k.buffer,
              ]),
            ),
          );
        }
        await Promise.all(calls); // backpressure: the worker has taken this batch in
        if (n + BATCH === 6000) footprintAfterAMinute = (await worker.api.streamFootprint(id))!;
      }
      const stats = await worker.api.getStats();
      await waitFor(() => newestSec > 3599, 60000, 'the last frames');
      const footprintAfterAnHour = (await worker.api.streamFootprint(id))!;
      console.log(
        `an hour of silence in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${frames} frames, ` +
          `${stats.droppedChunks} outputs dropped by backlog, worker buffers ${footprintAfterAMinute} → ${footprintAfterAnHour} floats`,
      );
      expect(stats.samplesReceived, 'samples received').to.equal(CHUNKS * 160);
      expect(frames + stats.droppedChunks, 'every output frame made or dropped').to.be.within(
        179_990,
        180_000,
      );
      expect(nonFinite, 'frames with NaN or Infinity').to.equal(0);
      expect(notAtRest, 'frames not at rest').to.equal(0);
      expect(samples, 'telemetry samples from silence').to.have.length(0);
      expect(footprintAfterAnHour, 'worker buffers bounded').to.be.at.most(footprintAfterAMinute);
      expect(playout.buffer.size, 'playout buffer bounded').to.be.at.most(64);
      expect((await worker.api.getStats()).queueDepth, 'no queue left').to.equal(0);
    } finally {
      await worker.releaseAsync();
    }
  });
});
