/**
 * The rig of the mesh a behavior is attached to: its description (`describeRig`), the Babylon binding, the landmark solver
 * and the pose it solves into. Shows lips-v1 points on the mesh (solve → apply), puts the mouth at rest,
 * and reads back what the viewer sees (for telemetry). The Babylon edge of the behavior's render step.
 */
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { applyRigPose, createRigBinding, readBackLipsV1, type RigBinding } from '../rig/applyRigPose.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import type { IRigDescription } from '../rig/rigDescription.ts';
import { createRigPose, type RigPose } from '../rig/rigPose.ts';
import { createLandmarkSolver, type LandmarkSolver } from '../rig/solveLandmarksToRig.ts';

/** A mesh's rig, bound and ready to be driven. */
export class AttachedRig {
  /** The rig the solver drives. */
  readonly rig: IRigDescription;
  /** The Babylon targets the pose is written to. */
  readonly binding: RigBinding;
  private readonly _mesh: AbstractMesh;
  private readonly _solver: LandmarkSolver;
  private readonly _pose: RigPose;
  private readonly _shown = new Float32Array(LIPS_V1_VALUES);
  private readonly _shownDisplacement = new Float32Array(LIPS_V1_VALUES);

  /**
   * Binds a described rig (`describeRig`) to its mesh.
   * @param mesh defines the head mesh
   * @param rig defines the mesh's rig
   * @throws UnsupportedRigError when the rig's targets cannot be bound
   */
  constructor(mesh: AbstractMesh, rig: IRigDescription) {
    this._mesh = mesh;
    this.rig = rig;
    this.binding = createRigBinding(mesh, this.rig);
    this._solver = createLandmarkSolver(this.rig);
    this._pose = createRigPose(this.rig);
  }

  /**
   * Solves lips-v1 displacements onto the rig (warm-started from the previous frame) and applies the pose.
   * @param displacement defines the lips-v1 displacements from neutral, 21 × 3, metres
   * @returns the weighted RMS landmark error of the solved pose, metres
   */
  show(displacement: Float32Array): number {
    const err = this._solver.solve(displacement, this._pose);
    applyRigPose(this._mesh, this.binding, this._pose);
    return err;
  }

  /** Puts the mouth at rest and forgets the solver's warm start. */
  rest(): void {
    this._pose.morphInfluences.fill(0);
    this._pose.jawRotationRad.fill(0);
    this._solver.reset();
    applyRigPose(this._mesh, this.binding, this._pose);
  }

  /** The solver's scale from lips-v1 metres to mesh units. */
  get displacementScale(): number {
    return this._solver.displacementScale;
  }

  /**
   * Reads the lips back from the deformed mesh (what the viewer sees), as lips-v1 displacements from
   * neutral (the solver's mapping inverted: `LandmarkSolver.displacementOf`).
   * @returns the displacements, 21 × 3, lips-v1 metres (reused: copy to keep)
   */
  readBackDisplacement(): Float32Array {
    const shown = readBackLipsV1(this._mesh, this.rig.landmarkMap, this._shown);
    return this._solver.displacementOf(shown, this._shownDisplacement);
  }
}
