// Option autoOffsetCorrection end to end (issue #15), with the loudness-envelope oracle encoders (their
// offset estimate measures the timing chain; see offsetAccuracy.test.ts): the lips are shown 80 ms early
// (lipsDelayMs −80, what a sound 80 ms late does to a viewer), the speech streams in for two passes of a
// 12.8 s clip (about 9 s of speech each). With the correction on, the lips shown and telemetry's offset
// settle within ±20 ms during the second pass, i.e. within 10 s of speech; with it off nothing changes.
// What telemetry cannot see (output latency the browser does not report) is not corrected: README.
import { expect } from '@esm-bundle/chai';
import { percentileOfSorted } from '../../../src/math/percentileOfSorted.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import { createTestRig } from '../behavior/testRig.ts';
import { OFFSET_SPEECH_WAV } from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { sleep } from '../support/waitFor.ts';

const ORACLE = new URL('../../fixtures/generated/oracle/manifest.json', import.meta.url).href;
const RATE = 24000;
const EARLY_MS = -80;

const median = (v: number[]) =>
  v.length
    ? percentileOfSorted(
        [...v].sort((a, b) => a - b),
        50,
      )
    : NaN;

describe('Automatic offset correction (autoOffsetCorrection)', function () {
  this.timeout(240000);
  const t = useLipSyncTestScene({ checkAudioContexts: false });

  async function runAsync(autoOffsetCorrection: boolean) {
    const ctx = new OfflineAudioContext(1, 1, RATE);
    const clip = (
      await ctx.decodeAudioData(await (await fetch(OFFSET_SPEECH_WAV)).arrayBuffer())
    ).getChannelData(0);
    const head = createTestRig(t.scene);
    const lipSync = t.make({
      modelManifestUrl: ORACLE,
      numThreads: 1,
      processingMarginMs: 400, // frames on hand 80 ms early, on a loaded 2-core CI machine
      autoOffsetCorrection,
    });
    lipSync.lipsDelayMs = EARLY_MS;
    head.addBehavior(lipSync);
    const samples: ITelemetrySample[] = [];
    lipSync.onTelemetryObservable.add((s) => samples.push(s));
    const shown: { timeSec: number; lagMs: number }[] = [];
    lipSync.onFrameObservable.add((f) => {
      if (f.playout === 'playing')
        shown.push({ timeSec: f.timeSec, lagMs: (f.timeSec - f.lipsTimeSec) * 1000 });
    });
    await lipSync.startAsync({ kind: 'pcmStream', sampleRateHz: RATE });
    const start = lipSync.audioContext!.currentTime;
    // The whole answer at once, twice (realtime APIs send faster than real time).
    for (let pass = 0; pass < 2; pass++) lipSync.pushAudio(clip);
    await sleep(((2 * clip.length) / RATE) * 1000 + 1500);
    lipSync.stop();
    const secondPass = start + clip.length / RATE + 0.5;
    const live = samples.filter(
      (s) => s.kind === 'live' && s.timeSec >= secondPass && s.avOffsetConfidence >= 0.5,
    );
    const result = {
      corrections: samples.map((s) => s.avOffsetCorrectionMs),
      finalCorrectionMs: samples[samples.length - 1]?.avOffsetCorrectionMs ?? null,
      residualMs: median(live.map((s) => s.avOffsetMs!)),
      estimates: live.length,
      shownLagMs: median(shown.filter((s) => s.timeSec >= secondPass).map((s) => s.lagMs)),
    };
    const steps = [...new Set(samples.map((s) => s.avOffsetCorrectionMs))]
      .map((c) => c?.toFixed(0))
      .join(' → ');
    console.log(
      `correction ${autoOffsetCorrection ? 'on' : 'off'}: corrections ${steps}; second pass: telemetry offset ` +
        `${result.residualMs.toFixed(1)} ms (${live.length} confident live estimates), lips shown ` +
        `${result.shownLagMs.toFixed(1)} ms behind the speech`,
    );
    await sleep(700);
    return result;
  }

  it('settles an 80 ms offset within ±20 ms within 10 s of speech; off, nothing changes', async () => {
    const on = await runAsync(true);
    expect(on.estimates, 'confident estimates in the second pass').to.be.at.least(3);
    expect(on.finalCorrectionMs!).to.be.closeTo(-EARLY_MS, 25);
    expect(Math.abs(on.shownLagMs), 'lips shown vs speech heard').to.be.at.most(20);
    expect(Math.abs(on.residualMs), 'telemetry residual').to.be.at.most(20);

    const off = await runAsync(false);
    expect(
      off.corrections.every((c) => c === null),
      'no correction reported',
    ).to.equal(true);
    expect(off.shownLagMs).to.be.closeTo(EARLY_MS, 5);
    expect(off.residualMs, 'telemetry still sees the offset').to.be.closeTo(EARLY_MS, 35);
  });
});
