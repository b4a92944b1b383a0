// openAudioSourceAsync: played sources wait for the behavior's start() (nothing plays while models load).
import { expect } from '@esm-bundle/chai';
import { openAudioSourceAsync } from '../../../src/behavior/openAudioSource.ts';

describe('openAudioSourceAsync', () => {
  it('does not start an AudioBuffer source before start(); start() is idempotent; close() stops it', async () => {
    const context = new AudioContext();
    try {
      const buffer = context.createBuffer(1, 16000, 16000);
      const opened = await openAudioSourceAsync(context, { kind: 'audioBuffer', buffer });
      const node = opened.node as AudioBufferSourceNode;
      // An AudioBufferSourceNode can start once: this throws InvalidStateError if opening had started it.
      expect(() => node.start()).not.to.throw();
      opened.close();

      const again = await openAudioSourceAsync(context, { kind: 'audioBuffer', buffer });
      again.start();
      expect(() => again.start(), 'second start() is a no-op').not.to.throw();
      expect(
        () => (again.node as AudioBufferSourceNode).start(),
        'start() really started the node',
      ).to.throw();
      again.close();
    } finally {
      await context.close();
    }
  });
});
