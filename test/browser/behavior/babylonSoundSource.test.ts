// { kind: 'babylonSound' } through the behavior, with Babylon's real AudioEngineV2: the behavior runs in
// the engine's own AudioContext (no audioContext option), a StaticSound played with sound.play() moves the
// lips and is heard through its bus only via the behavior's delay, stop() puts the sound back on its bus
// and leaves the engine's context open, and disposing the sound ends the session with AudioSourceError.
import { expect } from '@esm-bundle/chai';
import type { AudioEngineV2 } from '@babylonjs/core/AudioV2/abstractAudio/audioEngineV2.js';
import { CreateSoundAsync } from '@babylonjs/core/AudioV2/abstractAudio/audioEngineV2.js';
import { CreateAudioEngineAsync } from '@babylonjs/core/AudioV2/webAudio/webAudioEngine.js';
import { babylonSoundContext } from '../../../src/behavior/openBabylonSound.ts';
import { AudioSourceError } from '../../../src/errors.ts';
import { LIPS_V1 } from '../../../src/rig/lipsV1.ts';
import { MIC_SPEECH_WAV } from '../support/fixtures.ts';
import { useLipSyncTestScene } from '../support/lipSyncTestScene.ts';
import { waitFor } from '../support/waitFor.ts';
import { createTestRig } from './testRig.ts';

describe("Babylon sounds as sources ({ kind: 'babylonSound' })", function () {
  this.timeout(60000);
  const t = useLipSyncTestScene();
  let engine: AudioEngineV2 | null = null;
  afterEach(() => {
    engine?.dispose();
    engine = null;
  });

  it('lip-syncs a StaticSound in the engine context, delayed through its bus, and gives it back on stop()', async () => {
    engine = await CreateAudioEngineAsync({ disableDefaultUI: true });
    await engine.unlockAsync();
    const sound = await CreateSoundAsync('line', MIC_SPEECH_WAV, {}, engine);
    const bus = sound.outBus;
    const engineContext = babylonSoundContext(sound)!;
    const head = createTestRig(t.scene);
    const lipSync = t.make();
    head.addBehavior(lipSync);
    let moving = 0;
    lipSync.onFrameObservable.add((f) => {
      for (let i = 0; i < 63; i++)
        if (Math.abs(f.points[i] - LIPS_V1.neutral[i]) > 1e-6) return void moving++;
    });
    await lipSync.startAsync({ kind: 'babylonSound', sound });
    expect(lipSync.audioContext === engineContext, "the engine's context").to.equal(true);
    expect(sound.outBus === null, 'off its bus while lip sync runs').to.equal(true);
    expect(lipSync._playbackGraph !== null, 'played through the delay').to.equal(true);
    sound.play();
    await waitFor(() => moving > 20, 15000, 'lips moving');
    lipSync.stop();
    expect(sound.outBus === bus, 'back on its bus').to.equal(true);
    expect(engineContext.state, 'the engine context stays open').to.not.equal('closed');
    sound.stop();

    // Disposed while running: the session ends with a typed error.
    await lipSync.startAsync({ kind: 'babylonSound', sound });
    const errors: Error[] = [];
    lipSync.onErrorObservable.add((e) => errors.push(e));
    sound.dispose();
    await waitFor(() => lipSync.state === 'error', 2000, 'error state');
    expect(errors[0]).to.be.instanceOf(AudioSourceError);
  });
});
