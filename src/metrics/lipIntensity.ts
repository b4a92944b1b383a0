/**
 * Lip intensity (LI) for SLCC: how fast the mouth moves over a clip.
 */
import { lipLayoutPoints } from './lipLayout.ts';
import { _checkIndices, type IRegionOptions } from './lipVertexError.ts';
import { _checkSequence, type VertexSequence } from './vertexSequence.ts';

/**
 * LI = sqrt(mean over t ≥ 1 of m_t²), where m_t is the mean over mouth points of ‖v_t − v_{t−1}‖
 * (duplicates in the FLAME 254-entry list count twice, as in the paper's code).
 * @param sequence defines the point sequence (≥ 2 frames)
 * @param options defines the mouth points (default: the layout's mouth set)
 * @returns LI in data units per frame (metres per frame)
 * @throws MetricInputError on fewer than 2 frames, bad indices or NaN
 */
export function lipIntensity(sequence: VertexSequence, options: IRegionOptions = {}): number {
  _checkSequence(sequence, 'lipIntensity', 2);
  const indices = options.indices ?? lipLayoutPoints(options.layout ?? 'flame').mouth;
  _checkIndices(indices, sequence.points, 'lipIntensity');
  const stride = sequence.points * 3;
  const d = sequence.data;
  let sumSq = 0;
  for (let t = 1; t < sequence.frames; t++) {
    let m = 0;
    for (const v of indices) {
      const a = t * stride + v * 3;
      const b = a - stride;
      m += Math.hypot(d[a] - d[b], d[a + 1] - d[b + 1], d[a + 2] - d[b + 2]);
    }
    m /= indices.length;
    sumSq += m * m;
  }
  return Math.sqrt(sumSq / (sequence.frames - 1));
}
