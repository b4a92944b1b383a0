/**
 * FDD — upper-face dynamics deviation (CodeTalker protocol): how much less (positive) or more
 * (negative) the upper face moves in the prediction than in the ground truth. Closer to 0 is better.
 */
import { MetricInputError } from './metricInputError.ts';
import { _checkIndices, _pairUp } from './lipVertexError.ts';
import type { VertexSequence } from './vertexSequence.ts';

/** Options of upperFaceDynamicsDeviation. */
export interface IFddOptions {
  /**
   * Upper-face point indices (VOCASET: FLAME_masks eye_region ∪ forehead ∪ nose, 1203 vertices; BIWI:
   * regions/fdd.txt). Not shipped here: the masks are FLAME data files.
   */
  indices: readonly number[];
  /**
   * Subject template(s), `points × 3`: motion is vertex − template. One per sequence, or one shared.
   */
  templates: Float32Array | Float64Array | ReadonlyArray<Float32Array | Float64Array>;
}

function dynamics(
  seq: VertexSequence,
  frames: number,
  template: ArrayLike<number>,
  indices: readonly number[],
): number {
  const stride = seq.points * 3;
  let total = 0;
  for (const v of indices) {
    // Population std over time of the squared displacement norm ‖m_t,v‖² (np.std, ddof = 0).
    let mean = 0;
    const sq = new Float64Array(frames);
    for (let f = 0; f < frames; f++) {
      const o = f * stride + v * 3;
      const dx = seq.data[o] - template[v * 3];
      const dy = seq.data[o + 1] - template[v * 3 + 1];
      const dz = seq.data[o + 2] - template[v * 3 + 2];
      sq[f] = dx * dx + dy * dy + dz * dz;
      mean += sq[f];
    }
    mean /= frames;
    let variance = 0;
    for (let f = 0; f < frames; f++) variance += (sq[f] - mean) * (sq[f] - mean);
    total += Math.sqrt(variance / frames);
  }
  return total / indices.length;
}

/**
 * FDD over one or more sequences: per sequence, dynamics = mean over upper-face points of the temporal
 * std (ddof 0) of ‖vertex − template‖²; FDD = mean over sequences of (dynamics_GT − dynamics_pred).
 * Both sequences are cut to the shorter length.
 * @param gt defines the ground-truth sequence(s)
 * @param pred defines the predicted sequence(s)
 * @param options defines the upper-face points and the template(s)
 * @returns FDD in squared data units (m²; papers print it ×10⁻⁵); signed, closer to 0 is better
 * @throws MetricInputError on mismatched input, a wrong template size or NaN
 */
export function upperFaceDynamicsDeviation(
  gt: VertexSequence | readonly VertexSequence[],
  pred: VertexSequence | readonly VertexSequence[],
  options: IFddOptions,
): number {
  const pairs = _pairUp(gt, pred, 'upperFaceDynamicsDeviation');
  const points = pairs[0][0].points;
  _checkIndices(options.indices, points, 'upperFaceDynamicsDeviation');
  const templates = Array.isArray(options.templates)
    ? (options.templates as ReadonlyArray<Float32Array | Float64Array>)
    : pairs.map(() => options.templates as Float32Array | Float64Array);
  if (templates.length !== pairs.length) {
    throw new MetricInputError(
      `upperFaceDynamicsDeviation: expected one template or ${pairs.length}, got ${templates.length}.`,
    );
  }
  let sum = 0;
  pairs.forEach(([g, p], k) => {
    const template = templates[k];
    if (template.length !== g.points * 3 || !template.every(Number.isFinite)) {
      throw new MetricInputError(
        `upperFaceDynamicsDeviation: template ${k} must hold ${g.points}×3 finite values, got ${template.length} values.`,
      );
    }
    const frames = Math.min(g.frames, p.frames);
    sum += dynamics(g, frames, template, options.indices) - dynamics(p, frames, template, options.indices);
  });
  return sum / pairs.length;
}
