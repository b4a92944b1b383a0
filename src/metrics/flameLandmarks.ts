/**
 * FLAME topology facts for lips-v1: where the 21 landmarks sit on the FLAME mesh (face index, its three
 * vertex ids and barycentric weights, from the public FLAME landmark embedding) and the jaw joint regressed
 * on the FLAME template. Numbers only; valid for every FLAME 2020/2023 mesh (same topology and vertex order).
 */
/**
 * A landmark inside one FLAME triangle: the triangle, its three vertex ids and barycentric weights (the
 * `{ face, vertices, barycentric }` form of the rig's `LandmarkRef`, so the rig can use the map as is).
 */
export interface IFlameLandmark {
  /** Triangle index in the FLAME topology. */
  readonly face: number;
  /** The triangle's three vertex indices. */
  readonly vertices: readonly [number, number, number];
  /** Weights of the three vertices (summing to 1). */
  readonly barycentric: readonly [number, number, number];
}

/** The lips-v1 landmark map on FLAME, in lips-v1 point order (iBUG 8, 48..67). */
export const FLAME_LIPS_V1_LANDMARKS: readonly IFlameLandmark[] = Object.freeze([
  { face: 8243, vertices: [3630, 3414, 3442], barycentric: [0.140254, 0.651518, 0.208228] }, // iBUG 8
  { face: 7423, vertices: [2845, 2715, 2714], barycentric: [0.471179, 0.505728, 0.023092] }, // iBUG 48
  { face: 7390, vertices: [2849, 2813, 2850], barycentric: [0.136175, 0.701888, 0.161937] }, // iBUG 49
  { face: 2354, vertices: [2811, 2866, 2774], barycentric: [0.13179, 0.086708, 0.781502] }, // iBUG 50
  { face: 8768, vertices: [1657, 3543, 3546], barycentric: [0.000284, 0.819254, 0.180462] }, // iBUG 51
  { face: 5997, vertices: [1694, 1657, 1751], barycentric: [0.131786, 0.781519, 0.086694] }, // iBUG 52
  { face: 885, vertices: [1734, 1735, 1696], barycentric: [0.136175, 0.161937, 0.701888] }, // iBUG 53
  { face: 917, vertices: [1730, 1578, 1579], barycentric: [0.471179, 0.023092, 0.505728] }, // iBUG 54
  { face: 6026, vertices: [1774, 1795, 1796], barycentric: [0.094414, 0.903023, 0.002563] }, // iBUG 55
  { face: 6069, vertices: [1802, 1865, 1866], barycentric: [0.047001, 0.942379, 0.01062] }, // iBUG 56
  { face: 8799, vertices: [1850, 3506, 3503], barycentric: [0.000108, 0.033579, 0.966313] }, // iBUG 57
  { face: 2452, vertices: [2905, 2949, 2948], barycentric: [0.047001, 0.01062, 0.942379] }, // iBUG 58
  { face: 7446, vertices: [2899, 2898, 2881], barycentric: [0.002563, 0.903023, 0.094414] }, // iBUG 59
  { face: 7418, vertices: [2719, 2718, 2845], barycentric: [0.074775, 0.335836, 0.589389] }, // iBUG 60
  { face: 3575, vertices: [3533, 2786, 2785], barycentric: [0.038179, 0.005374, 0.956447] }, // iBUG 61
  { face: 8635, vertices: [3533, 3531, 2786], barycentric: [0.978351, 0.021649, 0.0] }, // iBUG 62
  { face: 509, vertices: [1669, 3533, 1668], barycentric: [0.005374, 0.038179, 0.956447] }, // iBUG 63
  { face: 917, vertices: [1730, 1578, 1579], barycentric: [0.809373, 0.0, 0.190627] }, // iBUG 64
  { face: 6052, vertices: [1826, 1848, 1849], barycentric: [0.392631, 0.577773, 0.029595] }, // iBUG 65
  { face: 8668, vertices: [3504, 3509, 2937], barycentric: [0.021535, 0.978451, 1.3e-5] }, // iBUG 66
  { face: 7493, vertices: [2938, 2937, 2928], barycentric: [0.029595, 0.577773, 0.392631] }, // iBUG 67
]);

/** FLAME's jaw joint on the neutral template, metres (mesh space of an unscaled FLAME export). */
export const FLAME_JAW_PIVOT: readonly [number, number, number] = Object.freeze([
  0.000763, 1.485845, -0.038688,
]) as readonly [number, number, number];
