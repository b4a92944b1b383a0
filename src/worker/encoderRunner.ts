/**
 * Runs one metric encoder over a batch of windows for telemetry, in chunks: each chunk is its own run in
 * onnxBackend's queue, so a generator run waits behind one chunk at most (generator runs are never
 * dropped or long delayed; telemetry runs may be).
 */
import type { IModelSession } from '../models/onnxBackend.ts';

/** Encoder windows per ONNX run (bounds how long a generator run can wait behind telemetry). */
export const ENCODER_CHUNK = 32;

/** One encoder as the runner sees it: the session and its input and output names. */
export interface IEncoderBinding {
  readonly session: Pick<IModelSession, 'runTimedAsync'>;
  readonly inputName: string;
  readonly outputName: string;
  /** Name for errors ('speechEncoder', 'meshEncoder'). */
  readonly label: string;
}

/**
 * Runs the encoder on `dims[0]` windows, `ENCODER_CHUNK` at a time, and joins the outputs.
 * @param encoder defines the session and names
 * @param batch defines the windows, `dims` row-major
 * @param dims defines the batch shape, windows first
 * @param onRun defines a callback with each run's duration, ms
 * @returns the outputs of all windows, in order
 * @throws Error when the output is missing
 */
export async function runEncoderAsync(
  encoder: IEncoderBinding,
  batch: Float32Array,
  dims: readonly number[],
  onRun: (ms: number) => void,
): Promise<Float32Array> {
  const n = dims[0];
  const per = batch.length / n;
  const parts: Float32Array[] = [];
  for (let i = 0; i < n; i += ENCODER_CHUNK) {
    const m = Math.min(ENCODER_CHUNK, n - i);
    const run = await encoder.session.runTimedAsync({
      [encoder.inputName]: { data: batch.subarray(i * per, (i + m) * per), dims: [m, ...dims.slice(1)] },
    });
    onRun(run.runMs);
    const y = run.outputs[encoder.outputName];
    if (!y) throw new Error(`${encoder.label} output "${encoder.outputName}" missing.`);
    parts.push(y.data);
  }
  if (parts.length === 1) return parts[0];
  const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}
