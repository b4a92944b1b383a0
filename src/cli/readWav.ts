/**
 * Reads a whole wav file held in memory (evaluate's `--audio`, tests, benches): any encoding
 * `audio/wavFormat.ts` reads, downmixed to mono. `bake` streams instead (`audio/readAudioChunks.ts`).
 */
import { parseWavHeader, wavFramesToMono } from './audioFile/wavFormat.ts';

/** Mono audio read from a wav file. */
export interface IWavAudio {
  /** Sample rate in Hz. */
  sampleRateHz: number;
  /** Mono samples in [-1, 1], channels averaged. */
  samples: Float32Array;
}

/**
 * Parses a wav file: integer PCM 8/16/24/32-bit or float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE, any
 * channel count (averaged), 8-96 kHz.
 * @param bytes defines the file contents
 * @param name defines the file name for error messages
 * @returns the sample rate and mono samples
 * @throws AudioFileError (a CliError) for other encodings, rates, or malformed or truncated files
 */
export function readWav(bytes: Uint8Array, name = '.wav input'): IWavAudio {
  const header = parseWavHeader(bytes, bytes.length, name)!; // the whole file is here: never null
  const data = bytes.subarray(header.dataOffset, header.dataOffset + header.dataBytes);
  const samples = new Float32Array(data.length / header.blockAlign);
  wavFramesToMono(header, data, samples);
  return { sampleRateHz: header.sampleRateHz, samples };
}
