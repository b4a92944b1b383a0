// Issue #7 acceptance: with the TRAINED metric encoders (models/manifest.json), live telemetry
// measures a deliberate 100 ms lips delay as 100 ± 35 ms and the undelayed avatar within ±35 ms, and
// PLRS is higher for lips on their own speech than for lips on other speech. What the avatar really
// showed is measured independently of the telemetry (each frame event's `timeSec − lipsTimeSec`): on a
// starved machine late frames are held and the lips really are late, and the telemetry must say so. Skips (with the reason)
// while models/manifest.json has no `metricEncoders`, or while MODEL_CARD.md marks the shipped files as
// a placeholder (smoke-corpus weights): untrained encoders cannot measure anything.
import { expect } from '@esm-bundle/chai';
import { proxy, releaseProxy, transfer, wrap } from 'comlink';
import type { Scene } from '@babylonjs/core/scene.js';
import { defaultWorkerUrl } from '../../../src/assetUrls.ts';
import { PerceptualLipSyncBehavior } from '../../../src/behavior/perceptualLipSyncBehavior.ts';
import { aggregateWindowScores, type IWindowScore } from '../../../src/telemetry/aggregateWindowScores.ts';
import { percentileOfSorted } from '../../../src/math/percentileOfSorted.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import type { LipSyncWorkerApi } from '../../../src/worker/lipSyncWorker.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';
import { createTestRig } from '../behavior/testRig.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';

/** The shipped models; `?manifest=<url>` on the test page is not supported: edit here to try others. */
const MANIFEST = new URL('/models/manifest.json', location.href).href;
// ~12 s of espeak-ng speech in several utterances (scripts/make-test-fixtures).
const SPEECH = new URL('../../fixtures/generated/offset-speech.wav', import.meta.url).href;
const OTHER_SPEECH = new URL('../../fixtures/generated/mic-speech.wav', import.meta.url).href;
const TOLERANCE_MS = 35;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why the acceptance tests cannot run yet, or null when the trained encoders are there. */
async function whyNotRunnable(): Promise<string | null> {
  const res = await fetch(MANIFEST).catch(() => null);
  if (!res?.ok) return `${MANIFEST} is not there (HTTP ${res?.status ?? 'error'})`;
  const m = (await res.json().catch(() => null)) as { metricEncoders?: unknown } | null;
  if (!m?.metricEncoders) return `${MANIFEST} has no metricEncoders`;
  // The first shipped files were smoke-corpus weights, marked so in the model card: not trained encoders.
  const card = await fetch(new URL('MODEL_CARD.md', MANIFEST)).then((r) => (r.ok ? r.text() : ''));
  const status = /\*\*Status:([^*]*)\*\*/.exec(card)?.[1] ?? '';
  if (/placeholder/i.test(status)) return `the models are a placeholder (MODEL_CARD.md status:${status})`;
  return null;
}

/** Window-weighted mean of a field over the utterance summaries that measured it. */
function pooled(samples: ITelemetrySample[], field: 'avOffsetMs' | 'plrs'): number | null {
  let sum = 0;
  let weight = 0;
  for (const s of samples) {
    const v = s[field];
    if (s.kind !== 'utterance' || v === null || s.scoredWindows === 0) continue;
    sum += v * s.scoredWindows;
    weight += s.scoredWindows;
  }
  return weight > 0 ? sum / weight : null;
}

/**
 * The clip's offset: the median of its utterances' offsets. On a loaded CI machine one utterance of four
 * once read −236 ms (a stalled render loop) among 78, 84 and 108 ms, and a window-weighted mean let that
 * one utterance decide.
 */
function clipOffset(samples: ITelemetrySample[]): number | null {
  const v = samples
    .filter((s) => s.kind === 'utterance' && s.avOffsetMs !== null && s.scoredWindows > 0)
    .map((s) => s.avOffsetMs!)
    .sort((a, b) => a - b);
  return v.length === 0 ? null : percentileOfSorted(v, 50);
}

/** What one run measured: telemetry samples, render-loop stalls, and the lips' real lag behind the speech. */
interface IOffsetRun {
  readonly samples: ITelemetrySample[];
  readonly stalledMs: number;
  /** Median over rendered frames of how far the lips shown were behind the speech heard, ms. */
  readonly shownLagMs: number;
}

/**
 * The clip's measured offset and the lag really shown, with the lips delayed by `lipsDelayMs`; measured
 * again once when the telemetry misses the delay and the machine was starved meanwhile (the test's own
 * render loop stalled for more than a second, or the lips shown were more than 20 ms off the delay).
 */
async function offsetWithin(
  measure: (lipsDelayMs: number) => Promise<IOffsetRun>,
  lipsDelayMs: number,
): Promise<{ offset: number | null; shownLagMs: number }> {
  for (let attempt = 1; ; attempt++) {
    const { samples, stalledMs, shownLagMs } = await measure(lipsDelayMs);
    const offset = clipOffset(samples);
    const ok = offset !== null && Math.abs(offset - lipsDelayMs) <= TOLERANCE_MS;
    const starved = stalledMs > 1000 || Math.abs(shownLagMs - lipsDelayMs) > 20;
    if (ok || attempt === 2 || !starved) return { offset, shownLagMs };
    console.log(
      `measuring again: ${offset} ms for ${lipsDelayMs} ms; render loop stalled ${stalledMs.toFixed(0)} ms, lips shown ${shownLagMs.toFixed(0)} ms late`,
    );
  }
}

/** The telemetry's offset is within ±35 ms of the lag the avatar really showed and of the delay asked for. */
function expectMeasured(run: { offset: number | null; shownLagMs: number }, lipsDelayMs: number): void {
  const { offset, shownLagMs } = run;
  const what = `telemetry ${offset?.toFixed(1)} ms for a ${lipsDelayMs} ms delay, lips shown ${shownLagMs.toFixed(1)} ms late`;
  expect(offset, `offset measured (${what})`).to.not.equal(null);
  expect(Math.abs(offset! - shownLagMs), `vs what was shown: ${what}`).to.be.at.most(TOLERANCE_MS);
  expect(Math.abs(offset! - lipsDelayMs), `vs the delay: ${what}`).to.be.at.most(TOLERANCE_MS);
}

/** Decodes a wav to 16 kHz mono. */
async function load16k(url: string): Promise<Float32Array> {
  const ctx = new OfflineAudioContext(1, 16000, 16000);
  return (await ctx.decodeAudioData(await (await fetch(url)).arrayBuffer())).getChannelData(0).slice();
}

/**
 * Plays `clip` through the behavior (test rig, wasm) with the lips delayed by `lipsDelayMs`; returns
 * the telemetry samples it reported.
 */
async function measureOffset(
  scene: Scene,
  behaviors: PerceptualLipSyncBehavior[],
  manifestUrl: string,
  clip: string,
  lipsDelayMs: number,
): Promise<IOffsetRun> {
  const head = createTestRig(scene);
  // The harness renders every 16 ms; on an overloaded machine its timer stalls, and the telemetry then
  // (rightly) measures lips that stayed on screen too long. Time spent in render gaps > 100 ms:
  let lastTick = NaN;
  let stalledMs = 0;
  const ticks = scene.onBeforeRenderObservable.add(() => {
    const now = performance.now();
    if (now - lastTick > 100) stalledMs += now - lastTick;
    lastTick = now;
  });
  const lipSync = new PerceptualLipSyncBehavior({
    modelManifestUrl: manifestUrl,
    executionProviders: ['wasm'],
    // This test measures the telemetry's accuracy, not the pipeline's speed (bench/ does that): one
    // wasm thread and a generous playback delay keep frames on time on a busy 2-core CI machine.
    numThreads: 1,
    processingMarginMs: 400,
  });
  lipSync.lipsDelayMs = lipsDelayMs;
  behaviors.push(lipSync);
  head.addBehavior(lipSync);
  const samples: ITelemetrySample[] = [];
  lipSync.onTelemetryObservable.add((s) => samples.push(s));
  const shownLags: number[] = [];
  lipSync.onFrameObservable.add((f) => {
    if (f.playout === 'playing') shownLags.push((f.timeSec - f.lipsTimeSec) * 1000);
  });
  const idle = new Promise<void>((resolve) =>
    lipSync.onStateChangedObservable.add(({ state }) => state === 'idle' && resolve()),
  );
  await lipSync.startAsync({ kind: 'url', url: clip }).catch((e: Error) => {
    throw new Error(`startAsync failed: ${e.name}: ${e.message}`, { cause: e });
  });
  await Promise.race([idle, sleep(40000)]);
  lipSync.stop();
  const utterances = samples.filter((s) => s.kind === 'utterance');
  const shownLagMs = shownLags.length
    ? percentileOfSorted(
        shownLags.sort((a, b) => a - b),
        50,
      )
    : NaN;
  console.log(
    `lipsDelayMs ${lipsDelayMs}: offset ${clipOffset(samples)?.toFixed(1)} ms (median of utterances), PLRS ` +
      `${pooled(samples, 'plrs')?.toFixed(3)}, render stalls ${stalledMs.toFixed(0)} ms, ` +
      `lips shown ${shownLagMs.toFixed(1)} ms behind the speech, ` +
      `${utterances.length} utterances: ` +
      utterances
        .map(
          (u) =>
            `${u.avOffsetMs?.toFixed(0)} ms (conf ${u.avOffsetConfidence.toFixed(2)}, ${u.scoredWindows} w)`,
        )
        .join(', '),
  );
  scene.onBeforeRenderObservable.remove(ticks);
  await sleep(700); // the shared worker is disposed within 500 ms of the last release
  return { samples, stalledMs, shownLagMs };
}

describe('Telemetry acceptance (trained metric encoders)', function () {
  this.timeout(240000);
  const t = useLipSyncTestScene({ checkAudioContexts: false });

  before(async function () {
    const reason = await whyNotRunnable();
    if (reason) {
      console.log(
        `SKIPPED offsetAccuracy: ${reason}; these tests need the trained encoders (training/export_onnx.py).`,
      );
      this.skip();
    }
  });
  const measure = (lipsDelayMs: number) => measureOffset(t.scene, t.behaviors, MANIFEST, SPEECH, lipsDelayMs);

  it('measures the undelayed avatar within ±35 ms and a 100 ms lips delay as 100 ± 35 ms', async () => {
    expectMeasured(await offsetWithin(measure, 0), 0);
    expectMeasured(await offsetWithin(measure, 100), 100);
  });

  it('gives higher PLRS for lips on their own speech than on other speech', async () => {
    // Worker level: generate lips from clip A, then score them against clip A's and clip B's speech.
    const worker = new Worker(defaultWorkerUrl(), { type: 'module' });
    const api = wrap<LipSyncWorkerApi>(worker);
    try {
      const info = await api.initAsync({ manifestUrl: MANIFEST, executionProviders: ['wasm'] });
      expect(info.telemetryEncoders).to.equal(true);
      const a = await load16k(SPEECH);
      const other = await load16k(OTHER_SPEECH);
      const b = new Float32Array(a.length);
      for (let i = 0; i < b.length; i++) b[i] = other[i % other.length];
      const lips = await api.generateOfflineAsync(a.slice());
      const disp = lips.displacements;
      const scores: Record<'matched' | 'mismatched', IWindowScore[]> = { matched: [], mismatched: [] };
      let shifts: readonly number[] = [];
      const ids = { matched: 1, mismatched: 2 } as const;
      for (const id of Object.values(ids))
        await api.openPushStream(
          id,
          proxy((_: LipsFrameBlock) => undefined),
        );
      // Feed both streams in 250 ms steps (the mel history holds 4 s) and score the last 2 s of lips.
      const step = 4000;
      for (let i = 0; i < a.length; i += step) {
        for (const [kind, audio] of [
          ['matched', a],
          ['mismatched', b],
        ] as const) {
          const chunk = audio.slice(i, i + step);
          await api.pushAudio(
            ids[kind],
            transfer({ samples: chunk, firstSample: i, contextTimeSec: i / 16000 }, [chunk.buffer]),
          );
        }
        await sleep(30);
        const endFrame = Math.floor((i + step) / 320) - 20; // leave the last 400 ms to the speech look-ahead
        const firstFrame = Math.max(0, endFrame - 100);
        if (endFrame <= firstFrame) continue;
        for (const kind of ['matched', 'mismatched'] as const) {
          const part = disp.slice(firstFrame * 63, endFrame * 63);
          const r = await api.scoreAsync(
            ids[kind],
            firstFrame * 0.02,
            endFrame - firstFrame,
            transfer(part, [part.buffer]),
          );
          shifts = r.shiftsMs;
          for (const w of r.windows) {
            if (!scores[kind].some((x) => x.startFrame === w.startFrame)) scores[kind].push(w);
          }
        }
      }
      // Speech windows only (the clip's silences say nothing about readability).
      const loud = (w: IWindowScore) => {
        let e = 0;
        for (let s = w.startFrame * 320; s < (w.startFrame + 10) * 320 && s < a.length; s++) e += a[s] * a[s];
        return Math.sqrt(e / 3200) > 0.01;
      };
      const zero = shifts.indexOf(0);
      const matched = aggregateWindowScores(scores.matched.filter(loud), zero);
      const mismatched = aggregateWindowScores(scores.mismatched.filter(loud), zero);
      console.log(
        `PLRS matched ${matched.plrs?.toFixed(3)} (${matched.windows} windows), mismatched ` +
          `${mismatched.plrs?.toFixed(3)} (${mismatched.windows} windows)`,
      );
      expect(matched.windows).to.be.greaterThan(20);
      expect(matched.plrs!).to.be.greaterThan(mismatched.plrs!);
    } finally {
      api[releaseProxy]();
      worker.terminate();
    }
  });
});

describe('Telemetry timing chain (loudness-envelope oracle models)', function () {
  // Models whose representation is the loudness envelope (test/fixtures/tools/make_tiny_encoders.py
  // --oracle): the true offset is the lips delay plus the playout smoothing lag, so this checks the
  // grid, read-back, playout time and sign of the whole chain without trained encoders.
  this.timeout(240000);
  const ORACLE = new URL('../../fixtures/generated/oracle/manifest.json', import.meta.url).href;
  const CLIP = new URL('../../fixtures/generated/offset-speech.wav', import.meta.url).href;
  const t = useLipSyncTestScene({ checkAudioContexts: false });

  it('measures 0 and 100 ms lips delays within ±35 ms', async () => {
    const measure = (lipsDelayMs: number) => measureOffset(t.scene, t.behaviors, ORACLE, CLIP, lipsDelayMs);
    expectMeasured(await offsetWithin(measure, 0), 0);
    expectMeasured(await offsetWithin(measure, 100), 100);
  });
});
