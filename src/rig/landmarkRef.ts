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
  | {
      /** Index of the vertex the landmark sits on. */
      readonly vertex: number;
    }
  | {
      /** Triangle index, informative when `vertices` is given (which wins). */
      readonly face?: number;
      /** The three vertex indices to interpolate. */
      readonly vertices: readonly [number, number, number];
      /** Weights of the three vertices (summing to 1). */
      readonly barycentric: readonly [number, number, number];
    }
  | {
      /** Triangle index in the mesh's index buffer. */
      readonly face: number;
      /** Weights of the triangle's three vertices, in index-buffer order (summing to 1). */
      readonly barycentric: readonly [number, number, number];
    };
