// Live telemetry end to end in Chromium: real AudioContext, worklet, worker, onnxruntime-web (tiny
// test generator + tiny random metric encoders), the lips read back from a real Babylon mesh.
// Checks the contract of ITelemetrySample, not the quality of the (random) encoders.
import { expect } from '@esm-bundle/chai';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import { createTestRig } from '../behavior/testRig.ts';
import {
  MIC_SPEECH_WAV as SPEECH,
  TINY_GENERATOR_ONLY as GENERATOR_ONLY,
  TINY_MANIFEST as MANIFEST,
} from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { sleep } from '../support/waitFor.ts';

interface Received {
  sample: ITelemetrySample;
  /** AudioContext time when it arrived. */
  at: number;
}

/** Every number finite, every nullable null or finite, ranges as documented. */
function expectWellFormed(s: ITelemetrySample): void {
  const json = JSON.stringify(s, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? 'NaN!' : v));
  expect(json, 'no NaN / Infinity anywhere').not.to.contain('NaN!');
  expect(s.kind).to.be.oneOf(['live', 'utterance']);
  if (s.plrs !== null) expect(s.plrs).to.be.within(-1, 1);
  if (s.slcc !== null) expect(s.slcc).to.be.within(-1, 1);
  if (s.avOffsetMs !== null) expect(Math.abs(s.avOffsetMs)).to.be.at.most(250);
  expect(s.avOffsetConfidence).to.be.within(0, 1);
  if (s.avOffsetMs === null) expect(s.avOffsetConfidence).to.equal(0);
  expect(s.avOffsetWarning).to.equal(
    s.avOffsetMs !== null && Math.abs(s.avOffsetMs) > 45 && s.avOffsetConfidence >= 0.5,
  );
  expect(s.scoredWindows).to.be.at.least(0);
}

describe('Telemetry (onTelemetryObservable)', () => {
  const t = useLipSyncTestScene();

  /** Plays the speech clip to its end (the behavior stops itself) and returns what was reported. */
  async function playClip(manifestUrl: string) {
    const head = createTestRig(t.scene);
    const lipSync = t.make({ modelManifestUrl: manifestUrl });
    head.addBehavior(lipSync);
    const received: Received[] = [];
    let firstFrameSec = NaN;
    lipSync.onFrameObservable.add((f) => {
      if (Number.isNaN(firstFrameSec)) firstFrameSec = f.timeSec;
    });
    lipSync.onTelemetryObservable.add((sample) => {
      received.push({ sample, at: lipSync.audioContext?.currentTime ?? NaN });
    });
    const idle = new Promise<void>((resolve) =>
      lipSync.onStateChangedObservable.add(({ state }) => {
        if (state === 'idle') resolve();
      }),
    );
    await lipSync.startAsync({ kind: 'url', url: SPEECH });
    await Promise.race([idle, sleep(15000)]);
    expect(lipSync.state, 'the clip played to its end').to.equal('idle');
    return { received, firstFrameSec };
  }

  it('reports live samples a few times per second during speech and one summary per utterance', async () => {
    const { received, firstFrameSec } = await playClip(MANIFEST);
    const live = received.filter((r) => r.sample.kind === 'live');
    const utterances = received.filter((r) => r.sample.kind === 'utterance');
    console.log(
      `telemetry: ${live.length} live, ${utterances.length} utterance samples; last live:`,
      JSON.stringify(live.at(-1)?.sample),
    );
    received.forEach((r) => expectWellFormed(r.sample));
    // ~4.5 s of speech (+ 300 ms hangovers) at 4 updates/s; pauses longer than the hangover are silence.
    // (Lower bounds are loose: on a loaded 2-core CI machine timers and the audio thread stall.)
    expect(live.length, 'live samples').to.be.within(4, 30);
    const span = live.at(-1)!.at - live[0].at;
    expect(live.length / span, 'updates per second').to.be.within(1, 5);
    expect(utterances.length, 'utterance summaries').to.be.at.least(1);

    // Nothing from silence: no sample for the clip's leading 0.5 s, none after the last utterance ended.
    for (const r of received) expect(r.sample.timeSec).to.be.greaterThan(firstFrameSec + 0.45);
    const lastEnd = utterances.at(-1)!.sample.timeSec;
    for (const r of live)
      expect(r.sample.timeSec, 'live sample in trailing silence').to.be.at.most(lastEnd + 0.35);

    // System fields.
    const last = live.at(-1)!.sample;
    expect(last.backend).to.equal('wasm');
    expect(last.wasmThreads).to.be.at.least(1);
    for (const model of ['generator', 'speechEncoder', 'meshEncoder']) {
      const t = last.inference[model];
      expect(t, `${model} timing`).to.not.equal(undefined);
      expect(t.runs).to.be.greaterThan(0);
      expect(t.p50Ms).to.be.at.least(0);
      expect(t.p95Ms).to.be.at.least(t.p50Ms);
    }
    expect(last.latencyMs, 'capture → applied latency').to.be.within(50, 1000);
    expect(last.droppedChunks).to.be.at.least(0);
    expect(last.queueDepth).to.be.at.least(0);
    // Lip readability and sync come from the (random) encoders: present, in range, not NaN.
    expect(
      live.some((r) => r.sample.plrs !== null),
      'PLRS measured',
    ).to.equal(true);
    expect(
      live.some((r) => r.sample.avOffsetMs !== null),
      'offset measured',
    ).to.equal(true);
    // Expressiveness.
    const u = utterances.at(-1)!.sample;
    expect(u.speechIntensityDb).to.be.within(-60, 0);
    expect(u.lipIntensityMmPerSec).to.be.greaterThan(0);
    expect(u.plrs).to.not.equal(null);
  });

  it('without metric encoders, PLRS and offset are null but system and expressiveness still flow', async () => {
    const { received } = await playClip(GENERATOR_ONLY);
    const live = received.filter((r) => r.sample.kind === 'live');
    expect(live.length).to.be.at.least(3);
    received.forEach((r) => expectWellFormed(r.sample));
    for (const { sample } of received) {
      expect(sample.plrs).to.equal(null);
      expect(sample.avOffsetMs).to.equal(null);
      expect(sample.scoredWindows).to.equal(0);
    }
    const last = live.at(-1)!.sample;
    expect(Object.keys(last.inference)).to.deep.equal(['generator']);
    expect(last.speechIntensityDb).to.be.within(-60, 0);
    expect(last.lipIntensityMmPerSec).to.be.greaterThan(0);
    expect(last.latencyMs).to.be.greaterThan(0);
  });
});
