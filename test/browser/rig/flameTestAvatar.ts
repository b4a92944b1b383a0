/**
 * Builds a FLAME-topology test avatar from the shared fixtures (served at /shared/flame/ by the WTR config,
 * never copied into the repo): the FLAME template mesh, a root/neck/jaw skeleton skinned with FLAME's LBS
 * weights, and N expression morph targets `Exp1..ExpN` whose deltas are synthesised smooth fields around
 * the mouth (FLAME's expression basis is not available).
 */
import { Bone } from '@babylonjs/core/Bones/bone.js';
import { Skeleton } from '@babylonjs/core/Bones/skeleton.js';
import { Matrix, Quaternion } from '@babylonjs/core/Maths/math.vector.js';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager.js';
import type { Scene } from '@babylonjs/core/scene.js';

export interface IFlameFixture {
  readonly positions: Float32Array;
  readonly indices: Uint32Array;
  readonly lbsWeights: Float32Array; // 5023 × 5: root, neck, jaw, eye_left, eye_right
  readonly joints: readonly (readonly [number, number, number])[];
}

/** Fetches the shared FLAME fixture, or returns the reason it is unavailable. */
export async function loadFlameFixtureAsync(): Promise<IFlameFixture | string> {
  const [obj, weights, facts] = await Promise.all(
    ['head_template.obj', 'flame2023open_lbs_weights_5023x5.f32', 'flame-facts.json'].map((f) =>
      fetch(`/shared/flame/${f}`),
    ),
  );
  for (const r of [obj, weights, facts]) {
    if (!r.ok)
      return `${r.url} answered ${r.status}: the shared FLAME fixture (../shared/flame) is not served here`;
  }
  const text = await obj.text();
  const pos: number[] = [];
  const idx: number[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('v ')) {
      const [, x, y, z] = line.trim().split(/\s+/);
      pos.push(+x, +y, +z);
    } else if (line.startsWith('f ')) {
      const vs = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .map((t) => parseInt(t.split('/')[0], 10) - 1);
      for (let k = 1; k + 1 < vs.length; k++) idx.push(vs[0], vs[k], vs[k + 1]);
    }
  }
  const json = (await facts.json()) as {
    joints: { rest_positions_m_on_template: [number, number, number][] };
  };
  return {
    positions: new Float32Array(pos),
    indices: new Uint32Array(idx),
    lbsWeights: new Float32Array(await weights.arrayBuffer()),
    joints: json.joints.rest_positions_m_on_template,
  };
}

export interface IFlameAvatarOptions {
  readonly expressionCount: number;
  readonly withJaw: boolean;
  /** Morph target name for expression k (1-based). @default `Exp${k}` */
  readonly name?: (k: number) => string;
  /** glTF style: the jaw bone is named `jaw_bone` and driven by a linked TransformNode named `jaw`. */
  readonly jawAsLinkedNode?: boolean;
}

/** Mulberry32. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds the avatar mesh in `scene`. */
export function buildFlameAvatar(scene: Scene, fx: IFlameFixture, opts: IFlameAvatarOptions): Mesh {
  const mesh = new Mesh('flameHead', scene);
  const vd = new VertexData();
  vd.positions = fx.positions;
  vd.indices = fx.indices;
  const normals = new Float32Array(fx.positions.length);
  VertexData.ComputeNormals(fx.positions, fx.indices, normals);
  vd.normals = normals;
  vd.applyToMesh(mesh, true);
  const nv = fx.positions.length / 3;
  const jawW = (v: number): number => fx.lbsWeights[v * 5 + 2];

  if (opts.withJaw) {
    const skeleton = new Skeleton('flame', 'flame', scene);
    const [root, neck, jaw] = fx.joints;
    const rootBone = new Bone('root', skeleton, null, Matrix.Translation(root[0], root[1], root[2]));
    const neckBone = new Bone(
      'neck',
      skeleton,
      rootBone,
      Matrix.Translation(neck[0] - root[0], neck[1] - root[1], neck[2] - root[2]),
    );
    const jawBone = new Bone(
      opts.jawAsLinkedNode ? 'jaw_bone' : 'jaw',
      skeleton,
      neckBone,
      Matrix.Translation(jaw[0] - neck[0], jaw[1] - neck[1], jaw[2] - neck[2]),
    );
    if (opts.jawAsLinkedNode) {
      const node = new TransformNode('jaw', scene);
      node.position.set(jaw[0] - neck[0], jaw[1] - neck[1], jaw[2] - neck[2]);
      node.rotationQuaternion = Quaternion.Identity();
      jawBone.linkTransformNode(node);
    }
    const mi = new Float32Array(nv * 4);
    const mw = new Float32Array(nv * 4);
    for (let v = 0; v < nv; v++) {
      const w = fx.lbsWeights.subarray(v * 5, v * 5 + 5);
      // Eyes are not animated here: fold their weights into their parent, the neck.
      mi.set([0, 1, 2, 0], v * 4);
      mw.set([w[0], w[1] + w[3] + w[4], w[2], 0], v * 4);
    }
    mesh.setVerticesData('matricesIndices', mi, false, 4);
    mesh.setVerticesData('matricesWeights', mw, false, 4);
    mesh.numBoneInfluencers = 4;
    mesh.skeleton = skeleton;
  }

  // Smooth displacement fields around the mouth, 25 mm Gaussian falloff, front of the face only.
  const c = [0, 1.461, 0.07];
  const sigma = 0.025;
  const g = new Float32Array(nv);
  for (let v = 0; v < nv; v++) {
    const dx = fx.positions[v * 3] - c[0];
    const dy = fx.positions[v * 3 + 1] - c[1];
    const dz = fx.positions[v * 3 + 2] - c[2];
    g[v] = dz < -0.04 ? 0 : Math.exp(-(dx * dx + dy * dy + dz * dz) / (2 * sigma * sigma));
  }
  const fields: ((v: number, x: number, y: number) => [number, number, number])[] = [
    (v) => [0, 0.006 * g[v] * (0.5 - jawW(v)) * 2, 0], // lips part (upper up, lower down)
    (v, x) => [0.005 * g[v] * (x / sigma), 0, 0], // spread
    (v, x) => [-0.004 * g[v] * (x / sigma), 0, 0.004 * g[v]], // round and protrude
    (v) => [0, 0.004 * g[v] * (1 - jawW(v)), 0], // upper lip raise
    (v) => [0, -0.004 * g[v] * jawW(v), 0], // lower lip down
  ];
  const rnd = seeded(opts.expressionCount);
  while (fields.length < opts.expressionCount) {
    // Random smooth bumps: a Gaussian at a random spot near the mouth pushing in a random direction.
    const at = [c[0] + (rnd() - 0.5) * 0.05, c[1] + (rnd() - 0.5) * 0.04, c[2]];
    const dir = [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5].map((e) => e * 0.004);
    fields.push((v) => {
      const d2 =
        (fx.positions[v * 3] - at[0]) ** 2 +
        (fx.positions[v * 3 + 1] - at[1]) ** 2 +
        (fx.positions[v * 3 + 2] - at[2]) ** 2;
      const k = g[v] === 0 ? 0 : Math.exp(-d2 / (2 * 0.012 ** 2));
      return [dir[0] * k, dir[1] * k, dir[2] * k];
    });
  }
  const manager = new MorphTargetManager(scene);
  for (let k = 0; k < opts.expressionCount; k++) {
    const target = new MorphTarget(opts.name ? opts.name(k + 1) : `Exp${k + 1}`, 0, scene);
    const p = Float32Array.from(fx.positions);
    for (let v = 0; v < nv; v++) {
      if (g[v] === 0) continue;
      const d = fields[k](v, fx.positions[v * 3] - c[0], fx.positions[v * 3 + 1] - c[1]);
      p[v * 3] += d[0];
      p[v * 3 + 1] += d[1];
      p[v * 3 + 2] += d[2];
    }
    target.setPositions(p);
    manager.addTarget(target);
  }
  mesh.morphTargetManager = manager;
  return mesh;
}
