/**
 * Turns one chunk of streamed speech, as realtime voice APIs deliver it, into float samples: PCM16
 * little-endian (`Int16Array`, or the raw bytes of a WebSocket binary frame as `ArrayBuffer` /
 * `Uint8Array`) or `Float32Array`. Pure; validates at the boundary with typed errors.
 *
 * **Example:**
 * ```ts
 * socket.binaryType = 'arraybuffer';
 * socket.onmessage = (e) => player.push(decodePcmChunk(e.data)); // PCM16 bytes → Float32Array
 * ```
 */
import { AudioChunkError } from '../errors.ts';

/**
 * One chunk of mono speech: `Int16Array` (PCM16), `Float32Array` (samples in [-1, 1]), or the bytes of
 * PCM16 little-endian audio (`ArrayBuffer`, `Uint8Array`, Node's `Buffer`).
 */
export type PcmChunk = Int16Array | Float32Array | ArrayBuffer | Uint8Array;

/** Full scale of PCM16: −32768 maps to −1. */
const PCM16_SCALE = 1 / 32768;

/**
 * Converts a chunk to float samples (a new array; the chunk is not kept or modified).
 * @param chunk defines the samples or PCM16 bytes (mono)
 * @returns the samples as floats, PCM16 scaled by 1/32768
 * @throws AudioChunkError for PCM16 bytes of odd length, a non-finite float sample, or another type
 */
export function decodePcmChunk(chunk: PcmChunk): Float32Array {
  if (chunk instanceof Int16Array) {
    const out = new Float32Array(chunk.length);
    for (let i = 0; i < chunk.length; i++) out[i] = chunk[i] * PCM16_SCALE;
    return out;
  }
  if (chunk instanceof Float32Array) {
    for (let i = 0; i < chunk.length; i++) {
      if (!Number.isFinite(chunk[i])) {
        throw new AudioChunkError(
          `Audio chunk sample ${i} of ${chunk.length} is ${chunk[i]}: expected finite samples in [-1, 1]. ` +
            'Check the decoder that produced the chunk; the chunk was dropped.',
        );
      }
    }
    return chunk.slice();
  }
  const bytes =
    chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : chunk instanceof Uint8Array ? chunk : null;
  if (!bytes) {
    throw new AudioChunkError(
      `Audio chunk of type ${Object.prototype.toString.call(chunk)} is not supported: expected an Int16Array ` +
        '(PCM16), a Float32Array, or PCM16 little-endian bytes (ArrayBuffer, Uint8Array).',
    );
  }
  if (bytes.length % 2 !== 0) {
    throw new AudioChunkError(
      `Audio chunk of ${bytes.length} bytes is not PCM16: expected an even byte count (2 bytes per sample, ` +
        'little-endian). A sample was split across two frames: join the bytes before pushing.',
    );
  }
  const n = bytes.length / 2;
  const out = new Float32Array(n);
  // Byte-wise, so any byteOffset (an odd one cannot be viewed as Int16Array) and any host endianness work.
  for (let i = 0, b = 0; i < n; i++, b += 2) {
    const u = bytes[b] | (bytes[b + 1] << 8);
    out[i] = (u >= 0x8000 ? u - 0x10000 : u) * PCM16_SCALE;
  }
  return out;
}
