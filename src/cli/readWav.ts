/**
 * Minimal RIFF/WAVE reader: PCM16 or float32, any channel count (downmixed to mono).
 */
import { CliError } from './cliError.ts';

/** Mono audio read from a wav file. */
export interface IWavAudio {
  /** Sample rate in Hz. */
  sampleRateHz: number;
  /** Mono samples in [-1, 1] (PCM16 divided by 32768), channels averaged. */
  samples: Float32Array;
}

/**
 * Parses a wav file. Accepts format 1 (PCM, 16-bit), 3 (IEEE float, 32-bit) and WAVE_FORMAT_EXTENSIBLE
 * with either subformat; averages channels.
 * @param bytes defines the file contents
 * @param name defines the file name for error messages
 * @returns the sample rate and mono samples
 * @throws CliError for other encodings or malformed files
 */
export function readWav(bytes: Uint8Array, name = '.wav input'): IWavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new CliError(`${name}: not a RIFF/WAVE file.`);
  }
  let format = -1;
  let channels = 0;
  let sampleRateHz = 0;
  let bits = 0;
  let data: Uint8Array | null = null;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new CliError(`${name}: fmt chunk too short.`);
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRateHz = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === 0xfffe && size >= 26) format = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      data = bytes.subarray(body, Math.min(body + size, bytes.length));
    }
    at = body + size + (size & 1);
  }
  if (format < 0 || data === null) throw new CliError(`${name}: missing fmt or data chunk.`);
  const pcm16 = format === 1 && bits === 16;
  const float32 = format === 3 && bits === 32;
  if (!pcm16 && !float32) {
    throw new CliError(
      `${name}: expected 16-bit PCM or 32-bit float wav, got format ${format} with ${bits} bits. Convert with sox or ffmpeg.`,
    );
  }
  if (channels < 1 || sampleRateHz <= 0) throw new CliError(`${name}: bad channel count or sample rate.`);
  const frameBytes = channels * (bits / 8);
  const frames = Math.floor(data.length / frameBytes);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const at = f * frameBytes + c * (bits / 8);
      sum += pcm16 ? dv.getInt16(at, true) / 32768 : dv.getFloat32(at, true);
    }
    samples[f] = sum / channels;
  }
  return { sampleRateHz, samples };
}
