import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeechSegmenter } from '../../../src/telemetry/speechSegmenter.ts';

test('silence stays silent; speech opens an utterance that survives short pauses (hangover)', () => {
  const g = new SpeechSegmenter({ thresholdRms: 0.01, hangoverFrames: 3, minSpeechFrames: 2 });
  const rms = [0, 0.001, 0.1, 0.1, 0, 0, 0.1, 0.1, 0, 0, 0, 0, 0];
  const events = rms.map((r) => g.push(r));
  assert.deepEqual(events, [
    'silence',
    'silence',
    'speech',
    'speech',
    'speech',
    'speech',
    'speech',
    'speech',
    'speech',
    'speech',
    'speech',
    'end',
    'silence',
  ]);
  assert.equal(g.utteranceStart, 2);
  assert.equal(g.utteranceLastSpeech, 7);
  assert.equal(g.utteranceSpeechFrames, 4);
  assert.equal(g.utteranceCounts, true);
  assert.equal(g.active, false);
});

test('a click shorter than minSpeechFrames does not count; NaN is silence', () => {
  const g = new SpeechSegmenter({ hangoverFrames: 1, minSpeechFrames: 5 });
  for (const r of [0.5, 0, 0]) g.push(r);
  assert.equal(g.utteranceCounts, false);
  assert.equal(g.push(NaN), 'silence');
  assert.throws(() => new SpeechSegmenter({ thresholdRms: -1 }), RangeError);
});
