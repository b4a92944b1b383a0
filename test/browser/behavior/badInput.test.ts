// Issue #6 (bad input), in real Chromium with the tiny test generator: speech at every common sample
// rate (as the AudioContext's rate and as an AudioBuffer's own rate), and a broken source (clipped
// full-scale noise with NaN and ±Infinity samples). Frames flow, lips move for speech, no NaN anywhere.
// An hour of silence: ../worker/silenceHour.test.ts.
import { expect } from '@esm-bundle/chai';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { PerceptualLipSyncBehavior } from '../../../src/behavior/perceptualLipSyncBehavior.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import { MIC_SPEECH_WAV } from '../support/fixtures.ts';
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
