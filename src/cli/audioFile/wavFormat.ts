/**
 * RIFF/WAVE parsing without holding the file: the header (fmt and the data chunk's position) from the
 * first bytes, and a converter from any frame-aligned slice of the data chunk to mono float samples.
 * Integer PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64 bits, plain or WAVE_FORMAT_EXTENSIBLE,
 * any channel count (averaged), 8-96 kHz: what DAWs and studios deliver (issue #16: 24- and 32-bit
 * files were refused).
 */
import { AudioFileError } from './audioFileError.ts';

/** Lowest and highest sample rates the resampler accepts, Hz. */
export const MIN_SAMPLE_RATE_HZ = 8000;
/** Highest sample rate the resampler accepts, Hz. */
export const MAX_SAMPLE_RATE_HZ = 96000;

/** What the header of a wav file says. */
export interface IWavHeader {
  /** `pcm` (integer) or `float`. */
  readonly encoding: 'pcm' | 'float';
  /** Bits per sample: 8/16/24/32 (pcm) or 32/64 (float). */
  readonly bitsPerSample: number;
  readonly channels: number;
  readonly sampleRateHz: number;
  /** Bytes of one frame (all channels). */
  readonly blockAlign: number;
  /** Offset of the first data byte in the file. */
  readonly dataOffset: number;
  /** Data bytes the header announces (0xFFFFFFFF or 0 while streaming-written: to the end of the file). */
  readonly dataBytes: number;
}

const FORMAT_NAMES: Record<number, string> = {
  2: 'Microsoft ADPCM',
  6: 'A-law',
  7: 'µ-law',
  0x11: 'IMA ADPCM',
  0x55: 'MPEG layer 3',
};

/**
 * Parses the header from the start of a file.
 * @param head defines the first bytes of the file (at least up to the data chunk's header)
 * @param fileBytes defines the whole file's size, for the truncation check
 * @param name defines the file name for messages
 * @returns the header, or null when `head` ends before the data chunk (read more and call again)
 * @throws AudioFileError for a file that is not RIFF/WAVE, an unsupported encoding or rate, or a data
 * chunk longer than the file (truncated)
 */
export function parseWavHeader(head: Uint8Array, fileBytes: number, name: string): IWavHeader | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const tag = (at: number): string => String.fromCharCode(...head.subarray(at, at + 4));
  if (head.length < 12) {
    if (fileBytes < 12) throw new AudioFileError(`${name}: not a RIFF/WAVE file (${fileBytes} bytes).`);
    return null;
  }
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new AudioFileError(`${name}: not a RIFF/WAVE file.`);
  let fmt: Omit<IWavHeader, 'dataOffset' | 'dataBytes'> | null = null;
  let at = 12;
  for (;;) {
    if (at + 8 > head.length) {
      if (at + 8 > fileBytes) {
        throw new AudioFileError(
          `${name}: truncated or malformed: no data chunk in its ${fileBytes} bytes` +
            `${fmt ? '' : ' (and no fmt chunk)'}. Re-export the file.`,
        );
      }
      return null;
    }
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'data') {
      if (!fmt)
        throw new AudioFileError(`${name}: the data chunk comes before any fmt chunk. Re-export the file.`);
      const toEnd = fileBytes - body;
      const streaming = size === 0 || size === 0xffffffff;
      if (!streaming && size > toEnd) {
        throw new AudioFileError(
          `${name}: truncated: the data chunk announces ${size} bytes but the file holds ${Math.max(0, toEnd)} ` +
            `after its header (${fileBytes} bytes in all). Re-export or re-copy the file.`,
        );
      }
      const dataBytes = streaming ? toEnd : size;
      return { ...fmt, dataOffset: body, dataBytes: dataBytes - (dataBytes % fmt.blockAlign) };
    }
    if (id === 'fmt ') {
      if (body + size > head.length) {
        if (body + size > fileBytes) throw new AudioFileError(`${name}: truncated in its fmt chunk.`);
        return null;
      }
      fmt = readFmt(view, body, size, name);
    }
    at = body + size + (size & 1);
  }
}

function readFmt(
  view: DataView,
  at: number,
  size: number,
  name: string,
): Omit<IWavHeader, 'dataOffset' | 'dataBytes'> {
  if (size < 16) throw new AudioFileError(`${name}: fmt chunk too short (${size} bytes).`);
  let format = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRateHz = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
  if (format === 0xfffe) {
    if (size < 26)
      throw new AudioFileError(`${name}: WAVE_FORMAT_EXTENSIBLE fmt chunk too short (${size} bytes).`);
    format = view.getUint16(at + 24, true);
  }
  const encoding = format === 1 ? 'pcm' : format === 3 ? 'float' : null;
  const bitsOk =
    encoding === 'pcm' ? [8, 16, 24, 32].includes(bitsPerSample) : [32, 64].includes(bitsPerSample);
  if (!encoding || !bitsOk) {
    const what = FORMAT_NAMES[format] ?? `format 0x${format.toString(16).padStart(4, '0')}`;
    throw new AudioFileError(
      `${name}: expected integer PCM (8/16/24/32-bit) or float (32/64-bit) wav, got ${what} with ` +
        `${bitsPerSample} bits. Convert with sox or ffmpeg, or export FLAC.`,
    );
  }
  if (channels < 1) throw new AudioFileError(`${name}: ${channels} channels.`);
  checkSampleRate(sampleRateHz, name);
  if (blockAlign !== channels * (bitsPerSample / 8)) {
    throw new AudioFileError(
      `${name}: inconsistent fmt chunk (block align ${blockAlign} for ${channels} × ${bitsPerSample} bits).`,
    );
  }
  return { encoding, bitsPerSample, channels, sampleRateHz, blockAlign };
}

/**
 * @param rateHz defines a sample rate
 * @param name defines the file name for messages
 * @throws AudioFileError outside 8-96 kHz
 */
export function checkSampleRate(rateHz: number, name: string): void {
  if (!(Number.isInteger(rateHz) && rateHz >= MIN_SAMPLE_RATE_HZ && rateHz <= MAX_SAMPLE_RATE_HZ)) {
    throw new AudioFileError(
      `${name}: sample rate ${rateHz} Hz is outside ${MIN_SAMPLE_RATE_HZ}-${MAX_SAMPLE_RATE_HZ} Hz. Resample it (sox in.wav -r 48000 out.wav).`,
    );
  }
}

/**
 * Converts whole frames of the data chunk to mono floats in [-1, 1] (channels averaged; unsigned 8-bit
 * centred at 128; signed integers divided by 2^(bits−1)).
 * @param header defines the format
 * @param bytes defines a whole number of frames
 * @param out defines where to write (at least `bytes.length / blockAlign` long)
 * @returns the number of frames written
 */
export function wavFramesToMono(header: IWavHeader, bytes: Uint8Array, out: Float32Array): number {
  const { channels, blockAlign, bitsPerSample: bits, encoding } = header;
  const frames = Math.floor(bytes.length / blockAlign);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const step = bits / 8;
  const read: (at: number) => number =
    encoding === 'float'
      ? bits === 32
        ? (at) => view.getFloat32(at, true)
        : (at) => view.getFloat64(at, true)
      : bits === 8
        ? (at) => (bytes[at] - 128) / 128
        : bits === 16
          ? (at) => view.getInt16(at, true) / 32768
          : bits === 24
            ? (at) => ((bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) << 8) / 2147483648
            : (at) => view.getInt32(at, true) / 2147483648;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(f * blockAlign + c * step);
    out[f] = sum / channels;
  }
  return frames;
}
