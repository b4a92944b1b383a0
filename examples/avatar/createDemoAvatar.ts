/**
 * @file The demo avatar, made in code (no downloaded asset): a friendly stylised head with PBR skin, lips,
 * teeth, tongue, blinking eyes and idle head motion, rigged like a real ARKit head: a `jaw` bone (linked to
 * the TransformNode `jaw`) and ARKit-named mouth morph targets, plus its lips-v1 landmark map in
 * `face.metadata.lipsV1LandmarkMap`.
 *
 * **Example:**
 * ```ts
 * const avatar = createDemoAvatar(scene);
 * avatar.jaw.rotation.x = 0.2; // open the mouth (radians, + opens)
 * avatar.face.addBehavior(new PerceptualLipSyncBehavior());
 * ```
 */
import { Bone } from '@babylonjs/core/Bones/bone.js';
import { Skeleton } from '@babylonjs/core/Bones/skeleton.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { Matrix, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { Material } from '@babylonjs/core/Materials/material.js';
import { PBRMaterial } from '@babylonjs/core/Materials/PBR/pbrMaterial.js';
import { CreateCylinder } from '@babylonjs/core/Meshes/Builders/cylinderBuilder.js';
import { CreateRibbon } from '@babylonjs/core/Meshes/Builders/ribbonBuilder.js';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager.js';
import type { Observer } from '@babylonjs/core/Misc/observable.js';
import type { Scene } from '@babylonjs/core/scene.js';
import { buildHeadGeometry, dirFromAngles, EYE_PITCH, EYE_YAW, headRadius } from './headGeometry.ts';
import type { Vec3 } from './headGeometry.ts';

/** A lips-v1 landmark reference: a vertex, or a point inside a triangle of the index buffer. */
export type DemoLandmarkRef = { vertex: number } | { face: number; barycentric: [number, number, number] };

/** What `createDemoAvatar` builds. Everything hangs under `root`; dispose with `dispose()`. */
export interface DemoAvatar {
  /** Place, rotate or scale the whole avatar with this node (metres, face looks +z). */
  readonly root: TransformNode;
  /** The skinned face mesh: the one to attach the lip-sync behavior to. Carries the morph targets and landmark map. */
  readonly face: Mesh;
  /** The jaw joint: `jaw.rotation.x` opens the mouth, radians, + opens (0.45 is wide open). */
  readonly jaw: TransformNode;
  /** Skeleton of the face: bones `head` (root) and `jaw`. */
  readonly skeleton: Skeleton;
  /** ARKit-named mouth shapes (`mouthClose`, `mouthFunnel`, `mouthPucker`, `mouthSmileLeft` …). */
  readonly morphTargetManager: MorphTargetManager;
  /** lips-v1 landmark map (iBUG chin 8, then 48..67), also stored in `face.metadata.lipsV1LandmarkMap`. */
  readonly landmarkMap: readonly DemoLandmarkRef[];
  /** Whether idle life runs: head sway, eye saccades and blinks. Default true. */
  idle: boolean;
  /** Back to the rest pose: head straight, jaw closed, eyes ahead and open, all morph influences 0. */
  resetPose(): void;
  /** Removes the idle observer and disposes every node, mesh, material and the skeleton. */
  dispose(): void;
}

const color = (r: number, g: number, b: number): Color3 => Color3.FromInts(r, g, b).toLinearSpace();

function pbr(name: string, scene: Scene, albedo: Color3, roughness: number): PBRMaterial {
  const m = new PBRMaterial(name, scene);
  m.albedoColor = albedo;
  m.metallic = 0;
  m.roughness = roughness;
  return m;
}

/**
 * Builds the demo avatar in `scene`.
 * @param scene defines the scene to build in (lights and camera are the caller's: see `createDemoStage`)
 * @returns the avatar: root node, skinned face mesh, jaw, skeleton, morph targets and landmark map
 */
export function createDemoAvatar(scene: Scene): DemoAvatar {
  const g = buildHeadGeometry();
  const root = new TransformNode('demoAvatar', scene);
  // Idle sway turns the head about the top of the neck; everything below `headFrame` is in the head frame.
  const neckPivot = new Vector3(0, -0.075, -0.015);
  const neck = new TransformNode('neckPivot', scene);
  neck.parent = root;
  neck.position.copyFrom(neckPivot);
  const headFrame = new TransformNode('headFrame', scene);
  headFrame.parent = neck;
  headFrame.position.copyFrom(neckPivot.negate());

  // Skeleton: `head` at the head frame's origin, `jaw` at the hinge, both driven by linked TransformNodes.
  const headJoint = new TransformNode('head', scene);
  headJoint.parent = headFrame;
  const jaw = new TransformNode('jaw', scene);
  jaw.parent = headJoint;
  jaw.position.set(...g.jawPivot);
  const skeleton = new Skeleton('demoAvatarSkeleton', 'demoAvatarSkeleton', scene);
  const headBone = new Bone('head', skeleton, null, Matrix.Identity());
  const jawBone = new Bone('jaw', skeleton, headBone, Matrix.Translation(...g.jawPivot));
  headBone.linkTransformNode(headJoint);
  jawBone.linkTransformNode(jaw);

  // The face: one skinned mesh with vertex colours (skin, lips, inner mouth) and the ARKit shapes.
  const face = new Mesh('demoAvatarFace', scene);
  face.parent = headFrame;
  const vd = new VertexData();
  vd.positions = g.positions;
  vd.indices = g.indices;
  vd.colors = g.colors;
  const normals = new Float32Array(g.positions.length);
  VertexData.ComputeNormals(g.positions, g.indices, normals);
  vd.normals = normals;
  const count = g.positions.length / 3;
  const mi = new Float32Array(count * 4);
  const mw = new Float32Array(count * 4);
  for (let v = 0; v < count; v++) {
    mi[v * 4 + 1] = 1;
    mw[v * 4] = 1 - g.jawWeights[v];
    mw[v * 4 + 1] = g.jawWeights[v];
  }
  vd.matricesIndices = mi;
  vd.matricesWeights = mw;
  vd.applyToMesh(face, true);
  face.skeleton = skeleton;
  face.numBoneInfluencers = 2;

  const mtm = new MorphTargetManager(scene);
  const morphed = new Float32Array(g.positions.length);
  const morphNormals = new Float32Array(g.positions.length);
  for (const shape of g.morphs) {
    const target = new MorphTarget(shape.name, 0, scene);
    for (let i = 0; i < morphed.length; i++) morphed[i] = g.positions[i] + shape.deltas[i];
    VertexData.ComputeNormals(morphed, g.indices, morphNormals);
    target.setPositions(morphed.slice());
    target.setNormals(morphNormals.slice());
    mtm.addTarget(target);
  }
  face.morphTargetManager = mtm;
  const landmarkMap: DemoLandmarkRef[] = g.landmarkVertices.map((vertex) => ({ vertex }));
  // `gltf.extras` is what GLTF2Export writes as the node's extras (and the glTF loader reads back there).
  face.metadata = { lipsV1LandmarkMap: landmarkMap, gltf: { extras: { lipsV1LandmarkMap: landmarkMap } } };

  const skin = pbr('demoSkin', scene, new Color3(1, 1, 1), 0.62);
  skin.sheen.isEnabled = true;
  skin.sheen.intensity = 0.25;
  skin.sheen.color = color(255, 214, 196);
  face.material = skin;
  const skinFlat = pbr('demoSkinFlat', scene, color(244, 196, 164), 0.62);

  // Mouth interior: a dark cavity seen from inside, teeth, tongue.
  const [mx, my, mz] = g.mouthCenter;
  const inward = (k: number): Vec3 => [mx - g.lipDir[0] * k, my - g.lipDir[1] * k, mz - g.lipDir[2] * k];
  const cavity = CreateSphere(
    'mouthCavity',
    { diameter: 1, segments: 16, sideOrientation: Mesh.BACKSIDE },
    scene,
  );
  cavity.parent = headFrame;
  cavity.position.set(...inward(0.03));
  cavity.scaling.set(0.058, 0.036, 0.042);
  cavity.material = pbr('demoMouthCavity', scene, color(70, 22, 28), 1);

  const teethMat = pbr('demoTeeth', scene, color(250, 247, 238), 0.28);
  teethMat.backFaceCulling = false;
  teethMat.twoSidedLighting = true;
  const arch = (front: number, yTop: number, yBottom: number, depth: number): Vector3[][] => {
    const line = (z0: number, y: number, r: number): Vector3[] =>
      Array.from({ length: 25 }, (_, i) => {
        const a = -1.05 + (2.1 * i) / 24;
        return new Vector3(r * Math.sin(a), y, z0 - r * 1.15 * (1 - Math.cos(a)));
      });
    return [
      line(front, yTop, 0.021),
      line(front, yBottom, 0.021),
      line(front - depth, yBottom, 0.018),
      line(front - depth, yTop, 0.018),
    ];
  };
  const upperTeeth = CreateRibbon(
    'upperTeeth',
    { pathArray: arch(mz - 0.0068, my + 0.009, my - 0.0019, 0.006), closeArray: true },
    scene,
  );
  upperTeeth.parent = headFrame;
  upperTeeth.material = teethMat;
  const lowerTeeth = CreateRibbon(
    'lowerTeeth',
    { pathArray: arch(mz - 0.0105, my - 0.0042, my - 0.0105, 0.006), closeArray: true },
    scene,
  );
  // Jaw children are authored in the head frame, then re-expressed relative to the hinge.
  const toJaw = (m: Mesh): void => {
    m.parent = jaw;
    m.position.subtractInPlace(new Vector3(...g.jawPivot));
  };
  lowerTeeth.material = teethMat;
  toJaw(lowerTeeth);
  const tongue = CreateSphere('tongue', { diameter: 1, segments: 16 }, scene);
  tongue.scaling.set(0.033, 0.011, 0.042);
  tongue.position.set(mx, my - 0.0095, mz - 0.03);
  tongue.material = pbr('demoTongue', scene, color(214, 96, 104), 0.45);
  toJaw(tongue);

  // Eyes: white, iris, pupil and a catch-light, with an upper lid that blinks.
  const eyeR = 0.0142;
  const eyeWhite = pbr('demoEyeWhite', scene, color(246, 246, 242), 0.12);
  const irisMat = pbr('demoIris', scene, color(62, 128, 150), 0.25);
  const pupilMat = pbr('demoPupil', scene, color(12, 12, 16), 0.1);
  const glint = pbr('demoGlint', scene, new Color3(1, 1, 1), 0.1);
  glint.emissiveColor = new Color3(1, 1, 1);
  const lids: Mesh[] = [];
  const eyes: TransformNode[] = [];
  for (const side of [1, -1]) {
    const d = dirFromAngles(side * EYE_YAW, EYE_PITCH);
    const r = headRadius(d) - 0.0075;
    const eye = new TransformNode(side > 0 ? 'eyeLeft' : 'eyeRight', scene);
    eye.parent = headFrame;
    eye.position.set(d[0] * r, d[1] * r, d[2] * r);
    const ball = CreateSphere(eye.name + 'Ball', { diameter: 2 * eyeR, segments: 24 }, scene);
    ball.parent = eye;
    ball.material = eyeWhite;
    const iris = CreateSphere(eye.name + 'Iris', { diameter: 1.1 * eyeR, segments: 20 }, scene);
    iris.parent = eye;
    iris.scaling.z = 0.35;
    iris.position.z = eyeR * 0.87;
    iris.material = irisMat;
    const pupil = CreateSphere(eye.name + 'Pupil', { diameter: 0.55 * eyeR, segments: 16 }, scene);
    pupil.parent = eye;
    pupil.scaling.z = 0.3;
    pupil.position.z = eyeR * 0.95;
    pupil.material = pupilMat;
    const catchLight = CreateSphere(eye.name + 'Glint', { diameter: 0.2 * eyeR, segments: 8 }, scene);
    catchLight.parent = eye;
    catchLight.position.set(0.28 * eyeR, 0.3 * eyeR, 0.93 * eyeR);
    catchLight.material = glint;
    const lid = CreateSphere(eye.name + 'Lid', { diameter: 2.16 * eyeR, segments: 24, slice: 0.5 }, scene);
    lid.parent = headFrame; // the lid follows the head, not the eyeball's gaze
    lid.position.copyFrom(eye.position);
    lid.material = skinFlat;
    lids.push(lid);
    eyes.push(eye);
  }

  // Ears, hair, brows, neck and shoulders: simple shapes that frame the face.
  const hairMat = pbr('demoHair', scene, color(92, 58, 38), 0.5);
  for (const side of [1, -1]) {
    const ear = CreateSphere(side > 0 ? 'earLeft' : 'earRight', { diameter: 1, segments: 16 }, scene);
    ear.parent = headFrame;
    ear.scaling.set(0.014, 0.034, 0.024);
    ear.position.set(side * 0.078, -0.008, -0.008);
    ear.rotation.y = side * 0.35;
    ear.material = skinFlat;
    const brow = CreateSphere(side > 0 ? 'browLeft' : 'browRight', { diameter: 1, segments: 12 }, scene);
    brow.parent = headFrame;
    const bd = dirFromAngles(side * EYE_YAW, 0.27);
    const br = headRadius(bd);
    brow.position.set(bd[0] * br, bd[1] * br, bd[2] * br);
    brow.scaling.set(0.026, 0.0045, 0.006);
    brow.rotation.set(-0.15, side * EYE_YAW, side * -0.12);
    brow.material = hairMat;
  }
  const hair = CreateSphere('hair', { diameter: 1, segments: 32, slice: 0.6 }, scene);
  hair.parent = headFrame;
  hair.scaling.set(0.178, 0.226, 0.22);
  hair.position.set(0, 0.012, -0.006);
  hair.rotation.x = -0.6;
  hair.material = hairMat;
  const neckMesh = CreateCylinder('neck', { height: 0.12, diameter: 0.082, tessellation: 32 }, scene);
  neckMesh.parent = root;
  neckMesh.position.set(0, -0.115, -0.02);
  neckMesh.material = skinFlat;
  const torso = CreateSphere('shoulders', { diameter: 1, segments: 32 }, scene);
  torso.parent = root;
  torso.scaling.set(0.3, 0.13, 0.17);
  torso.position.set(0, -0.2, -0.03);
  torso.material = pbr('demoShirt', scene, color(70, 120, 180), 0.7);

  // Idle life: slow head sway (sum of incommensurate sines), eye saccades, a blink every 2–5 s.
  const lidOpen = -0.55;
  const lidClosed = 1.5;
  let t = 0;
  let nextBlink = 1.5;
  let nextSaccade = 0.8;
  const gaze = { yaw: 0, pitch: 0 };
  const observer: Observer<Scene> = scene.onBeforeRenderObservable.add(() => {
    if (!avatar.idle) return;
    const dt = Math.min(0.1, scene.getEngine().getDeltaTime() / 1000);
    t += dt;
    neck.rotation.set(
      0.025 * Math.sin(0.53 * t) + 0.012 * Math.sin(1.31 * t + 1),
      0.06 * Math.sin(0.37 * t) + 0.02 * Math.sin(0.91 * t + 2),
      0.018 * Math.sin(0.29 * t + 0.5),
    );
    const sinceBlink = t - nextBlink;
    const lid =
      sinceBlink < 0 ? 0 : sinceBlink < 0.07 ? sinceBlink / 0.07 : Math.max(0, 1 - (sinceBlink - 0.07) / 0.1);
    if (sinceBlink > 0.17) nextBlink = t + 2 + 3 * Math.random();
    if (t > nextSaccade) {
      gaze.yaw = (Math.random() - 0.5) * 0.22;
      gaze.pitch = (Math.random() - 0.5) * 0.12;
      nextSaccade = t + 0.6 + 2 * Math.random();
    }
    for (let i = 0; i < 2; i++) {
      lids[i].rotation.x = lidOpen + (lidClosed - lidOpen) * lid;
      eyes[i].rotation.set(-gaze.pitch, gaze.yaw, 0);
    }
  });
  for (const lid of lids) lid.rotation.x = lidOpen;

  const avatar: DemoAvatar = {
    root,
    face,
    jaw,
    skeleton,
    morphTargetManager: mtm,
    landmarkMap,
    idle: true,
    resetPose() {
      neck.rotation.setAll(0);
      jaw.rotation.setAll(0);
      for (let i = 0; i < 2; i++) {
        eyes[i].rotation.setAll(0);
        lids[i].rotation.set(lidOpen, 0, 0);
      }
      for (let i = 0; i < mtm.numTargets; i++) mtm.getTarget(i).influence = 0;
    },
    dispose() {
      scene.onBeforeRenderObservable.remove(observer);
      root.dispose(false, true);
      skeleton.dispose();
      mtm.dispose();
    },
  };
  return avatar;
}

/**
 * Exports the avatar as a binary glTF (skinned face with its `jaw` joint and ARKit morph targets), a starting
 * rig for your own model. The landmark map travels as the face node's `extras.lipsV1LandmarkMap`; Babylon's
 * loader puts it in `mesh.metadata.gltf.extras`, where the behavior finds it (`findMetadataLandmarkMap`).
 * @param scene defines the avatar's scene
 * @param avatar defines the avatar to export (nothing else in the scene is exported)
 * @returns the `.glb` file
 */
export async function exportDemoAvatarGlbAsync(scene: Scene, avatar: DemoAvatar): Promise<Blob> {
  const { GLTF2Export } = await import('@babylonjs/serializers/glTF/2.0/glTFSerializer.js');
  const idle = avatar.idle;
  avatar.idle = false;
  avatar.resetPose();
  // The avatar's data are already right-handed (x = subject's left, z forward: the lips-v1 head frame), so
  // they are written verbatim; the exporter's left-to-right-handed conversion would mirror the head.
  // Our triangles are clockwise-front (left-handed authoring), so pin that on the materials for the exporter:
  // it then writes them counter-clockwise, as glTF wants for these right-handed positions.
  const rightHanded = scene.useRightHandedSystem;
  const materials = new Set(
    avatar.root.getChildMeshes(false).flatMap((m) => (m.material ? [m.material] : [])),
  );
  const orientations = [...materials].map((m) => [m, m.sideOrientation] as const);
  for (const m of materials) m.sideOrientation = Material.ClockWiseSideOrientation;
  scene.useRightHandedSystem = true;
  let data;
  try {
    data = await GLTF2Export.GLBAsync(scene, 'demo-avatar', {
      shouldExportNode: (node) => node === avatar.root || node.isDescendantOf(avatar.root),
    });
  } finally {
    scene.useRightHandedSystem = rightHanded;
    for (const [m, o] of orientations) m.sideOrientation = o;
    avatar.idle = idle;
  }
  const file = data.files['demo-avatar.glb'];
  if (!(file instanceof Blob)) throw new Error('GLTF2Export.GLBAsync returned no demo-avatar.glb blob');
  return file;
}
