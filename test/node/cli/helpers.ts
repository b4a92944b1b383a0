import type { ICliIo } from '../../../src/cli/cliCommand.ts';

/** Captures CLI output lines. */
export function captureIo(): ICliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

/** Builds .npy bytes (little-endian float) with the given header version. */
export function npyBytes(
  values: ArrayLike<number>,
  shape: number[],
  options: { dtype?: '<f4' | '<f8' | '<i4'; version?: 1 | 2; fortran?: boolean } = {},
): Uint8Array {
  const dtype = options.dtype ?? '<f4';
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  while ((pre + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const size = dtype === '<f8' ? 8 : 4;
  const bytes = new Uint8Array(pre + header.length + values.length * size);
  const view = new DataView(bytes.buffer);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), pre);
  for (let i = 0; i < values.length; i++) {
    const at = pre + header.length + i * size;
    if (dtype === '<f8') view.setFloat64(at, values[i], true);
    else if (dtype === '<f4') view.setFloat32(at, values[i], true);
    else view.setInt32(at, values[i], true);
  }
  return bytes;
}

/** Builds a wav file: PCM16 (format 1) or float32 (format 3), interleaved channels. */
export function wavBytes(
  channels: number[][],
  sampleRateHz: number,
  format: 'pcm16' | 'float32' | 'pcm8',
): Uint8Array {
  const bits = format === 'pcm16' ? 16 : format === 'float32' ? 32 : 8;
  const frames = channels[0].length;
  const dataBytes = frames * channels.length * (bits / 8);
  const bytes = new Uint8Array(44 + dataBytes);
  const v = new DataView(bytes.buffer);
  const tag = (at: number, s: string): void => bytes.set(new TextEncoder().encode(s), at);
  tag(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, format === 'float32' ? 3 : 1, true);
  v.setUint16(22, channels.length, true);
  v.setUint32(24, sampleRateHz, true);
  v.setUint32(28, sampleRateHz * channels.length * (bits / 8), true);
  v.setUint16(32, channels.length * (bits / 8), true);
  v.setUint16(34, bits, true);
  tag(36, 'data');
  v.setUint32(40, dataBytes, true);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels.length; c++) {
      const at = 44 + (f * channels.length + c) * (bits / 8);
      if (format === 'pcm16') v.setInt16(at, Math.round(channels[c][f] * 32767), true);
      else if (format === 'float32') v.setFloat32(at, channels[c][f], true);
      else v.setUint8(at, 128);
    }
  }
  return bytes;
}
