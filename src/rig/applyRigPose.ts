/**
 * The rig's Babylon edge, and the only file of rig/ that imports Babylon: reads an avatar's rig into plain
 * numbers (`describeRig`), binds it (`createRigBinding`), writes each solved pose to it (`applyRigPose`) and
 * reads back where the lips actually are after morphs and skinning (`readBackLipsV1`, for telemetry).
 *
 * Coordinates are the mesh's local frame (the frame its vertex buffer and skeleton bind pose are in), which
 * for FLAME and glTF heads is the lips-v1 head frame up to scale and offset: x = subject's left, y up,
 * z forward. The solver maps lips-v1 displacements into it (`ILandmarkSolverOptions.displacementScale`).
 *
 * @example
 * ```ts
 * const rig = describeRig(headMesh);                // throws UnsupportedRigError with what to pass
 * const solver = createLandmarkSolver(rig);
 * const binding = createRigBinding(headMesh, rig);
 * const pose = createRigPose(rig);
 * // per frame:
 * solver.solve(lipsPoints, pose);
 * applyRigPose(headMesh, binding, pose);
 * ```
 */
import type { Bone } from '@babylonjs/core/Bones/bone.js';
import { Space } from '@babylonjs/core/Maths/math.axis.js';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';
import type { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { LIPS_V1_POINTS, LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import { findMetadataLandmarkMap } from './findMetadataLandmarkMap.ts';
import type { LandmarkRef } from './landmarkRef.ts';
import { interpolate, resolveCached, resolveLandmarks } from './meshLandmarks.ts';
import { planRig } from './planRig.ts';
import type { IRigDescription, IRigJaw, IRigMorphControl } from './rigDescription.ts';
import { UnsupportedRigError } from './rigErrors.ts';
import type { IRigOptions } from './rigOptions.ts';
import type { RigPose } from './rigPose.ts';

// Vertex buffer kinds by value (VertexBuffer.PositionKind etc.), so this file needs no buffer import.
const POSITION = 'position';
const BONE_INDICES = ['matricesIndices', 'matricesIndicesExtra'] as const;
const BONE_WEIGHTS = ['matricesWeights', 'matricesWeightsExtra'] as const;

/** The bone named `name`, or the bone whose linked TransformNode is named `name`. */
function findJawBone(mesh: AbstractMesh, name: string): Bone | null {
  const bones = mesh.skeleton?.bones ?? [];
  return bones.find((b) => b.name === name) ?? bones.find((b) => b.getTransformNode()?.name === name) ?? null;
}

/**
 * Reads an avatar's rig into plain numbers for the solver: detects the rig family (FLAME, ARKit-52, custom),
 * then measures each allowed morph target's displacement at the 21 landmarks and the jaw bone's pivot and
 * skin weights at them.
 * @param mesh defines the head mesh (with a MorphTargetManager and/or a skinned jaw)
 * @param options defines how to read the rig (landmark map, morph names, jaw) when detection is not enough
 * @returns the rig description
 * @throws UnsupportedRigError when the rig is not recognised or lacks a landmark map, saying what was found
 */
export function describeRig(mesh: AbstractMesh, options: IRigOptions = {}): IRigDescription {
  const manager = mesh.morphTargetManager;
  const targets: MorphTarget[] = [];
  for (let i = 0; i < (manager?.numTargets ?? 0); i++) targets.push(manager!.getTarget(i));
  const jointNames: string[] = [];
  for (const b of mesh.skeleton?.bones ?? []) {
    jointNames.push(b.name);
    const tn = b.getTransformNode();
    if (tn && tn.name !== b.name) jointNames.push(tn.name);
  }
  const fromMetadata = findMetadataLandmarkMap(mesh.metadata);
  const plan = planRig(
    {
      meshName: mesh.name,
      vertexCount: mesh.getTotalVertices(),
      morphTargetNames: targets.map((t) => t.name),
      jointNames,
      metadataLandmarkMap: fromMetadata?.map,
      metadataLandmarkMapSource: fromMetadata?.source,
    },
    options,
  );
  const positions = mesh.getVerticesData(POSITION);
  if (!positions)
    throw new UnsupportedRigError(`Mesh "${mesh.name}" has no vertex positions.`, 'no position buffer');
  const res = resolveLandmarks(mesh, plan.landmarkMap);
  const restLandmarks = interpolate(res, positions, new Float32Array(LIPS_V1_VALUES));

  const morphs: IRigMorphControl[] = plan.morphs.map((m) => {
    const targetPositions = targets[m.targetIndex].getPositions();
    const deltas = new Float32Array(LIPS_V1_VALUES);
    // Babylon morph targets store absolute positions; the delta is target − base.
    if (targetPositions) {
      interpolate(res, targetPositions, deltas);
      for (let j = 0; j < LIPS_V1_VALUES; j++) deltas[j] -= restLandmarks[j];
    }
    return { name: m.name, targetIndex: m.targetIndex, min: m.min, max: m.max, landmarkDeltas: deltas };
  });

  let jaw: IRigJaw | null = null;
  if (plan.jaw) {
    const bone = findJawBone(mesh, plan.jaw.nodeName);
    const skeleton = mesh.skeleton;
    if (bone && skeleton) {
      // The bind pose in mesh space is the inverse of the absolute inverse bind matrix; its origin is the pivot.
      const bind = bone.getAbsoluteInverseBindMatrix().clone().invert();
      const t = bind.getTranslation();
      const pivot = plan.jaw.pivot ?? ([t.x, t.y, t.z] as const);
      const jawSet = new Set<number>();
      const collect = (b: Bone): void => {
        jawSet.add(skeleton.bones.indexOf(b));
        b.getChildren().forEach(collect);
      };
      collect(bone);
      const perVertex = new Float32Array(mesh.getTotalVertices());
      for (let k = 0; k < 2; k++) {
        const idx = mesh.getVerticesData(BONE_INDICES[k]);
        const wts = mesh.getVerticesData(BONE_WEIGHTS[k]);
        if (!idx || !wts) continue;
        // Landmarks share vertices (iBUG 61..63 all touch one), so visit each vertex once.
        for (const v of new Set(res.flatMap((r) => r.v))) {
          for (let c = 0; c < 4; c++) if (jawSet.has(idx[v * 4 + c])) perVertex[v] += wts[v * 4 + c];
        }
      }
      const landmarkWeights = new Float32Array(LIPS_V1_POINTS);
      res.forEach((r, l) => {
        landmarkWeights[l] = Math.min(
          1,
          r.w[0] * perVertex[r.v[0]] + r.w[1] * perVertex[r.v[1]] + r.w[2] * perVertex[r.v[2]],
        );
      });
      jaw = { nodeName: plan.jaw.nodeName, pivot, axes: plan.jaw.axes, landmarkWeights };
    }
  }
  if (morphs.length === 0 && jaw === null) {
    throw new UnsupportedRigError(
      `Mesh "${mesh.name}" was recognised as a ${plan.kind} rig but offers nothing to move (no allowed morph ` +
        `targets, and the jaw "${plan.jaw?.nodeName ?? ''}" is not a skinned bone).`,
      `${targets.length} morph targets, ${jointNames.length} joints`,
    );
  }
  return { kind: plan.kind, landmarkMap: plan.landmarkMap, restLandmarks, morphs, jaw };
}

/** The Babylon objects a rig description drives, resolved once. Create with `createRigBinding`. */
export interface RigBinding {
  readonly mesh: AbstractMesh;
  /** MorphTarget per morph control, in description order. */
  readonly targets: readonly MorphTarget[];
  /** Influences last written (NaN = never), so unchanged targets are not touched. */
  readonly lastInfluences: Float32Array;
  /** The jaw, or null. */
  readonly jaw: {
    readonly bone: Bone;
    /** The TransformNode that drives the bone (glTF), written instead of the bone when present. */
    readonly node: TransformNode | null;
    /** Local rotation at bind time: poses are relative to it. */
    readonly restRotation: Quaternion;
    /** Each jaw axis expressed in the bone's local frame. */
    readonly localAxes: readonly Vector3[];
    readonly lastAngles: Float32Array;
    readonly scratch: Quaternion;
    readonly step: Quaternion;
  } | null;
}

/**
 * Resolves the morph targets and jaw joint of a description on its mesh. Captures the jaw's current local
 * rotation as its rest: call before anything else rotates the jaw.
 * @param mesh defines the mesh the description was read from
 * @param rig defines the description
 * @returns the binding
 * @throws UnsupportedRigError when a morph target or the jaw joint is no longer on the mesh
 */
export function createRigBinding(mesh: AbstractMesh, rig: IRigDescription): RigBinding {
  const manager = mesh.morphTargetManager;
  const targets = rig.morphs.map((m) => {
    const t = manager && m.targetIndex < manager.numTargets ? manager.getTarget(m.targetIndex) : null;
    if (!t || t.name !== m.name) {
      throw new UnsupportedRigError(
        `Morph target "${m.name}" is no longer on mesh "${mesh.name}".`,
        `${manager?.numTargets ?? 0} targets`,
      );
    }
    return t;
  });
  let jaw: RigBinding['jaw'] = null;
  if (rig.jaw) {
    const bone = findJawBone(mesh, rig.jaw.nodeName);
    if (!bone)
      throw new UnsupportedRigError(
        `Jaw "${rig.jaw.nodeName}" is no longer on mesh "${mesh.name}".`,
        'no such bone',
      );
    const node = bone.getTransformNode();
    const restRotation = node
      ? (node.rotationQuaternion?.clone() ?? Quaternion.FromEulerVector(node.rotation))
      : bone.getRotationQuaternion(Space.LOCAL).clone();
    if (node && !node.rotationQuaternion) node.rotationQuaternion = restRotation.clone();
    // A rotation about mesh-space axis a through the bone origin is, in the bone's local frame, a rotation
    // about a transformed by the inverse bind rotation (D = Rw·R·Rw⁻¹).
    const inv = bone.getAbsoluteInverseBindMatrix();
    const localAxes = rig.jaw.axes.map((a) =>
      Vector3.TransformNormal(new Vector3(a.axis[0], a.axis[1], a.axis[2]), inv).normalize(),
    );
    jaw = {
      bone,
      node,
      restRotation,
      localAxes,
      lastAngles: new Float32Array(rig.jaw.axes.length).fill(NaN),
      scratch: new Quaternion(),
      step: new Quaternion(),
    };
  }
  return { mesh, targets, lastInfluences: new Float32Array(targets.length).fill(NaN), jaw };
}

/**
 * Writes a pose to the avatar: each morph influence only when it changed (Babylon then skips its observers
 * and re-upload), and the jaw as its rest rotation followed by the pose's angles about the described axes.
 * Allocates nothing.
 * @param mesh defines the mesh (must be the binding's)
 * @param binding defines the binding from `createRigBinding`
 * @param pose defines the solved pose
 * @returns false when `mesh` is not the binding's mesh (nothing written)
 */
export function applyRigPose(mesh: AbstractMesh, binding: RigBinding, pose: RigPose): boolean {
  if (mesh !== binding.mesh) return false;
  const { targets, lastInfluences } = binding;
  for (let i = 0; i < targets.length; i++) {
    const v = pose.morphInfluences[i];
    if (v !== lastInfluences[i]) {
      targets[i].influence = v;
      lastInfluences[i] = v;
    }
  }
  const jaw = binding.jaw;
  if (jaw) {
    let changed = false;
    for (let k = 0; k < jaw.lastAngles.length; k++) {
      if (pose.jawRotationRad[k] !== jaw.lastAngles[k]) changed = true;
      jaw.lastAngles[k] = pose.jawRotationRad[k];
    }
    if (changed) {
      const acc = jawRotationToRef(jaw, pose.jawRotationRad, jaw.scratch);
      if (jaw.node) jaw.node.rotationQuaternion!.copyFrom(acc);
      else jaw.bone.setRotationQuaternion(acc, Space.LOCAL);
    }
  }
  return true;
}

/**
 * The jaw's local rotation for a set of jaw angles: its rest rotation followed by the angles about the
 * described axes (what `applyRigPose` writes, and what baked animations key). Allocates nothing.
 * @param jaw defines the binding's jaw
 * @param anglesRad defines one angle per jaw axis, radians, relative to rest
 * @param out defines where the rotation is written (must not be `jaw.step`)
 * @returns `out`
 */
export function jawRotationToRef(
  jaw: NonNullable<RigBinding['jaw']>,
  anglesRad: ArrayLike<number>,
  out: Quaternion,
): Quaternion {
  // Babylon's q1·q2 applies q2 first: rest·(Dₙ…D₀) applies axis 0 first, then the rest rotation.
  out.copyFromFloats(0, 0, 0, 1);
  for (let k = 0; k < jaw.localAxes.length; k++) {
    Quaternion.RotationAxisToRef(jaw.localAxes[k], anglesRad[k], jaw.step);
    jaw.step.multiplyToRef(out, out);
  }
  jaw.restRotation.multiplyToRef(out, out);
  return out;
}

const scratchMatrix = new Matrix();

/**
 * Where the 21 lips-v1 landmarks are on the deformed mesh, computed on the CPU (morph influences, then
 * linear-blend skinning with the skeleton's current matrices), in mesh-local space: what is actually
 * rendered, for telemetry. Touches only the landmarks' vertices.
 * @param mesh defines the mesh
 * @param landmarkMap defines the landmark map (e.g. `IRigDescription.landmarkMap`)
 * @param out defines where the 21 × 3 positions are written
 * @returns `out`
 * @throws UnsupportedRigError when the map does not fit the mesh
 */
export function readBackLipsV1(
  mesh: AbstractMesh,
  landmarkMap: readonly LandmarkRef[],
  out: Float32Array = new Float32Array(LIPS_V1_VALUES),
): Float32Array {
  const res = resolveCached(mesh, landmarkMap);
  const base = mesh.getVerticesData(POSITION);
  if (!base) return out.fill(0);
  const manager = mesh.morphTargetManager;
  const skeleton = mesh.skeleton;
  let matrices: Float32Array | null = null;
  const idx = [mesh.getVerticesData(BONE_INDICES[0]), mesh.getVerticesData(BONE_INDICES[1])];
  const wts = [mesh.getVerticesData(BONE_WEIGHTS[0]), mesh.getVerticesData(BONE_WEIGHTS[1])];
  if (skeleton && idx[0] && wts[0]) {
    skeleton.prepare(true); // syncs linked TransformNodes into bones and recomputes the skin matrices
    matrices = skeleton.getTransformMatrices(mesh);
  }
  const p = [0, 0, 0];
  out.fill(0);
  res.forEach((r, l) => {
    for (let c = 0; c < 3; c++) {
      const v = r.v[c];
      const w = r.w[c];
      if (w === 0) continue;
      p[0] = base[v * 3];
      p[1] = base[v * 3 + 1];
      p[2] = base[v * 3 + 2];
      for (let t = 0; t < (manager?.numTargets ?? 0); t++) {
        const target = manager!.getTarget(t);
        const inf = target.influence;
        const tp = inf !== 0 ? target.getPositions() : null;
        if (!tp) continue;
        for (let a = 0; a < 3; a++) p[a] += inf * (tp[v * 3 + a] - base[v * 3 + a]);
      }
      let x = p[0];
      let y = p[1];
      let z = p[2];
      if (matrices) {
        x = y = z = 0;
        let wsum = 0;
        for (let k = 0; k < 2; k++) {
          const ik = idx[k];
          const wk = wts[k];
          if (!ik || !wk) continue;
          for (let s = 0; s < 4; s++) {
            const bw = wk[v * 4 + s];
            if (bw === 0) continue;
            Matrix.FromArrayToRef(matrices, ik[v * 4 + s] * 16, scratchMatrix);
            const m = scratchMatrix.m;
            x += bw * (p[0] * m[0] + p[1] * m[4] + p[2] * m[8] + m[12]);
            y += bw * (p[0] * m[1] + p[1] * m[5] + p[2] * m[9] + m[13]);
            z += bw * (p[0] * m[2] + p[1] * m[6] + p[2] * m[10] + m[14]);
            wsum += bw;
          }
        }
        if (wsum === 0) [x, y, z] = p;
      }
      out[l * 3] += w * x;
      out[l * 3 + 1] += w * y;
      out[l * 3 + 2] += w * z;
    }
  });
  return out;
}
