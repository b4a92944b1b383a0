// PcmStreamPlayer in real Chromium: chunks of a sine, pushed as a voice agent's WebSocket would deliver
// them (20–100 ms each, arriving in real time with random jitter), play back as one continuous sine (no
// gap longer than one render quantum, no jump at a join) whether they need resampling or not; an
// interrupt cuts the sound within the fade and the next push starts a clean run.
import { expect } from '@esm-bundle/chai';
import { PcmStreamPlayer } from '../../../src/audio/pcmStreamPlayer.ts';
import { AudioChunkError, AudioSourceError } from '../../../src/errors.ts';
import { largestJump, longestQuietRun, recordOutputAsync } from '../support/outputRecorder.ts';
import { sleep, waitFor } from '../support/waitFor.ts';

const TONE_HZ = 220;
const AMPLITUDE = 0.5;

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

/** A sine as PCM16, `seconds` long at `rate`. */
function pcm16Sine(rate: number, seconds: number, phase0 = 0): Int16Array {
  const x = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++)
    x[i] = Math.round(32767 * AMPLITUDE * Math.sin(phase0 + (2 * Math.PI * TONE_HZ * i) / rate));
  return x;
}

/**
 * Pushes `pcm` in 20–100 ms chunks, chunk k arriving at (its audio time) + a random jitter in
 * [0, jitterMs] (in order), like a server streaming in real time over a jittery network.
 */
async function streamWithJitter(
  player: PcmStreamPlayer,
  pcm: Int16Array,
  rate: number,
  jitterMs: number,
  seed: number,
) {
  const r = rng(seed);
  const t0 = performance.now();
  let lastArrival = 0;
  for (let i = 0; i < pcm.length;) {
    const n = Math.min(pcm.length - i, Math.round((0.02 + 0.08 * r()) * rate));
    const arrival = Math.max(lastArrival, (i / rate) * 1000 + jitterMs * r());
    lastArrival = arrival;
    const wait = t0 + arrival - performance.now();
    if (wait > 0) await sleep(wait);
    // As PCM16 little-endian bytes, the way a WebSocket binary frame arrives.
    const chunk = pcm.slice(i, i + n);
    player.push(new Uint8Array(chunk.buffer));
    i += n;
  }
}

/** Samples of the sine's steepest step at `rate`, with room for the resampler's ripple. */
const maxStep = (rate: number) => ((2 * Math.PI * TONE_HZ * AMPLITUDE) / rate) * 1.3;

describe('PcmStreamPlayer', function () {
  this.timeout(60000);
  let context: AudioContext;
  beforeEach(async () => {
    context = new AudioContext();
    await context.resume();
  });
  afterEach(async () => {
    await context.close();
  });

  for (const pushed of ['24000', 'context rate'] as const) {
    it(`plays jittered ${pushed} chunks as one continuous sine (no gap > 1 render quantum, no jump at joins)`, async () => {
      const rate = pushed === 'context rate' ? context.sampleRate : 24000;
      for (let attempt = 1; ; attempt++) {
        const player = new PcmStreamPlayer(context, { sampleRateHz: rate, leadMs: 150 });
        player.output.connect(context.destination);
        const recording = await recordOutputAsync(player.output);
        player.start();
        const seconds = 3;
        await streamWithJitter(player, pcm16Sine(rate, seconds), rate, 60, attempt);
        await waitFor(() => player.queuedSec === 0, 5000, 'the queue to play out');
        await sleep(50);
        const { samples } = await recording.stopAsync();
        player.close();
        const loud = samples.findIndex((v) => Math.abs(v) > 0.01);
        let end = samples.length - 1;
        while (end > 0 && Math.abs(samples[end]) < 0.01) end--;
        const quiet = longestQuietRun(samples, loud, end);
        const jump = largestJump(samples, loud + 64, end - 64);
        const playedSec = (end - loud) / context.sampleRate;
        console.log(
          `${pushed} (${rate} Hz into ${context.sampleRate} Hz), attempt ${attempt}: played ${playedSec.toFixed(3)} s, ` +
            `underruns ${player.underruns}, longest quiet run ${quiet.length} samples, largest jump ` +
            `${jump.size.toFixed(4)} (sine's steepest step ${(maxStep(context.sampleRate) / 1.3).toFixed(4)})`,
        );
        // A stalled page (timers late by more than the lead) is a real underrun, not the scheduler's fault:
        // measure again once, and fail if it happens twice.
        if (player.underruns > 0 && attempt === 1) continue;
        expect(player.underruns, 'underruns').to.equal(0);
        expect(loud, 'sound was played').to.be.greaterThan(-1);
        expect(playedSec).to.be.closeTo(seconds, 0.01);
        expect(quiet.length, `quiet run at ${quiet.at}`).to.be.at.most(128);
        expect(quiet.length, `quiet run at ${quiet.at}`).to.be.at.most(2);
        expect(jump.size, `jump at sample ${jump.at}`).to.be.at.most(maxStep(context.sampleRate));
        return;
      }
    });
  }

  it('interrupt() cuts the sound within its fade, with no click; the next push starts a clean run', async () => {
    const rate = 24000;
    const player = new PcmStreamPlayer(context, { sampleRateHz: rate, leadMs: 100 });
    player.output.connect(context.destination);
    const recording = await recordOutputAsync(player.output);
    player.start();
    player.push(pcm16Sine(rate, 2));
    await waitFor(() => player.queuedSec > 0 && player.queuedSec < 1.4, 5000, '0.6 s of the tone to play');
    const cutSec = player.interrupt();
    expect(player.queuedSec, 'queue dropped').to.equal(0);
    expect(cutSec - context.currentTime).to.be.at.most(0.0035);
    await sleep(150);
    const beforeNext = context.currentTime;
    player.push(pcm16Sine(rate, 0.3));
    const nextStart = beforeNext + 0.1;
    await waitFor(
      () => player.queuedSec === 0 && context.currentTime > nextStart + 0.35,
      5000,
      'the new run to play',
    );
    const { firstFrame, samples } = await recording.stopAsync();
    player.close();
    const sr = context.sampleRate;
    const cut = Math.ceil(cutSec * sr) - firstFrame;
    const next = Math.floor(nextStart * sr) - firstFrame;
    const afterCut = samples.subarray(cut, next);
    const residue = afterCut.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const jump = largestJump(samples, cut - 0.05 * sr, cut + 0.01 * sr);
    const newRun = samples.subarray(next, next + Math.round(0.3 * sr));
    const newLoud = newRun.findIndex((v) => Math.abs(v) > 0.01);
    console.log(
      `interrupt: loudest sample after the cut ${residue}, largest jump around it ${jump.size.toFixed(4)}, ` +
        `new run heard ${(newLoud / sr) * 1000} ms after now + lead`,
    );
    expect(residue, 'silence after the cut').to.be.below(1e-6);
    expect(afterCut.length).to.be.greaterThan(0.1 * sr);
    expect(jump.size, 'no click at the cut').to.be.at.most(maxStep(sr));
    expect(newLoud, 'the next push plays').to.be.at.least(0);
    // Chromium's currentTime moves in steps of one device callback (~10 ms here), also between two reads in
    // one task: the new run starts within a callback (plus the resampler's 1 ms) of now + lead.
    expect(newLoud / sr).to.be.at.most(0.025);
  });

  it('rejects unsupported rates, malformed chunks and pushes after close() with typed errors', () => {
    for (const bad of [7999, 96001, 22050.5, NaN]) {
      expect(() => new PcmStreamPlayer(context, { sampleRateHz: bad })).to.throw(
        AudioSourceError,
        /\[8000, 96000\]/,
      );
    }
    const player = new PcmStreamPlayer(context, { sampleRateHz: 16000 });
    expect(() => player.push(new Uint8Array(3))).to.throw(AudioChunkError, /even byte count/);
    expect(() => player.push(new Float32Array([NaN]))).to.throw(AudioChunkError, /NaN/);
    player.push(new Int16Array(160)); // still usable after a bad chunk
    player.close();
    expect(() => player.push(new Int16Array(160))).to.throw(
      AudioChunkError,
      /after the pcmStream source was stopped/,
    );
  });
});
