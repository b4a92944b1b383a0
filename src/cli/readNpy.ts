/**
 * Minimal reader for NumPy .npy files: little-endian float32/float64, C order, format v1–v3.
 */
import { CliError } from './cliError.ts';

/** A parsed .npy array. */
export interface INpyArray {
  /** Array shape, e.g. [T, 5023, 3]. */
  shape: number[];
  /** Values in C (row-major) order. */
  data: Float32Array | Float64Array;
}

/**
 * Parses .npy bytes. Supports dtypes `<f4` and `<f8` (and `|f`-less variants numpy writes on
 * little-endian hosts), C order, header versions 1.0, 2.0 and 3.0.
 * @param bytes defines the file contents
 * @param name defines the file name for error messages
 * @returns shape and data
 * @throws CliError for anything else (big-endian, Fortran order, integer or object dtypes, truncation)
 */
export function readNpy(bytes: Uint8Array, name = '.npy input'): INpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new CliError(`${name}: not a .npy file (missing the \\x93NUMPY magic). Save it with numpy.save.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new CliError(`${name}: truncated .npy header.`);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new CliError(`${name}: unsupported .npy format version ${major}; expected 1, 2 or 3.`);
  }
  if (headerStart + headerLength > bytes.length) throw new CliError(`${name}: truncated .npy header.`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLength),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new CliError(`${name}: malformed .npy header: ${header.trim()}`);
  }
  if (fortran === 'True') {
    throw new CliError(`${name}: Fortran-order arrays are not supported; save np.ascontiguousarray(x).`);
  }
  const bytesPer = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (bytesPer === 0) {
    throw new CliError(
      `${name}: expected dtype <f4 or <f8, got '${descr}'. Convert with x.astype(np.float32).`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new CliError(`${name}: bad shape (${shapeText}).`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  if (bytes.length - dataStart < count * bytesPer) {
    throw new CliError(`${name}: expected ${count} values of ${bytesPer} bytes, the file is truncated.`);
  }
  const data = bytesPer === 4 ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) {
    data[i] =
      bytesPer === 4 ? view.getFloat32(dataStart + 4 * i, true) : view.getFloat64(dataStart + 8 * i, true);
  }
  return { shape, data };
}
