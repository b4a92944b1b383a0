/**
 * LVE — lip vertex error (FaceFormer/CodeTalker protocol): the worst lip point's squared error per
 * frame, averaged over frames. Lower is better.
 */
import { lipLayoutPoints, type LipLayout } from './lipLayout.ts';
import { MetricInputError } from './metricInputError.ts';
import { _checkSequence, type VertexSequence } from './vertexSequence.ts';

/** Options of lipVertexError and upperFaceDynamicsDeviation: which points count. */
export interface IRegionOptions {
  /** Layout, used for the default point set. @default 'flame' */
  layout?: LipLayout;
  /** Point indices; defaults to the layout's mouth set (FLAME 254-entry list, or all 21 lips-v1 points). */
  indices?: readonly number[];
}

/** @internal */
export function _pairUp(
  gt: VertexSequence | readonly VertexSequence[],
  pred: VertexSequence | readonly VertexSequence[],
  what: string,
): Array<[VertexSequence, VertexSequence]> {
  const g = Array.isArray(gt) ? (gt as readonly VertexSequence[]) : [gt as VertexSequence];
  const p = Array.isArray(pred) ? (pred as readonly VertexSequence[]) : [pred as VertexSequence];
  if (g.length !== p.length || g.length === 0) {
    throw new MetricInputError(
      `${what}: expected as many predictions as GT sequences (≥ 1), got ${p.length} and ${g.length}.`,
    );
  }
  return g.map((s, k) => {
    _checkSequence(s, `${what} (gt ${k})`);
    _checkSequence(p[k], `${what} (pred ${k})`);
    if (s.points !== p[k].points) {
      throw new MetricInputError(
        `${what}: sequence ${k} has ${s.points} GT points but ${p[k].points} predicted points.`,
      );
    }
    return [s, p[k]];
  });
}

/** @internal */
export function _checkIndices(indices: readonly number[], points: number, what: string): void {
  if (indices.length === 0) throw new MetricInputError(`${what}: expected at least one point index.`);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= points) {
      throw new MetricInputError(`${what}: point index ${i} is outside 0…${points - 1}. Check the layout.`);
    }
  }
}

/**
 * LVE over one or more sequences: for each frame, the maximum over lip points of the squared L2 error
 * Σxyz (p̂ − p)², averaged over all frames of all sequences concatenated (frame-weighted). Each
 * prediction is truncated to its GT length (and the GT to the prediction's if that is shorter).
 * @param gt defines the ground-truth sequence(s)
 * @param pred defines the predicted sequence(s), same count and points as `gt`
 * @param options defines the point set
 * @returns LVE in squared data units (m² for metres; papers print it ×10⁻⁵); lower is better
 * @throws MetricInputError on mismatched input or NaN
 */
export function lipVertexError(
  gt: VertexSequence | readonly VertexSequence[],
  pred: VertexSequence | readonly VertexSequence[],
  options: IRegionOptions = {},
): number {
  const pairs = _pairUp(gt, pred, 'lipVertexError');
  const indices = options.indices ?? lipLayoutPoints(options.layout ?? 'flame').mouth;
  _checkIndices(indices, pairs[0][0].points, 'lipVertexError');
  let sum = 0;
  let frames = 0;
  for (const [g, p] of pairs) {
    const t = Math.min(g.frames, p.frames);
    const stride = g.points * 3;
    for (let f = 0; f < t; f++) {
      let worst = 0;
      for (const v of indices) {
        const o = f * stride + v * 3;
        const dx = p.data[o] - g.data[o];
        const dy = p.data[o + 1] - g.data[o + 1];
        const dz = p.data[o + 2] - g.data[o + 2];
        worst = Math.max(worst, dx * dx + dy * dy + dz * dz);
      }
      sum += worst;
    }
    frames += t;
  }
  return sum / frames;
}
