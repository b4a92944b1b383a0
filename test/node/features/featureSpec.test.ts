import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURES_V1 } from '../../../src/features/featureSpec.ts';

test('features-v1 spec loads with a 16 kHz rate and a hop that divides a second', () => {
  assert.equal(FEATURES_V1.sampleRateHz, 16000);
  assert.equal(FEATURES_V1.sampleRateHz % FEATURES_V1.hopLengthSamples, 0);
});
