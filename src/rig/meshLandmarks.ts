/**
 * Landmarks on a mesh's topology: resolves a landmark map (`LandmarkRef`: a vertex, a triangle of the index
 * buffer, or three vertices, with barycentric weights) to vertex ids and weights, and interpolates landmark
 * positions from per-vertex data. Used by `describeRig` (rest pose, morph deltas, jaw weights) and
 * `readBackLipsV1` (the deformed mesh). No Babylon import: any mesh with an index buffer fits.
 */
import type { LandmarkRef } from './landmarkRef.ts';
import { UnsupportedRigError } from './rigErrors.ts';

/** What landmark resolution reads from a mesh (a Babylon `AbstractMesh` fits). */
export interface ILandmarkMesh {
  readonly name: string;
  getIndices(): ArrayLike<number> | null;
  getTotalVertices(): number;
}

/** A landmark as three vertex ids and weights. */
export interface IResolvedLandmark {
  readonly v: readonly [number, number, number];
  readonly w: readonly [number, number, number];
}

/**
 * Resolves `{vertex}` / `{face, barycentric}` / `{vertices, barycentric}` against the mesh.
 * @param mesh defines the mesh
 * @param map defines the landmark map
 * @returns three vertex ids and weights per landmark
 * @throws UnsupportedRigError when a landmark names a face or vertex the mesh does not have
 */
export function resolveLandmarks(mesh: ILandmarkMesh, map: readonly LandmarkRef[]): IResolvedLandmark[] {
  const indices = mesh.getIndices();
  const vertexCount = mesh.getTotalVertices();
  return map.map((ref, i) => {
    let res: IResolvedLandmark;
    if ('vertex' in ref) res = { v: [ref.vertex, ref.vertex, ref.vertex], w: [1, 0, 0] };
    else if ('vertices' in ref) res = { v: ref.vertices, w: ref.barycentric };
    else {
      const f = ref.face;
      if (!indices || !(f >= 0 && f * 3 + 2 < indices.length)) {
        throw new UnsupportedRigError(
          `Landmark ${i} names face ${f}, which mesh "${mesh.name}" does not have.`,
          `${indices ? indices.length / 3 : 0} triangles`,
        );
      }
      res = { v: [indices[f * 3], indices[f * 3 + 1], indices[f * 3 + 2]], w: ref.barycentric };
    }
    if (!res.v.every((v) => v >= 0 && v < vertexCount)) {
      throw new UnsupportedRigError(
        `Landmark ${i} names a vertex outside mesh "${mesh.name}".`,
        `${vertexCount} vertices`,
      );
    }
    return res;
  });
}

const resolvedCache = new WeakMap<
  readonly LandmarkRef[],
  { mesh: ILandmarkMesh; res: IResolvedLandmark[] }
>();

/**
 * `resolveLandmarks`, cached per map and mesh (the map object is the key: telemetry reads back every frame).
 * @param mesh defines the mesh
 * @param map defines the landmark map
 * @returns the resolved landmarks
 */
export function resolveCached(mesh: ILandmarkMesh, map: readonly LandmarkRef[]): IResolvedLandmark[] {
  const hit = resolvedCache.get(map);
  if (hit && hit.mesh === mesh) return hit.res;
  const res = resolveLandmarks(mesh, map);
  resolvedCache.set(map, { mesh, res });
  return res;
}

/**
 * Interpolates the landmarks from a per-vertex xyz array.
 * @param res defines the resolved landmarks
 * @param data defines x, y, z per vertex
 * @param out defines where 3 values per landmark are written
 * @returns `out`
 */
export function interpolate(
  res: readonly IResolvedLandmark[],
  data: ArrayLike<number>,
  out: Float32Array,
): Float32Array {
  res.forEach((r, l) => {
    for (let a = 0; a < 3; a++) {
      out[l * 3 + a] =
        r.w[0] * data[r.v[0] * 3 + a] + r.w[1] * data[r.v[1] * 3 + a] + r.w[2] * data[r.v[2] * 3 + a];
    }
  });
  return out;
}
