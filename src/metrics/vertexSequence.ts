/**
 * The input type of the mesh metrics: a sequence of point sets (FLAME vertices or lips-v1 points).
 */
import { MetricInputError, _assertFinite } from './metricInputError.ts';

/** `frames × points × 3` coordinates, row-major (x, y, z per point), in the data's units (metres). */
export interface VertexSequence {
  /** Flattened coordinates, length frames·points·3. */
  readonly data: Float32Array | Float64Array;
  /** Number of frames. */
  readonly frames: number;
  /** Points per frame (5023 for FLAME, 21 for lips-v1). */
  readonly points: number;
}

/**
 * Builds a VertexSequence from flat data or nested arrays (`[frame][point][xyz]` or
 * `[frame][point·3]`), checking shape and finiteness.
 * @param input defines flat coordinates (needs `points`) or nested arrays
 * @param points defines points per frame for flat input (ignored for nested input)
 * @returns the sequence
 * @throws MetricInputError on ragged shapes, a length that is not frames·points·3, or NaN
 */
export function toVertexSequence(
  input: ArrayLike<number> | readonly (readonly number[] | readonly (readonly number[])[])[],
  points?: number,
): VertexSequence {
  let data: Float64Array | Float32Array;
  let frames: number;
  let p: number;
  const first = (input as ArrayLike<unknown>)[0];
  if (input.length > 0 && Array.isArray(first)) {
    const nested = input as readonly (readonly number[] | readonly (readonly number[])[])[];
    frames = nested.length;
    const f0 = nested[0];
    const perFrame = Array.isArray(f0[0]) ? f0.length * 3 : f0.length;
    if (perFrame % 3 !== 0 || perFrame === 0) {
      throw new MetricInputError(
        `toVertexSequence: expected frames of [x, y, z] points, got ${perFrame} values in frame 0.`,
      );
    }
    p = perFrame / 3;
    data = new Float64Array(frames * perFrame);
    for (let t = 0; t < frames; t++) {
      const frame = nested[t];
      const flat = (
        Array.isArray(frame[0]) ? (frame as readonly (readonly number[])[]).flat() : frame
      ) as number[];
      if (
        flat.length !== perFrame ||
        (Array.isArray(frame[0]) && frame.some((q) => (q as number[]).length !== 3))
      ) {
        throw new MetricInputError(
          `toVertexSequence: expected every frame to have ${p} points of 3 coordinates, frame ${t} differs.`,
        );
      }
      data.set(flat, t * perFrame);
    }
  } else {
    if (points === undefined || !Number.isInteger(points) || points <= 0) {
      throw new MetricInputError('toVertexSequence: flat input needs a positive integer `points` count.');
    }
    if (input.length % (points * 3) !== 0) {
      throw new MetricInputError(
        `toVertexSequence: expected a multiple of ${points}×3 = ${points * 3} values, got ${input.length}.`,
      );
    }
    p = points;
    frames = input.length / (points * 3);
    data =
      input instanceof Float32Array || input instanceof Float64Array
        ? input
        : Float64Array.from(input as ArrayLike<number>);
  }
  _assertFinite(data, 'toVertexSequence');
  return { data, frames, points: p };
}

/**
 * Checks a VertexSequence's shape and values.
 * @internal
 */
export function _checkSequence(seq: VertexSequence, what: string, minFrames = 1): void {
  if (seq.data.length !== seq.frames * seq.points * 3) {
    throw new MetricInputError(
      `${what}: expected frames·points·3 = ${seq.frames * seq.points * 3} values, got ${seq.data.length}.`,
    );
  }
  if (seq.frames < minFrames) {
    throw new MetricInputError(`${what}: expected at least ${minFrames} frame(s), got ${seq.frames}.`);
  }
  _assertFinite(seq.data, what);
}
