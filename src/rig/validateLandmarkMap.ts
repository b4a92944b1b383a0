/**
 * Checks a landmark map given by the user or found in mesh metadata, so a bad map fails at attach time with
 * a message instead of producing a silently wrong mouth.
 */
import { LIPS_V1_POINTS } from '../metrics/lipsV1Layout.ts';
import type { LandmarkRef } from './landmarkRef.ts';
import { UnsupportedRigError } from './rigErrors.ts';

const isIndex = (v: unknown, count: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < count;
const isTriple = (v: unknown): v is readonly [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((e) => typeof e === 'number' && Number.isFinite(e));

/**
 * Validates a lips-v1 landmark map against a mesh.
 * @param map defines the candidate map (unknown: it may come from JSON metadata)
 * @param vertexCount defines the mesh's vertex count
 * @param faceCount defines the mesh's triangle count
 * @param source defines where the map came from, for the message
 * @returns the map, typed
 * @throws UnsupportedRigError when it is not 21 valid `{vertex}` / `{face|vertices, barycentric}` entries
 */
export function validateLandmarkMap(
  map: unknown,
  vertexCount: number,
  faceCount: number,
  source: string,
): readonly LandmarkRef[] {
  const found = `${source} = ${Array.isArray(map) ? `array of ${map.length}` : typeof map}`;
  if (!Array.isArray(map) || map.length !== LIPS_V1_POINTS) {
    throw new UnsupportedRigError(
      `A lips-v1 landmark map must be an array of ${LIPS_V1_POINTS} entries (iBUG 8, 48..67).`,
      found,
    );
  }
  map.forEach((e: unknown, i) => {
    const bad = (why: string): never => {
      throw new UnsupportedRigError(
        `Landmark ${i} of the lips-v1 map is invalid (${why}); use {vertex} or {face|vertices, barycentric}.`,
        found,
      );
    };
    if (typeof e !== 'object' || e === null) return bad('not an object');
    const r = e as Record<string, unknown>;
    if ('vertex' in r) {
      if (!isIndex(r.vertex, vertexCount)) bad(`vertex ${String(r.vertex)} not in [0, ${vertexCount})`);
      return;
    }
    if (!isTriple(r.barycentric)) bad('barycentric must be 3 numbers');
    if ('vertices' in r) {
      if (
        !Array.isArray(r.vertices) ||
        r.vertices.length !== 3 ||
        !r.vertices.every((v) => isIndex(v, vertexCount))
      )
        bad(`vertices must be 3 indices in [0, ${vertexCount})`);
      return;
    }
    if (!isIndex(r.face, faceCount)) bad(`face ${String(r.face)} not in [0, ${faceCount})`);
  });
  return map as readonly LandmarkRef[];
}
