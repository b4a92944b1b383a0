/**
 * Reads an audio file as a stream of mono chunks, never the whole file at once: wav natively (see
 * wavFormat.ts), FLAC, Ogg Vorbis, Ogg Opus and MP3 through the wasm-audio-decoders packages
 * (WebAssembly, no native build; loaded only when such a file comes). Memory stays bounded by the read
 * size whatever the file's length (issue #16: a 10-minute bake peaked at 536 MB holding everything).
 */
import { open } from 'node:fs/promises';
import { AudioFileError } from './audioFileError.ts';
import { checkSampleRate, parseWavHeader, wavFramesToMono, type IWavHeader } from './wavFormat.ts';

/** A run of mono samples in [-1, 1]. */
export interface IAudioChunk {
  /** Sample rate, Hz (the same for every chunk of a file). */
  readonly sampleRateHz: number;
  /** Mono samples (channels averaged). Reused by the next chunk: copy to keep. */
  readonly samples: Float32Array;
}

/** The containers and codecs the reader knows. */
export type AudioFileKind = 'wav' | 'flac' | 'ogg-vorbis' | 'ogg-opus' | 'mp3';

/** Bytes read from the file at a time. */
const READ_BYTES = 1 << 18;

const ascii = (b: Uint8Array, at: number, n: number): string =>
  String.fromCharCode(...b.subarray(at, at + n));

/**
 * Tells the format from the first bytes (magic numbers, not the file name).
 * @param head defines the first bytes of the file (64 or more)
 * @param name defines the file name for messages
 * @returns the kind
 * @throws AudioFileError for anything else
 */
export function detectAudioFileKind(head: Uint8Array, name: string): AudioFileKind {
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return 'wav';
  if (ascii(head, 0, 4) === 'fLaC') return 'flac';
  if (ascii(head, 0, 4) === 'OggS') {
    const first = ascii(head, 0, Math.min(head.length, 128));
    if (first.includes('OpusHead')) return 'ogg-opus';
    if (first.includes('\x01vorbis')) return 'ogg-vorbis';
    if (first.includes('\x7fFLAC')) {
      throw new AudioFileError(
        `${name}: FLAC inside Ogg is not supported; use native .flac (flac --ogg=false) or wav.`,
      );
    }
    throw new AudioFileError(`${name}: an Ogg file with neither Vorbis nor Opus audio.`);
  }
  // MP3: an ID3v2 tag, or an MPEG audio frame header (11 sync bits, layer I/II/III).
  if (
    ascii(head, 0, 3) === 'ID3' ||
    (head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) !== 0)
  ) {
    return 'mp3';
  }
  throw new AudioFileError(
    `${name}: not a format the CLI reads (expected wav, FLAC, Ogg Vorbis, Ogg Opus or MP3; ` +
      `the file starts with ${Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')}). ` +
      'Convert with sox or ffmpeg.',
  );
}

/** The decoded audio of one `decode` call of a wasm-audio-decoders decoder. */
interface IDecoded {
  readonly channelData: Float32Array[];
  readonly samplesDecoded: number;
  readonly sampleRate: number;
  readonly errors: readonly { readonly message: string; readonly frameNumber?: number }[];
}
/** What the four decoders have in common. */
interface IStreamDecoder {
  readonly ready: Promise<void>;
  decode(bytes: Uint8Array): IDecoded | Promise<IDecoded>;
  flush?(): Promise<IDecoded>;
  free(): void | Promise<void>;
}

async function createDecoder(kind: Exclude<AudioFileKind, 'wav'>): Promise<IStreamDecoder> {
  switch (kind) {
    case 'flac':
      return new (await import('@wasm-audio-decoders/flac')).FLACDecoder();
    case 'ogg-vorbis':
      return new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
    case 'ogg-opus':
      return new (await import('ogg-opus-decoder')).OggOpusDecoder();
    case 'mp3':
      return new (await import('mpg123-decoder')).MPEGDecoder();
  }
}

/**
 * Streams a file's audio as mono chunks.
 * @param path defines the file
 * @returns the chunks, in order
 * @throws AudioFileError when the file cannot be read, is of another format, is truncated or corrupt
 */
export async function* readAudioChunks(path: string): AsyncGenerator<IAudioChunk> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (e) {
    throw new AudioFileError(
      `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
    );
  }
  try {
    const size = (await file.stat()).size;
    const head = new Uint8Array(Math.min(size, 128));
    await file.read(head, 0, head.length, 0);
    const kind = detectAudioFileKind(head, path);
    if (kind === 'wav') yield* readWavChunks(file, size, path);
    else {
      if (kind === 'ogg-vorbis' || kind === 'ogg-opus') await checkOggEnds(file, size, path);
      const announced = kind === 'flac' ? flacTotalSamples(head) : 0;
      yield* decodeChunks(file, size, kind, path, announced);
    }
  } finally {
    await file.close();
  }
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/**
 * FLAC's STREAMINFO total sample count (per channel; 0 = unknown): the decoder skips what it cannot
 * read without an error, so a cut file is found by counting.
 */
function flacTotalSamples(head: Uint8Array): number {
  if (head.length < 26 || (head[4] & 0x7f) !== 0) return 0; // STREAMINFO must be the first block
  return (
    (head[21] & 0x0f) * 2 ** 32 + ((head[22] << 24) >>> 0) + (head[23] << 16) + (head[24] << 8) + head[25]
  );
}

/** An Ogg stream ends with a page flagged end-of-stream; a cut file does not. */
async function checkOggEnds(file: FileHandle, size: number, name: string): Promise<void> {
  const tail = new Uint8Array(Math.min(size, 1 << 16));
  await file.read(tail, 0, tail.length, size - tail.length);
  // The last page is the one that ends exactly at the end of the file ("OggS" may also occur in audio data).
  for (let at = tail.length - 27; at >= 0; at--) {
    if (tail[at] !== 0x4f || tail[at + 1] !== 0x67 || tail[at + 2] !== 0x67 || tail[at + 3] !== 0x53)
      continue;
    if (tail[at + 4] !== 0) continue; // stream structure version
    const segments = tail[at + 26];
    let pageBytes = 27 + segments;
    for (let i = 0; i < segments && at + 27 + i < tail.length; i++) pageBytes += tail[at + 27 + i];
    if (at + pageBytes !== tail.length) continue;
    if ((tail[at + 5] & 0x04) === 0) break; // complete, but not flagged end-of-stream
    return;
  }
  throw new AudioFileError(
    `${name}: truncated: the file does not end with a complete end-of-stream Ogg page. Re-export or re-copy the file.`,
  );
}

async function* readWavChunks(file: FileHandle, size: number, name: string): AsyncGenerator<IAudioChunk> {
  let header: IWavHeader | null = null;
  for (let want = 4096; header === null; want *= 4) {
    const head = new Uint8Array(Math.min(size, want));
    await file.read(head, 0, head.length, 0);
    header = parseWavHeader(head, size, name);
    if (header === null && head.length === size) throw new AudioFileError(`${name}: malformed wav header.`);
  }
  const frameBytes = Math.max(header.blockAlign, READ_BYTES - (READ_BYTES % header.blockAlign));
  const bytes = new Uint8Array(frameBytes);
  const samples = new Float32Array(frameBytes / header.blockAlign);
  const end = header.dataOffset + header.dataBytes;
  for (let at = header.dataOffset; at < end;) {
    const n = Math.min(frameBytes, end - at);
    const { bytesRead } = await file.read(bytes, 0, n, at);
    if (bytesRead < n)
      throw new AudioFileError(
        `${name}: truncated while reading (the file shrank to ${at + bytesRead} bytes).`,
      );
    const frames = wavFramesToMono(header, bytes.subarray(0, n), samples);
    yield { sampleRateHz: header.sampleRateHz, samples: samples.subarray(0, frames) };
    at += n;
  }
}

async function* decodeChunks(
  file: FileHandle,
  size: number,
  kind: Exclude<AudioFileKind, 'wav'>,
  name: string,
  announcedSamples: number,
): AsyncGenerator<IAudioChunk> {
  const decoder = await createDecoder(kind);
  await decoder.ready;
  let rate = 0;
  let total = 0;
  let mono = new Float32Array(0);
  const toMono = (d: IDecoded): IAudioChunk | null => {
    if (d.errors.length > 0) {
      const e = d.errors[0];
      throw new AudioFileError(
        `${name}: the ${kind} data is corrupt or truncated (${e.message}${e.frameNumber !== undefined ? ` at frame ${e.frameNumber}` : ''}).`,
      );
    }
    if (d.samplesDecoded === 0) return null;
    if (rate === 0) {
      rate = d.sampleRate;
      checkSampleRate(rate, name);
    } else if (d.sampleRate !== rate) {
      throw new AudioFileError(
        `${name}: the sample rate changes mid-file (${rate} → ${d.sampleRate} Hz); convert it first.`,
      );
    }
    if (mono.length < d.samplesDecoded) mono = new Float32Array(d.samplesDecoded);
    const channels = d.channelData.length;
    for (let i = 0; i < d.samplesDecoded; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += d.channelData[c][i];
      mono[i] = sum / channels;
    }
    total += d.samplesDecoded;
    return { sampleRateHz: rate, samples: mono.subarray(0, d.samplesDecoded) };
  };
  try {
    const bytes = new Uint8Array(READ_BYTES);
    for (let at = 0; at < size;) {
      const { bytesRead } = await file.read(bytes, 0, Math.min(READ_BYTES, size - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
      // The decoders keep what they are given only until it is decoded: hand them a copy of this read.
      const chunk = toMono(await decoder.decode(bytes.slice(0, bytesRead)));
      if (chunk) yield chunk;
    }
    if (decoder.flush) {
      const chunk = toMono(await decoder.flush());
      if (chunk) yield chunk;
    }
    if (total === 0) throw new AudioFileError(`${name}: no audio could be decoded from this ${kind} file.`);
    if (announcedSamples > 0 && total < announcedSamples) {
      throw new AudioFileError(
        `${name}: truncated or corrupt: decoded ${total} of the ${announcedSamples} samples its header announces. ` +
          'Re-export or re-copy the file.',
      );
    }
  } finally {
    await decoder.free();
  }
}
