/**
 * Turns a `LipSyncBakeSource` into what the generator reads: 16 kHz mono. The same steps as live
 * capture, so a baked clip and the same clip streamed give the same lips: channels averaged to mono (the
 * capture worklet's downmix) and the capture resampler's kernel (`resampleTo16k`). URLs are decoded by
 * the behavior's AudioContext, as `startAsync({ kind: 'url' })` decodes them.
 */
import { AudioSourceError } from '../errors.ts';
import { resampleTo16k } from '../features/resampleTo16k.ts';
import type { LipSyncBakeSource } from './lipSyncSource.ts';
import { fetchAudioBufferAsync } from './openAudioSource.ts';
import { acquireAudioContext } from './sharedAudioContext.ts';

/**
 * @param source defines the audio
 * @param injectedContext defines the user's AudioContext (option `audioContext`), used to decode URLs;
 * without one the shared context is leased for the decode and released
 * @returns mono samples at 16 kHz, sample 0 at audio time 0 (a new array the caller may transfer)
 * @throws AudioSourceError for an unreadable URL, an empty buffer or an unsupported sample rate
 */
export async function decodeBakeSourceTo16kAsync(
  source: LipSyncBakeSource,
  injectedContext?: AudioContext,
): Promise<Float32Array> {
  switch (source.kind) {
    case 'samples':
      if (!(source.samples instanceof Float32Array)) {
        throw new AudioSourceError(
          `Bake source 'samples' needs a Float32Array of mono samples, got ${Object.prototype.toString.call(source.samples)}.`,
        );
      }
      return to16k(source.samples, source.sampleRateHz);
    case 'audioBuffer':
      return bufferTo16k(source.buffer);
    case 'url': {
      const lease = acquireAudioContext(injectedContext);
      try {
        return bufferTo16k(await fetchAudioBufferAsync(lease.context, source.url));
      } finally {
        lease.release();
      }
    }
    default:
      throw new AudioSourceError(
        `Unknown bake source kind ${JSON.stringify((source as { kind?: unknown }).kind)}: use 'audioBuffer', 'url' or 'samples'.`,
      );
  }
}

function bufferTo16k(buffer: AudioBuffer): Float32Array {
  const n = buffer.length;
  const channels = buffer.numberOfChannels;
  const mono = channels === 1 ? buffer.getChannelData(0) : new Float32Array(n);
  if (channels > 1) {
    for (let c = 0; c < channels; c++) {
      const data = buffer.getChannelData(c);
      for (let i = 0; i < n; i++) mono[i] += data[i] / channels;
    }
  }
  return to16k(mono, buffer.sampleRate);
}

function to16k(mono: Float32Array, rateHz: number): Float32Array {
  if (mono.length === 0) throw new AudioSourceError('The audio to bake is empty (0 samples).');
  if (rateHz === 16000) return mono.slice();
  try {
    return resampleTo16k(mono, rateHz);
  } catch (e) {
    throw new AudioSourceError(`Cannot bake audio at ${rateHz} Hz: ${(e as Error).message}`, { cause: e });
  }
}
