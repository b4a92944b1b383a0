/**
 * Where a mesh's own lips-v1 landmark map may be stored in `mesh.metadata`: set there by hand
 * (`lipsV1LandmarkMap`), or carried in a glTF node's extras, which Babylon's glTF loader
 * (ExtrasAsMetadata) puts under `metadata.gltf.extras` (issue #16: a GLB exported with its map failed
 * with "no lips-v1 landmark map" because only the demo copied it from there). One place knows both.
 */

/** Key of the landmark map in metadata and in glTF extras. */
export const LANDMARK_MAP_METADATA_KEY = 'lipsV1LandmarkMap';

/** A landmark map found in metadata, unvalidated, with where it was found (for messages). */
export interface IMetadataLandmarkMap {
  /** The candidate map (validated later by `validateLandmarkMap`). */
  readonly map: unknown;
  /** Path it was read from, e.g. `mesh.metadata.gltf.extras.lipsV1LandmarkMap`. */
  readonly source: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Finds a lips-v1 landmark map in a mesh's metadata: `metadata.lipsV1LandmarkMap` first (set by the
 * app, so it wins), then `metadata.gltf.extras.lipsV1LandmarkMap` (a glTF node's extras as Babylon's
 * loader stores them). Only the mesh's own metadata counts: a parent's map would name vertices of
 * another vertex buffer.
 * @param metadata defines `mesh.metadata` (any value)
 * @returns the map and where it was found, or undefined when neither place has one
 */
export function findMetadataLandmarkMap(metadata: unknown): IMetadataLandmarkMap | undefined {
  if (!isRecord(metadata)) return undefined;
  const own = metadata[LANDMARK_MAP_METADATA_KEY];
  if (own !== undefined && own !== null) {
    return { map: own, source: `mesh.metadata.${LANDMARK_MAP_METADATA_KEY}` };
  }
  const gltf = metadata.gltf;
  const extras = isRecord(gltf) ? gltf.extras : undefined;
  const fromGltf = isRecord(extras) ? extras[LANDMARK_MAP_METADATA_KEY] : undefined;
  if (fromGltf !== undefined && fromGltf !== null) {
    return { map: fromGltf, source: `mesh.metadata.gltf.extras.${LANDMARK_MAP_METADATA_KEY}` };
  }
  return undefined;
}
