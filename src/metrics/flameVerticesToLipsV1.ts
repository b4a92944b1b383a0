/**
 * Lip landmarks from a FLAME vertex frame, for generators that output FLAME meshes (5023 × 3) instead of
 * lips-v1 directly. Generators that output FLAME parameters evaluate FLAME first (the landmark vertices are
 * enough), then call this; the result goes through the same playout and solver as any lips-v1 frame.
 */
import { FLAME_LIPS_V1_LANDMARKS } from './flameLandmarks.ts';
import { FLAME_VERTEX_COUNT } from './flameRegions.ts';
import { LIPS_V1_VALUES } from './lipsV1Layout.ts';

/**
 * Interpolates the 21 lips-v1 landmarks from FLAME vertices with the barycentric landmark map.
 * Allocation-free when `out` is given.
 * @param vertices defines one FLAME frame, 5023 × 3 (x, y, z interleaved), metres, head frame
 * @param out defines where the 21 × 3 landmarks are written
 * @returns `out`
 * @throws RangeError when `vertices` is not 5023 × 3 or `out` is shorter than 63
 */
export function flameVerticesToLipsV1(
  vertices: ArrayLike<number>,
  out: Float32Array = new Float32Array(LIPS_V1_VALUES),
): Float32Array {
  if (vertices.length !== FLAME_VERTEX_COUNT * 3) {
    throw new RangeError(
      `flameVerticesToLipsV1: expected ${FLAME_VERTEX_COUNT * 3} values, got ${vertices.length}`,
    );
  }
  if (out.length < LIPS_V1_VALUES)
    throw new RangeError(`flameVerticesToLipsV1: out must hold ${LIPS_V1_VALUES} values`);
  FLAME_LIPS_V1_LANDMARKS.forEach((ref, l) => {
    for (let a = 0; a < 3; a++) {
      out[l * 3 + a] =
        ref.barycentric[0] * vertices[ref.vertices[0] * 3 + a] +
        ref.barycentric[1] * vertices[ref.vertices[1] * 3 + a] +
        ref.barycentric[2] * vertices[ref.vertices[2] * 3 + a];
    }
  });
  return out;
}
