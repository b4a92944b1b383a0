// Streamed speech ({ kind: 'pcmStream' }) through the whole behavior in real Chromium: PCM16 chunks of
// 20–100 ms pushed with random arrival jitter, as a voice agent's WebSocket delivers them. What is heard
// (the behavior's output, recorded by a second worklet tap) has no gap longer than one render quantum;
// the lips change when each speech onset is heard (the playback bench's measure); they rest while the
// stream runs dry; interrupt() silences the sound at once and brings the lips to rest within 100 ms with
// no stale frame afterwards, and the next push is a new utterance. The tiny generator drives the lips: the
// timing chain is the same for every model, and the shipped one fell seconds behind at load 15-17 on the
// shared 2-core machine (every frame late, the avatar at rest) while this test measures timing, not speed.
import { expect } from '@esm-bundle/chai';
import { detectOnsets } from '../../../bench/lib/onsetDetector.ts';
import type { PerceptualLipSyncBehavior } from '../../../src/behavior/perceptualLipSyncBehavior.ts';
import { AudioChunkError, AudioSourceError } from '../../../src/errors.ts';
import { innerLipAperture, LIPS_V1 } from '../../../src/rig/lipsV1.ts';
import { percentileOfSorted } from '../../../src/math/percentileOfSorted.ts';
import { MIC_SPEECH_WAV, TINY_MANIFEST } from '../support/fixtures.ts';
import { largestJump, longestQuietRun, recordOutputAsync } from '../support/outputRecorder.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { sleep, waitFor } from '../support/waitFor.ts';
import { createTestRig } from './testRig.ts';

const MANIFEST = TINY_MANIFEST;
const RATE = 24000; // what realtime voice APIs send
const NEUTRAL_APERTURE = innerLipAperture(LIPS_V1.neutral);

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A wav decoded at 24 kHz mono, as PCM16. */
async function pcm16Of(url: string): Promise<Int16Array> {
  const ctx = new OfflineAudioContext(1, 1, RATE);
  const x = (await ctx.decodeAudioData(await (await fetch(url)).arrayBuffer())).getChannelData(0);
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
}

/** A 220 Hz sine as PCM16 at 24 kHz. */
function pcm16Sine(seconds: number): Int16Array {
  return Int16Array.from({ length: Math.round(RATE * seconds) }, (_, i) =>
    Math.round(16000 * Math.sin((2 * Math.PI * 220 * i) / RATE)),
  );
}

/**
 * Pushes `pcm` as PCM16 bytes in 20–100 ms chunks arriving in real time with a random jitter in
 * [0, jitterMs]; `pauseAfterSec`/`pauseSec` hold the stream back once (the server stalls: an underrun).
 */
async function streamAsync(
  lipSync: PerceptualLipSyncBehavior,
  pcm: Int16Array,
  seed: number,
  options: { jitterMs?: number; pauseAfterSec?: number; pauseSec?: number } = {},
): Promise<void> {
  const r = rng(seed);
  const jitter = options.jitterMs ?? 60;
  let t0 = performance.now();
  let paused = false;
  let last = 0;
  for (let i = 0; i < pcm.length;) {
    const n = Math.min(pcm.length - i, Math.round((0.02 + 0.08 * r()) * RATE));
    if (!paused && options.pauseAfterSec !== undefined && i / RATE >= options.pauseAfterSec) {
      paused = true;
      t0 += (options.pauseSec ?? 0) * 1000;
    }
    const arrival = Math.max(last, t0 + (i / RATE) * 1000 + jitter * r());
    last = arrival;
    const wait = arrival - performance.now();
    if (wait > 0) await sleep(wait);
    lipSync.pushAudio(new Uint8Array(pcm.slice(i, i + n).buffer));
    i += n;
  }
}

interface IFrameRecord {
  perf: number;
  timeSec: number;
  /** How far the lips shown are behind the speech heard, s (late frames are held). */
  lagSec: number;
  state: string;
  aperture: number;
  atRest: boolean;
}

/** Playout states and lateness of the lips, for the log. */
function describeFrames(frames: IFrameRecord[]): string {
  const states: Record<string, number> = {};
  for (const f of frames) states[f.state] = (states[f.state] ?? 0) + 1;
  const lags = frames
    .filter((f) => Number.isFinite(f.lagSec))
    .map((f) => f.lagSec * 1000)
    .sort((a, b) => a - b);
  const p = (q: number) => (lags.length ? percentileOfSorted(lags, q).toFixed(0) : '-');
  const dev = frames.reduce((m, f) => Math.max(m, Math.abs(f.aperture - NEUTRAL_APERTURE)), 0);
  return (
    `${frames.length} frames ${JSON.stringify(states)}, lips behind the speech p50 ${p(50)} ms, p95 ${p(95)} ms, ` +
    `largest aperture change ${(dev * 1000).toFixed(2)} mm`
  );
}

describe('Streamed speech (pcmStream) and interrupt()', function () {
  this.timeout(120000);
  const t = useLipSyncTestScene({
    defaults: {
      modelManifestUrl: MANIFEST,
      executionProviders: ['wasm'],
      numThreads: 1,
      // Timing of the lips, not the speed of a loaded 2-core CI machine, is under test (bench/ measures that).
      processingMarginMs: 300,
    },
  });

  async function startAsync() {
    const head = createTestRig(t.scene);
    const lipSync = t.make();
    head.addBehavior(lipSync);
    const frames: IFrameRecord[] = [];
    lipSync.onFrameObservable.add((f) => {
      let atRest = true;
      for (let i = 0; i < 63; i++) if (Math.abs(f.points[i] - LIPS_V1.neutral[i]) > 1e-6) atRest = false;
      frames.push({
        perf: performance.now(),
        timeSec: f.timeSec,
        lagSec: f.timeSec - f.lipsTimeSec,
        state: f.playout,
        aperture: innerLipAperture(f.points),
        atRest,
      });
    });
    // A 250 ms lead: the pushes below jitter by up to 60 ms, and timers on a loaded CI machine stall more.
    await lipSync.startAsync({ kind: 'pcmStream', sampleRateHz: RATE, leadMs: 250 });
    const graph = lipSync._playbackGraph!;
    expect(graph, 'played through the delay').to.not.equal(null);
    const heard = await recordOutputAsync(graph.output);
    const captured = await recordOutputAsync(graph.source);
    return { lipSync, frames, graph, heard, captured, context: lipSync.audioContext! };
  }

  it('plays jittered chunks with no gap longer than one render quantum, delayed by the lips delay', async () => {
    let run = await startAsync();
    for (let attempt = 1; ; attempt++) {
      await streamAsync(run.lipSync, pcm16Sine(3), attempt);
      // A page stalled longer than the lead is a real underrun, not the scheduler's: once more, then fail.
      const underruns = run.lipSync._playbackGraph!.underruns;
      if (underruns === 0 || attempt === 2) break;
      console.log(`attempt ${attempt}: ${underruns} underruns (page stalled); measuring again`);
      run.lipSync.stop();
      run = await startAsync();
    }
    const { lipSync, heard, captured, graph, context } = run;
    expect(lipSync._playbackGraph!.underruns, 'underruns').to.equal(0);
    await sleep((graph.delaySec + 0.4) * 1000);
    const out = await heard.stopAsync();
    const tap = await captured.stopAsync();
    const sr = context.sampleRate;
    const loud = (x: Float32Array) => x.findIndex((v) => Math.abs(v) > 0.01);
    const end = (x: Float32Array) => {
      let e = x.length - 1;
      while (e > 0 && Math.abs(x[e]) < 0.01) e--;
      return e;
    };
    const a = loud(out.samples);
    const b = end(out.samples);
    const quiet = longestQuietRun(out.samples, a, b);
    const jump = largestJump(out.samples, a + 64, b - 64);
    const shift = (out.firstFrame + a - (tap.firstFrame + loud(tap.samples))) / sr;
    console.log(
      `heard ${((b - a) / sr).toFixed(3)} s, longest quiet run ${quiet.length} samples, largest jump ${jump.size.toFixed(4)}, ` +
        `heard ${(shift * 1000).toFixed(1)} ms after capture (delay ${(graph.delaySec * 1000).toFixed(1)} ms)`,
    );
    expect((b - a) / sr).to.be.closeTo(3, 0.01);
    expect(quiet.length, `quiet run at ${quiet.at}`).to.be.at.most(128);
    expect(jump.size, `jump at ${jump.at}`).to.be.below(0.03); // the sine's steepest step is 0.0144 at 48 kHz
    expect(shift, 'sound delayed by the lips delay').to.be.closeTo(graph.delaySec, 0.002);
  });

  it('moves the lips when each onset is heard, and rests while the stream runs dry', async () => {
    const { lipSync, frames, captured, context } = await startAsync();
    // Syllables: eight 350 ms pieces of the speech, each after 450 ms of silence (sharp onsets, as the
    // bench's "pa ta ka ma"), with the server stalling for a second in the middle (an underrun).
    const speech = await pcm16Of(MIC_SPEECH_WAV); // 0.5 s silence, ~4 s speech, 1.5 s silence
    const piece = Math.round(0.35 * RATE);
    const gap = Math.round(0.45 * RATE);
    const syllables = new Int16Array(8 * (gap + piece));
    for (let k = 0; k < 8; k++) {
      const from = Math.round((0.6 + 0.45 * k) * RATE);
      syllables.set(speech.subarray(from, from + piece), k * (gap + piece) + gap);
    }
    await streamAsync(lipSync, syllables, 2, { pauseAfterSec: 3.3, pauseSec: 1 });
    await sleep(2000);
    const tap = await captured.stopAsync();
    const sr = context.sampleRate;
    // Onsets of the speech as captured (the lips' timeline), as the playback bench defines them.
    const onsets = detectOnsets(tap.samples, sr).map((s) => tap.firstFrame / sr + s);
    const errors: number[] = [];
    for (const on of onsets) {
      const pre = frames.filter((f) => f.timeSec >= on - 0.35 && f.timeSec < on - 0.15);
      if (pre.length < 3) continue;
      const base = pre.reduce((s, f) => s + f.aperture, 0) / pre.length;
      // The bench's measure, with the change threshold at half the onset's peak change (the tiny generator's
      // lips have no natural scale; half the rise is where a viewer sees the mouth start to move).
      const post = frames.filter((f) => f.timeSec >= on - 0.15 && f.timeSec <= on + 0.3);
      const peak = post.reduce((m, f) => Math.max(m, Math.abs(f.aperture - base)), 0);
      const hit = post.find((f) => Math.abs(f.aperture - base) > Math.max(0.0005, peak / 2));
      if (hit) errors.push((hit.timeSec - on) * 1000);
    }
    // The underrun: the captured sound is digital silence for about a second; the lips rest meanwhile.
    const quiet = longestQuietRun(tap.samples, 0, tap.samples.length, 1e-6);
    // The lips reach rest (every point within 1 µm of neutral) only when the playout's smoothing, a critically
    // damped spring with a 20 ms time constant, has shrunk a ~4 mm opening by ~4000: (1 + ωt)·e^(−ωt) < 1/4000 at
    // ωt ≈ 10.8, ~215 ms after the last speech frame. So the check starts 300 ms into the silence (0.15 s
    // failed whenever the last piece ended with the mouth open).
    const gapFrom = (tap.firstFrame + quiet.at) / sr + 0.3;
    const gapTo = (tap.firstFrame + quiet.at + quiet.length) / sr - 0.15;
    const inGap = frames.filter((f) => f.timeSec > gapFrom && f.timeSec < gapTo);
    const sorted = [...errors].sort((x, y) => x - y);
    console.log(describeFrames(frames));
    console.log(
      `onsets ${onsets.length}, lips moved for ${errors.length}: errors ${errors.map((e) => e.toFixed(0)).join(', ')} ms ` +
        `(positive = lips late); longest silence ${(quiet.length / sr).toFixed(2)} s, ${inGap.length} frames in it, ` +
        `${inGap.filter((f) => !f.atRest).length} not at rest` +
        inGap
          .filter((f) => !f.atRest)
          .map((f) => ` (${((f.timeSec - gapFrom) * 1000).toFixed(0)} ms after the check starts)`)
          .join(''),
    );
    expect(errors.length, 'onsets that moved the lips').to.be.at.least(6);
    expect(Math.abs(percentileOfSorted(sorted, 50)), 'median error, ms').to.be.at.most(45);
    expect(quiet.length / sr, 'an underrun was heard').to.be.above(0.6);
    expect(inGap.length).to.be.above(10);
    expect(
      inGap.every((f) => f.atRest),
      'lips at rest during the underrun',
    ).to.equal(true);
    lipSync.stop();
  });

  it('interrupt(): sound off at once, lips at rest within 100 ms with no stale frame, next push is clean', async () => {
    const { lipSync, frames, heard, graph, context } = await startAsync();
    const speech = await pcm16Of(MIC_SPEECH_WAV);
    // The whole answer arrives at once (realtime APIs send faster than real time): seconds are queued.
    lipSync.pushAudio(speech.subarray(0, Math.round(4 * RATE)));
    await waitFor(() => frames.some((f) => !f.atRest), 15000, 'lips moving').catch((e: Error) => {
      throw new Error(`${e.message}: ${describeFrames(frames)}`);
    });
    await sleep(300);
    const cutPerf = performance.now();
    const cutAt = context.currentTime;
    lipSync.interrupt();
    await sleep(600);
    const nextAt = context.currentTime;
    lipSync.pushAudio(speech.subarray(Math.round(1 * RATE), Math.round(2.5 * RATE)));
    await sleep((graph.delaySec + 1.8) * 1000);
    const out = await heard.stopAsync();
    const sr = context.sampleRate;
    // Heard: nothing from 3 ms after the cut until the next utterance (after the delay and lead).
    const from = Math.ceil((cutAt + 0.01) * sr) - out.firstFrame;
    const to = Math.floor((nextAt + graph.delaySec) * sr) - out.firstFrame;
    const window = out.samples.subarray(from, to);
    const residue = window.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // Where the loudest residue sits says which side leaked: just after the cut (the mute came late, e.g. a
    // long audio callback under load) or just before the next utterance (it was heard early).
    const residueAtMs = (window.findIndex((v) => Math.abs(v) === residue) / sr) * 1000 + 10;
    const after = out.samples.subarray(to).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // Lips: at rest from 100 ms after the cut until the next utterance is heard.
    const nextHeard = nextAt + 0.1; // pushed at nextAt, heard lead (120 ms) + delay later in heard time
    const stale = frames.filter((f) => f.perf >= cutPerf + 100 && f.timeSec < nextHeard && !f.atRest);
    const easing = frames.filter((f) => f.perf >= cutPerf && f.perf < cutPerf + 100);
    const moved = frames.filter((f) => f.timeSec > nextHeard && !f.atRest);
    console.log(describeFrames(frames));
    console.log(
      `after the cut: loudest heard sample ${residue.toExponential(2)} over ${((to - from) / sr).toFixed(2)} s, ` +
        `${easing.length} frames easing, ${stale.length} stale frames after 100 ms; next utterance: loudest ` +
        `${after.toFixed(3)}, ${moved.length} frames moving`,
    );
    expect(to - from, 'a window to check').to.be.above(0.3 * sr);
    expect(
      residue,
      `nothing heard after the cut (loudest at ${residueAtMs.toFixed(0)} ms after it, window ${((to - from) / sr).toFixed(2)} s)`,
    ).to.be.below(1e-4);
    expect(stale.length, 'frames not at rest from 100 ms after the cut').to.equal(0);
    expect(after, 'the next utterance is heard').to.be.above(0.05);
    expect(moved.length, 'the next utterance moves the lips').to.be.above(10);
    lipSync.stop();
  });

  it('reports bad input with typed errors', async () => {
    const head = createTestRig(t.scene);
    const lipSync = t.make();
    head.addBehavior(lipSync);
    expect(() => lipSync.pushAudio(new Int16Array(10))).to.throw(AudioChunkError, /startAsync/);
    let error: unknown = null;
    await lipSync.startAsync({ kind: 'pcmStream', sampleRateHz: 4000 }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(AudioSourceError);
    await lipSync.startAsync({ kind: 'pcmStream', sampleRateHz: 16000 });
    expect(() => lipSync.pushAudio(new Uint8Array(5))).to.throw(AudioChunkError, /even byte count/);
    expect(() => lipSync.pushAudio(new Float32Array([0, NaN]))).to.throw(AudioChunkError, /NaN/);
    lipSync.pushAudio(new Int16Array(1600)); // the stream goes on
    lipSync.stop();
    expect(() => lipSync.pushAudio(new Int16Array(10))).to.throw(AudioChunkError, /none is running/);
  });
});
