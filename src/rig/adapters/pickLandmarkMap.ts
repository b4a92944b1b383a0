/**
 * The landmark map an adapter should use, and where it came from: the user's option wins over the
 * mesh's metadata. Shared by the ARKit and custom adapters so their messages name the same places.
 */
import type { IRigOptions } from '../rigOptions.ts';
import type { IRigInventory } from '../rigPlan.ts';

/** The raw (unvalidated) landmark map and the path it was read from, for messages. */
export interface IPickedLandmarkMap {
  /** The candidate map, or undefined/null when there is none. */
  readonly raw: unknown;
  /** `options.rig.landmarkMap`, `mesh.metadata.lipsV1LandmarkMap` or `mesh.metadata.gltf.extras.lipsV1LandmarkMap`. */
  readonly source: string;
}

/**
 * Picks `options.landmarkMap` (the behavior's `options.rig.landmarkMap`) or the map from the mesh metadata.
 * @param inventory defines what the mesh offers
 * @param options defines the user's rig options
 * @returns the candidate map and its source
 */
export function pickLandmarkMap(inventory: IRigInventory, options: IRigOptions): IPickedLandmarkMap {
  if (options.landmarkMap) return { raw: options.landmarkMap, source: 'options.rig.landmarkMap' };
  return {
    raw: inventory.metadataLandmarkMap,
    source: inventory.metadataLandmarkMapSource ?? 'mesh.metadata.lipsV1LandmarkMap',
  };
}
