/**
 * Checks of the bench's own arithmetic (not timing): onset labelling and the timing chain's sum.
 * Run: `node --import tsx --test bench/lib/benchLib.test.ts` (outside test/: the bench is not the library).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelLiveOnsets, type IOnsetLabels } from './onsetLabels.ts';
import { timingChain, type IChainRaw } from './timingChain.ts';

const file: IOnsetLabels = {
  durationSec: 10,
  onsets: [
    { t: 0.7, label: 'pa' },
    { t: 1.8, label: 'ta' },
    { t: 3.1, label: 'ka' },
    { t: 4.5, label: 'a' },
  ],
};

describe('labelLiveOnsets', () => {
  it('labels a loop entered mid-file, across the wrap, leaving a stray start onset unlabelled', () => {
    const live = [100.05, 101.9 + 1.8, 101.9 + 3.1, 101.9 + 4.5, 111.9 + 0.7, 111.9 + 1.8 + 0.004];
    assert.deepEqual(labelLiveOnsets(live, file), [null, 'ta', 'ka', 'a', 'pa', 'ta']);
  });

  it('labels nothing when the spacing matches no offset', () => {
    assert.deepEqual(labelLiveOnsets([1, 1.5, 2.2, 3.9], file), [null, null, null, null]);
  });
});

describe('timingChain', () => {
  const raw: IChainRaw = {
    frames: 1000,
    lagMeanMs: 110,
    lagP50Ms: 104,
    lagP5Ms: 100,
    renderIntervalMeanMs: 16.7,
    sampleRate: 48000,
    quantumFrames: 128,
    resamplerLatencySamples16k: 27,
    chunkSamples16k: 160,
    probe: { rttMs: { p50: 0.4 }, runMs: { mean: 2, n: 500 }, queueDepth: { mean: 0 } },
  };
  const spec = { sampleRateHz: 16000, frameLengthSamples: 400, hopLengthSamples: 160 };
  const gen = { melFramesPerOutputFrame: 2, lookaheadFrames: 4, lookaheadMs: 40, frameRateHz: 50 };

  it('sums its stages to the measured mean lag, with the constants from the spec and manifest', () => {
    const c = timingChain(raw, spec, gen, 1)!;
    const ms = (id: string) => c.stages.find((s) => s.id === id)!.ms;
    assert.equal(ms('mel-window'), 25);
    assert.equal(ms('lookahead'), 40);
    assert.equal(ms('output-framing'), 10);
    assert.equal(ms('chunking'), 5); // 1200 samples after the frame's start: 80 more fill its chunk
    assert.equal(ms('jitter-growth'), 10);
    assert.equal(c.algorithmicMs, 75);
    assert.ok(Math.abs(c.stages.reduce((a, s) => a + s.ms, 0) - 110) < 0.5);
    assert.equal(c.sumMs, 110);
  });

  it('charges batching only for outputs that wait for their batch', () => {
    const ms = (n: number) => timingChain(raw, spec, gen, n)!.stages.find((s) => s.id === 'batching')!.ms;
    assert.equal(ms(1), 0);
    assert.equal(ms(4), 60);
  });
});
