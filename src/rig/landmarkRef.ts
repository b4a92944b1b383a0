/**
 * Where a landmark sits on a mesh: one vertex, or a point inside a triangle given by barycentric weights.
 * This is the element type of a landmark map (21 of them for lips-v1), e.g. `mesh.metadata.lipsV1LandmarkMap`.
 */

/**
 * A landmark on a mesh. `{ vertex }` pins it to one vertex. `{ vertices, barycentric }` interpolates three
 * vertices. `{ face, barycentric }` names a triangle of the mesh's index buffer (its vertices are looked up
 * when the rig is described); when `vertices` is also given it wins, so maps survive re-triangulation.
 */
export type LandmarkRef =
  | { readonly vertex: number }
  | {
      readonly face?: number;
      readonly vertices: readonly [number, number, number];
      readonly barycentric: readonly [number, number, number];
    }
  | { readonly face: number; readonly barycentric: readonly [number, number, number] };
