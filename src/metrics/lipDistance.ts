/**
 * The lip-opening signal MTM aligns: per-frame distance between an upper and a lower lip point.
 */
import { lipLayoutPoints, type LipLayout } from './lipLayout.ts';
import { MetricInputError } from './metricInputError.ts';
import { _checkSequence, type VertexSequence } from './vertexSequence.ts';

/** Options of lipDistance. */
export interface ILipDistanceOptions {
  /** Keep every `stride`-th frame first (the paper downsamples 60 fps VOCASET GT with [::2]). @default 1 */
  stride?: number;
}

/**
 * Euclidean distance between the layout's upper and lower lip points in each frame: FLAME vertices
 * 3531/3504, or lips-v1 inner-lip mid points 15/19.
 * @param sequence defines the point sequence (points must match the layout)
 * @param layout defines the layout; default 'flame'
 * @param options defines the frame stride
 * @returns the distance per kept frame, in the sequence's units (metres)
 * @throws MetricInputError on a point-count mismatch, a bad stride or NaN
 */
export function lipDistance(
  sequence: VertexSequence,
  layout: LipLayout = 'flame',
  options: ILipDistanceOptions = {},
): Float64Array {
  const { points, upper, lower } = lipLayoutPoints(layout);
  _checkSequence(sequence, 'lipDistance');
  if (sequence.points !== points) {
    throw new MetricInputError(
      `lipDistance: expected ${points} points per frame for layout '${layout}', got ${sequence.points}. Pass the matching layout.`,
    );
  }
  const stride = options.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) {
    throw new MetricInputError(`lipDistance: expected a positive integer stride, got ${stride}.`);
  }
  const out = new Float64Array(Math.ceil(sequence.frames / stride));
  const d = sequence.data;
  for (let k = 0; k < out.length; k++) {
    const base = k * stride * points * 3;
    const u = base + upper * 3;
    const l = base + lower * 3;
    out[k] = Math.hypot(d[u] - d[l], d[u + 1] - d[l + 1], d[u + 2] - d[l + 2]);
  }
  return out;
}
