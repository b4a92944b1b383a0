// openBabylonSoundAsync with Babylon's real AudioEngineV2 in Chromium: a StaticSound is heard through its
// bus only after the delay the behavior inserts (and at once again after close()), a StreamingSound and a
// microphone sound source are captured in the engine's own AudioContext, and live sources are never
// rerouted. The bus is observed through Babylon's public analyzer. Babylon objects are compared with ===
// inside expect(): chai's failure message would walk their whole object graph (a hang, not a failure).
import { expect } from '@esm-bundle/chai';
import type { AudioEngineV2 } from '@babylonjs/core/AudioV2/abstractAudio/audioEngineV2.js';
import {
  CreateAudioBusAsync,
  CreateMicrophoneSoundSourceAsync,
  CreateSoundAsync,
  CreateStreamingSoundAsync,
} from '@babylonjs/core/AudioV2/abstractAudio/audioEngineV2.js';
import type { AudioBus } from '@babylonjs/core/AudioV2/abstractAudio/audioBus.js';
import { CreateAudioEngineAsync } from '@babylonjs/core/AudioV2/webAudio/webAudioEngine.js';
import { openBabylonSoundAsync } from '../../../src/behavior/openBabylonSound.ts';
import { AudioSourceError } from '../../../src/errors.ts';
import { MIC_SPEECH_WAV } from '../support/fixtures.ts';
import { recordOutputAsync } from '../support/outputRecorder.ts';
import { sleep, waitFor } from '../support/waitFor.ts';

const DELAY_SEC = 0.25;

/** A 1 s 440 Hz tone after 0.2 s of silence. */
function toneBuffer(context: BaseAudioContext): AudioBuffer {
  const sr = context.sampleRate;
  const buffer = new AudioBuffer({ length: Math.round(1.2 * sr), sampleRate: sr, numberOfChannels: 1 });
  const x = buffer.getChannelData(0);
  for (let i = Math.round(0.2 * sr); i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr);
  return buffer;
}

/** Polls the bus's public analyzer until its signal is loud; resolves with the context time then. */
async function busLoudAtAsync(bus: AudioBus, context: AudioContext, timeoutMs: number): Promise<number> {
  let at = NaN;
  await waitFor(
    () => {
      const x = bus.analyzer.getFloatTimeDomainData();
      const loud = x.some((v) => Math.abs(v) > 0.05);
      if (loud) at = context.currentTime;
      return loud;
    },
    timeoutMs,
    'sound on the bus',
    2,
  );
  return at;
}

describe('openBabylonSoundAsync (Babylon AudioEngineV2)', function () {
  this.timeout(60000);
  let context: AudioContext;
  let engine: AudioEngineV2;
  beforeEach(async () => {
    context = new AudioContext();
    // The public way to share a context with Babylon: hand it to the engine.
    engine = await CreateAudioEngineAsync({ audioContext: context, disableDefaultUI: true });
    await engine.unlockAsync();
  });
  afterEach(async () => {
    engine.dispose(); // closes the context too, even one handed to it (Babylon 9.34 webAudioEngine.dispose)
    expect(context.state).to.equal('closed');
  });

  it('reroutes a StaticSound through the delay back into its bus, and puts it back on close()', async () => {
    const bus = await CreateAudioBusAsync('voice', { analyzerEnabled: true }, engine);
    const sound = await CreateSoundAsync('line', toneBuffer(context), { outBus: bus }, engine);
    const opened = await openBabylonSoundAsync(sound, { reroute: true });
    expect(opened.context === context, 'the engine context').to.equal(true);
    expect(opened.playback).to.equal(true);
    expect(opened.returnNode !== null, 'a return node').to.equal(true);
    expect(sound.outBus === null, 'taken off its bus').to.equal(true);
    // What the behavior does: capture the sound, delay it, and send it back.
    const recording = await recordOutputAsync(opened.node);
    const delay = new DelayNode(context, { delayTime: DELAY_SEC });
    opened.node.connect(delay).connect(opened.returnNode!);
    const playedAt = context.currentTime;
    sound.play();
    const heardAt = await busLoudAtAsync(bus, context, 5000);
    const { firstFrame, samples } = await recording.stopAsync();
    const tapLoud = samples.findIndex((v) => Math.abs(v) > 0.05);
    expect(tapLoud, 'the capture tap hears the sound').to.be.at.least(0);
    const tappedAt = (firstFrame + tapLoud) / context.sampleRate;
    console.log(
      `tone at the tap ${(tappedAt - playedAt).toFixed(3)} s after play(), on the bus ${(heardAt - playedAt).toFixed(3)} s after`,
    );
    // The bus hears the tone DELAY_SEC after the tap (analyzer window 2048 samples, polling, clock steps).
    expect(heardAt - tappedAt).to.be.closeTo(DELAY_SEC, 0.07);
    sound.stop();
    opened.close();
    opened.close(); // idempotent
    delay.disconnect();
    expect(sound.outBus === bus, 'back on its bus').to.equal(true);
    await sleep(300);
    const replayedAt = context.currentTime;
    sound.play();
    const heardAgain = await busLoudAtAsync(bus, context, 5000);
    console.log(`after close(): on the bus ${(heardAgain - replayedAt).toFixed(3)} s after play()`);
    expect(heardAgain - replayedAt, 'undelayed after close()').to.be.below(0.2 + DELAY_SEC / 2);
    sound.dispose();
    bus.dispose();
  });

  it('leaves a played sound on its bus when not rerouted, and captures a StreamingSound in the engine context', async () => {
    const sound = await CreateStreamingSoundAsync('stream', MIC_SPEECH_WAV, {}, engine);
    const bus = sound.outBus;
    expect(bus !== null, 'on the default main bus').to.equal(true);
    const opened = await openBabylonSoundAsync(sound, { reroute: false });
    expect(opened.context === context, 'the engine context').to.equal(true);
    expect(opened.playback).to.equal(true);
    expect(opened.returnNode === null, 'no return node').to.equal(true);
    expect(sound.outBus === bus, 'left on its bus').to.equal(true);
    const recording = await recordOutputAsync(opened.node);
    sound.play();
    await sleep(1500); // 0.5 s of silence, then speech
    const { samples } = await recording.stopAsync();
    sound.stop();
    const peak = samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak, 'speech reached the capture tap').to.be.greaterThan(0.05);
    opened.close();
    sound.dispose();
  });

  it('captures a microphone sound source as a live source (never rerouted or delayed)', async () => {
    const mic = await CreateMicrophoneSoundSourceAsync('mic', {}, engine);
    expect(mic.outBus === null, 'Babylon keeps microphones off the speakers').to.equal(true);
    const opened = await openBabylonSoundAsync(mic, { reroute: true });
    expect(opened.context === context, 'the engine context').to.equal(true);
    expect(opened.playback).to.equal(false);
    expect(opened.returnNode === null, 'no return node').to.equal(true);
    const recording = await recordOutputAsync(opened.node);
    await sleep(2500); // the fake microphone's file: 0.5 s of silence, then speech
    const { samples } = await recording.stopAsync();
    const peak = samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak, 'microphone speech reached the capture tap').to.be.greaterThan(0.02);
    // Disposing the sound source (which stops the microphone) is reported as the source being lost.
    let lost: unknown = null;
    void opened.lost.then((e) => (lost = e));
    mic.dispose();
    await waitFor(() => lost !== null, 1000, 'lost after dispose');
    expect(lost).to.be.instanceOf(AudioSourceError);
    expect((lost as Error).message).to.match(/"mic" was disposed/);
    opened.close();
  });

  it('rejects a disposed sound with an AudioSourceError that says what to pass', async () => {
    const sound = await CreateSoundAsync('gone', toneBuffer(context), {}, engine);
    sound.dispose();
    let error: unknown = null;
    await openBabylonSoundAsync(sound, { reroute: true }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(AudioSourceError);
    expect((error as Error).message).to.match(/no Web Audio output.*CreateSoundAsync/);
  });
});
