/**
 * Pure geometry of the demo head (no Babylon): a closed surface whose rings circle the mouth, so the lips,
 * their inner rolls and the lip contact line fall out of the topology. Head frame, metres: x = subject's
 * left, y up, z forward (the face looks +z). Ring 0 is the inner lip contour; rings with s < 0 roll into
 * the mouth, rings with s in (0, 1] are the red of the lips, larger s is skin, ending at a pole behind the
 * head. Upper and lower halves of ring 0 share positions at rest, so the lips are exactly closed.
 */

/** A 3-vector as a tuple, metres. */
export type Vec3 = [number, number, number];

/** Everything the Babylon side needs to build the face mesh and its rig. */
export interface IHeadGeometry {
  /** xyz per vertex, metres, head frame. */
  readonly positions: Float32Array;
  /** Triangle list. */
  readonly indices: Uint32Array;
  /** Linear RGBA per vertex (skin, lips, inner mouth). */
  readonly colors: Float32Array;
  /** Skin weight of the jaw bone per vertex in [0, 1]; the rest goes to the head bone. */
  readonly jawWeights: Float32Array;
  /** ARKit-named mouth shapes: xyz deltas per vertex, metres at influence 1. */
  readonly morphs: ReadonlyArray<{ readonly name: string; readonly deltas: Float32Array }>;
  /** lips-v1 landmarks as vertex indices: iBUG chin 8, then 48..67. */
  readonly landmarkVertices: readonly number[];
  /** Midpoint of the lip contact line at rest. */
  readonly mouthCenter: Vec3;
  /** Jaw hinge (between the ears, above and behind the mouth). */
  readonly jawPivot: Vec3;
  /** Direction the lips protrude along (unit). */
  readonly lipDir: Vec3;
}

/** Vertices per ring (divisible by 8 so landmark angles land on vertices). */
export const RING_SEGMENTS = 64;
const N = RING_SEGMENTS;

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};
const gauss = (x: number, sigma: number): number => Math.exp(-(x * x) / (sigma * sigma));
/** How much the jaw carries a point at angle theta around the mouth (lower lip 1, upper lip 0, corners ~0). */
const jawAngular = (th: number): number => smoothstep(0.1, -0.75, Math.sin(th));
const normalize = (v: Vec3): Vec3 => {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
};
/** Unit direction from yaw (toward +x) and pitch (toward +y), radians. */
export const dirFromAngles = (yaw: number, pitch: number): Vec3 => [
  Math.sin(yaw) * Math.cos(pitch),
  Math.sin(pitch),
  Math.cos(yaw) * Math.cos(pitch),
];

/** Where the eyes sit (yaw, pitch from the head centre) and how far their centres sink below the skin. */
export const EYE_YAW = 0.37;
export const EYE_PITCH = 0.1;

const MOUTH_PITCH = -0.5;
const MOUTH_DIR = dirFromAngles(0, MOUTH_PITCH);
/** Angular bumps on the head: [yaw, pitch, sigma rad, amplitude m]. */
const BUMPS: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, -0.1, 0.12, 0.015], // nose bridge and body
  [0, -0.17, 0.06, 0.006], // round nose tip
  [0.085, -0.2, 0.05, 0.003], // nostril wings
  [-0.085, -0.2, 0.05, 0.003],
  [0, -0.8, 0.3, 0.015], // chin
  [0, -0.52, 0.34, 0.011], // muzzle: lips and chin sit forward of the cheeks
  [0.55, -0.3, 0.3, 0.008], // cheeks
  [-0.55, -0.3, 0.3, 0.008],
  [EYE_YAW, 0.26, 0.13, 0.0035], // brows
  [-EYE_YAW, 0.26, 0.13, 0.0035],
  [EYE_YAW, EYE_PITCH, 0.12, -0.006], // eye sockets
  [-EYE_YAW, EYE_PITCH, 0.12, -0.006],
].map(([yaw, pitch, s, a]) => [yaw, pitch, s, a] as const);
const BUMP_DIRS = BUMPS.map(([yaw, pitch]) => dirFromAngles(yaw, pitch));

/**
 * Head surface distance from the head centre along a unit direction: an egg-shaped ellipsoid (narrower at
 * the jaw, fuller cranium) plus smooth angular bumps for nose, chin, cheeks, brows and eye sockets.
 * @param d defines a unit direction
 * @returns the radius, metres
 */
export function headRadius(d: Vec3): number {
  const [dx, dy, dz] = d;
  const down = smoothstep(0, -0.85, dy);
  const ax = dy > 0 ? 0.08 : 0.08 - 0.009 * down;
  const ay = dy > 0 ? 0.106 : 0.1;
  const az = dz > 0 ? 0.093 : 0.104;
  let r = 1 / Math.sqrt((dx / ax) ** 2 + (dy / ay) ** 2 + (dz / az) ** 2);
  for (let i = 0; i < BUMPS.length; i++) {
    const c = BUMP_DIRS[i];
    const ang2 = 2 * Math.max(0, 1 - (dx * c[0] + dy * c[1] + dz * c[2]));
    r += BUMPS[i][3] * Math.exp(-ang2 / (BUMPS[i][2] * BUMPS[i][2]));
  }
  return r;
}

/** Lip proportions, metres on the face (arc length around the mouth). */
const INNER_HALF_WIDTH = 0.0222;
const OUTER_HALF_WIDTH = 0.0254;
const UPPER_RED = 0.0075;
const LOWER_RED = 0.0095;
const LIP_FULLNESS = 0.0055;
const LIP_RINGS = [0, 0.12, 0.28, 0.46, 0.64, 0.82, 1];
const INNER_RINGS = [-0.3, -0.7, -1.2, -1.8]; // listed outward-in; stored innermost first
const SKIN_RINGS = [1.12, 1.3, 1.55, 1.85, 2.2, 2.6, 3.05, 3.55];
const FAR_RINGS = 40;

/**
 * Builds the head. Deterministic; about 4,300 vertices.
 * @returns positions, indices, colours, jaw weights, ARKit mouth shapes and landmark vertex indices
 */
export function buildHeadGeometry(): IHeadGeometry {
  const r0 = headRadius(MOUTH_DIR);
  const ex: Vec3 = [1, 0, 0];
  const ey = normalize([0, MOUTH_DIR[2], -MOUTH_DIR[1]]); // up along the face, perpendicular to MOUTH_DIR
  const lipDir = normalize([0, -0.15, 1]);

  /** Face-plane point (X left, Y up, metres of arc around the mouth) to the head surface. */
  const surface = (X: number, Y: number): Vec3 => {
    const rho = Math.hypot(X, Y);
    const a = rho / r0;
    const cx = rho > 1e-9 ? X / rho : 0;
    const cy = rho > 1e-9 ? Y / rho : 0;
    const s = Math.sin(a);
    const d = normalize([
      Math.cos(a) * MOUTH_DIR[0] + s * (cx * ex[0] + cy * ey[0]),
      Math.cos(a) * MOUTH_DIR[1] + s * (cx * ex[1] + cy * ey[1]),
      Math.cos(a) * MOUTH_DIR[2] + s * (cx * ex[2] + cy * ey[2]),
    ]);
    const r = headRadius(d);
    return [d[0] * r, d[1] * r, d[2] * r];
  };

  // Per-ring 2D outline (half width, upper height, lower height) and per-vertex bookkeeping.
  const thetas = Array.from({ length: N }, (_, k) => (2 * Math.PI * k) / N);
  const pos: number[] = [];
  const ringS: number[] = [];
  const vs: number[] = []; // s of each vertex
  const vth: number[] = []; // theta of each vertex
  const vAlpha: number[] = []; // angular distance from the mouth, radians

  const smileCurve = (X: number): number => 0.0022 * (X / INNER_HALF_WIDTH) ** 4;
  const lipY = (s: number, th: number, X: number): number => {
    const sn = Math.sin(th);
    const h =
      sn >= 0
        ? s <= 1
          ? UPPER_RED * s
          : UPPER_RED + (s - 1) * 0.0105
        : s <= 1
          ? LOWER_RED * s
          : LOWER_RED + (s - 1) * 0.0105;
    const bow = sn > 0 ? 0.0016 * smoothstep(0.5, 1, s) * gauss(X, 0.004) * (1 - smoothstep(1.3, 2, s)) : 0;
    return smileCurve(X) * (1 - smoothstep(1, 2.5, s)) + Math.sign(sn) * h * Math.abs(sn) ** 0.8 - bow;
  };
  const halfWidth = (s: number): number =>
    s <= 1
      ? INNER_HALF_WIDTH + (OUTER_HALF_WIDTH - INNER_HALF_WIDTH) * s
      : OUTER_HALF_WIDTH + (s - 1) * 0.0085;
  /** Forward lip bulge; identical for the upper and lower vertex of ring 0 so the lips meet. */
  const bulge = (s: number, th: number): number => {
    const lower = Math.sin(th) < 0 ? 1 : 0;
    const taper = 0.3 + 0.7 * Math.abs(Math.sin(th)) ** 0.6;
    return LIP_FULLNESS * (1 + 0.25 * lower * smoothstep(0, 0.5, s)) * taper * gauss(s - 0.35, 0.6);
  };
  const pushVertex = (p: Vec3, s: number, th: number, alpha: number): void => {
    pos.push(p[0], p[1], p[2]);
    vs.push(s);
    vth.push(th);
    vAlpha.push(alpha);
  };

  // Rings 0 and outward in the face plane.
  const lipPoint = (s: number, th: number): Vec3 => {
    const X = halfWidth(s) * Math.cos(th);
    const Y = lipY(s, th, X);
    const p = surface(X, Y);
    const b = bulge(s, th);
    return [p[0] + lipDir[0] * b, p[1] + lipDir[1] * b, p[2] + lipDir[2] * b];
  };
  // Inner rolls, innermost first.
  for (const s of [...INNER_RINGS].reverse()) {
    const depth = -s * 0.0085;
    const open = 0.003 * Math.sqrt(-s);
    const shrink = 1 + 0.06 * s;
    for (const th of thetas) {
      const q = lipPoint(0, th);
      const sn = Math.sin(th);
      const lift = Math.sign(sn) * Math.abs(sn) ** 0.6 * open;
      pushVertex(
        [q[0] * shrink, q[1] + lift - lipDir[1] * depth, q[2] - lipDir[2] * depth],
        s,
        th,
        Math.hypot(halfWidth(0) * Math.cos(th), 0) / r0,
      );
    }
    ringS.push(s);
  }
  const ring0 = ringS.length;
  for (const s of [...LIP_RINGS, ...SKIN_RINGS]) {
    for (const th of thetas) {
      const X = halfWidth(s) * Math.cos(th);
      pushVertex(lipPoint(s, th), s, th, Math.hypot(X, lipY(s, th, X)) / r0);
    }
    ringS.push(s);
  }
  // Far rings: the outline rounds off into circles of growing arc radius, up to just short of the back pole.
  const sLast = SKIN_RINGS[SKIN_RINGS.length - 1];
  const wN = halfWidth(sLast);
  const uN = UPPER_RED + (sLast - 1) * 0.0105;
  const lN = LOWER_RED + (sLast - 1) * 0.0105;
  const rhoEnd = 0.985 * Math.PI * r0;
  for (let k = 1; k <= FAR_RINGS; k++) {
    const t = (k / FAR_RINGS) ** 1.35;
    const s = sLast + k * 0.5;
    for (const th of thetas) {
      const sn = Math.sin(th);
      const A = wN + (rhoEnd - wN) * t;
      const B = (sn >= 0 ? uN : lN) + (rhoEnd - (sn >= 0 ? uN : lN)) * t;
      const X = A * Math.cos(th);
      const Y = Math.sign(sn) * B * Math.abs(sn) ** (0.8 * (1 - t) + t);
      pushVertex(surface(X, Y), s, th, Math.hypot(X, Y) / r0);
    }
    ringS.push(s);
  }
  const rings = ringS.length;
  const poleIndex = pos.length / 3;
  const back: Vec3 = [-MOUTH_DIR[0], -MOUTH_DIR[1], -MOUTH_DIR[2]];
  const rb = headRadius(back);
  pushVertex([back[0] * rb, back[1] * rb, back[2] * rb], sLast + FAR_RINGS * 0.5 + 0.5, 0, Math.PI);

  // Triangles (winding checked below against the outward direction).
  const idx: number[] = [];
  for (let r = 0; r + 1 < rings; r++) {
    for (let k = 0; k < N; k++) {
      const a = r * N + k;
      const b = r * N + ((k + 1) % N);
      const c = (r + 1) * N + k;
      const d = (r + 1) * N + ((k + 1) % N);
      idx.push(a, b, c, b, d, c);
    }
  }
  for (let k = 0; k < N; k++) idx.push((rings - 1) * N + k, (rings - 1) * N + ((k + 1) % N), poleIndex);
  // A triangle on the forehead must face away from the head centre with Babylon's clockwise-front rule;
  // flip every triangle if it does not.
  const probe = (ring0 + LIP_RINGS.length + SKIN_RINGS.length + 8) * N + N / 4;
  const tri = idx.findIndex((v, i) => i % 3 === 0 && v === probe);
  const [i0, i1, i2] = [idx[tri], idx[tri + 1], idx[tri + 2]];
  const e1 = [0, 1, 2].map((j) => pos[i1 * 3 + j] - pos[i0 * 3 + j]);
  const e2 = [0, 1, 2].map((j) => pos[i2 * 3 + j] - pos[i0 * 3 + j]);
  // Babylon's front face is clockwise seen from outside: its face normal is e2 x e1... checked by rendering.
  const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  const outward = n[0] * pos[i0 * 3] + n[1] * pos[i0 * 3 + 1] + n[2] * pos[i0 * 3 + 2];
  if (outward > 0) {
    for (let i = 0; i < idx.length; i += 3) [idx[i + 1], idx[i + 2]] = [idx[i + 2], idx[i + 1]];
  }

  const count = pos.length / 3;
  const positions = new Float32Array(pos);

  // Colours: skin, rosy lips with a soft border, darker inner rolls, a hint of blush on the cheeks.
  const toLinear = (c: number): number => (c / 255) ** 2.2;
  const skin = [244, 196, 164].map(toLinear);
  const lip = [214, 104, 104].map(toLinear);
  const inner = [170, 70, 78].map(toLinear);
  const blush = [240, 160, 150].map(toLinear);
  const colors = new Float32Array(count * 4);
  for (let v = 0; v < count; v++) {
    const s = vs[v];
    const lipT = 1 - smoothstep(0.86, 1.06, s);
    const innerT = smoothstep(-0.1, -1.2, s);
    const x = positions[v * 3];
    const y = positions[v * 3 + 1];
    const z = positions[v * 3 + 2];
    const blushT =
      0.55 * gauss(Math.abs(x) - 0.05, 0.018) * gauss(y + 0.02, 0.018) * smoothstep(0.02, 0.06, z);
    for (let j = 0; j < 3; j++) {
      const base = skin[j] + (blush[j] - skin[j]) * blushT;
      const lipC = lip[j] + (inner[j] - lip[j]) * innerT;
      colors[v * 4 + j] = base + (lipC - base) * lipT;
    }
    colors[v * 4 + 3] = 1;
  }

  // Jaw weights: the lower half of the mouth and everything below it on the front of the face, fading out
  // toward the ears and the throat; the mouth corners split between jaw and head.
  const jawWeights = new Float32Array(count);
  for (let v = 0; v < count; v++) {
    const angular = jawAngular(vth[v]);
    const reach = 1 - smoothstep(0.85, 1.45, vAlpha[v]);
    jawWeights[v] = v === poleIndex ? 0 : angular * reach;
  }

  const morphs = buildMouthShapes(positions, vs, vth, lipDir);

  // Landmarks: iBUG angles around the mouth (k = 0 is the subject's left corner, N/4 the upper midline).
  const at = (ring: number, k: number): number => (ring0 + ring) * N + (((k % N) + N) % N);
  const outer = LIP_RINGS.length - 1;
  const outerK = [32, 24, 19, 16, 13, 8, 0, 56, 51, 48, 45, 40]; // 48..59
  const innerK = [32, 24, 16, 8, 0, 56, 48, 40]; // 60..67
  // Chin (8): where the lower midline passes 4.5 cm below the mouth corners (the menton, front of the chin).
  const cornerY = positions[at(outer, 0) * 3 + 1];
  let chin = -1;
  for (let r = ring0; r < rings && chin < 0; r++) {
    const v = r * N + (3 * N) / 4;
    if (positions[v * 3 + 1] < cornerY - 0.045) chin = v;
  }
  const landmarkVertices = [chin, ...outerK.map((k) => at(outer, k)), ...innerK.map((k) => at(0, k))];

  const m = at(0, N / 4);
  const mouthCenter: Vec3 = [0, positions[m * 3 + 1], positions[m * 3 + 2]];
  const jawPivot: Vec3 = [0, mouthCenter[1] + 0.032, mouthCenter[2] - 0.09];
  return {
    positions,
    indices: new Uint32Array(idx),
    colors,
    jawWeights,
    morphs,
    landmarkVertices,
    mouthCenter,
    jawPivot,
    lipDir,
  };
}

/**
 * ARKit mouth shapes as smooth fields over (s, theta): each is a displacement of the lips and the skin
 * around them, fading out by s ≈ 3 (cheeks). Magnitudes are a few millimetres, like a real face.
 */
function buildMouthShapes(
  positions: Float32Array,
  vs: readonly number[],
  vth: readonly number[],
  lipDir: Vec3,
): Array<{ name: string; deltas: Float32Array }> {
  const count = positions.length / 3;
  type Field = (s: number, th: number, v: number) => Vec3;
  const lipMask = (s: number): number => 1 - smoothstep(0.8, 2.9, s);
  const area = (s: number): number => 1 - smoothstep(1.2, 4.2, s);
  const upper = (th: number): number => smoothstep(-0.25, 0.25, Math.sin(th));
  const lower = (th: number): number => 1 - upper(th);
  const left = (th: number): number => smoothstep(-0.55, 0.55, Math.cos(th));
  const right = (th: number): number => 1 - left(th);
  const angleTo = (th: number, c: number): number => Math.abs(Math.atan2(Math.sin(th - c), Math.cos(th - c)));
  const corner = (s: number, th: number, c: number): number =>
    gauss(angleTo(th, c), 0.75) * (s <= 1 ? 1 : gauss(s - 1, 1.3));
  const redWeight = (s: number): number => smoothstep(-1.2, 0, s) * (1 - smoothstep(0.9, 1.6, s));
  const scale = (v: Vec3, k: number): Vec3 => [v[0] * k, v[1] * k, v[2] * k];
  const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];

  const smile =
    (c: number, sx: number): Field =>
    (s, th) =>
      scale([0.0045 * sx, 0.0055, -0.004], corner(s, th, c));
  const stretch =
    (c: number, sx: number): Field =>
    (s, th) =>
      scale([0.0065 * sx, -0.0025, -0.0025], corner(s, th, c));
  const dimple =
    (c: number, sx: number): Field =>
    (s, th) =>
      scale([0.0015 * sx, 0, -0.0035], corner(s, th, c));
  const upperUp =
    (side: (th: number) => number): Field =>
    (s, th) =>
      scale([0, 0.0055, 0.0012], upper(th) * side(th) * lipMask(s) * smoothstep(-1.5, 0.2, s));
  const lowerDown =
    (side: (th: number) => number): Field =>
    (s, th) =>
      scale([0, -0.0055, 0.0012], lower(th) * side(th) * lipMask(s) * smoothstep(-1.5, 0.2, s));
  const press =
    (side: (th: number) => number): Field =>
    (s, th) => {
      const w = side(th) * redWeight(s);
      const toward = smoothstep(0, 1, s) * 0.0018 * (lower(th) - upper(th));
      return add(scale(lipDir, -0.0022 * w), [0, toward * side(th), 0]);
    };
  const fields: Array<[string, Field]> = [
    [
      'mouthClose', // lifts what the jaw lowers (same angular weights), so the corners never cross
      (s, th) => scale([0, 0.009 * jawAngular(th) - 0.0015 * upper(th), 0.001], lipMask(s) * area(s)),
    ],
    [
      'mouthFunnel',
      (s, th, v) => {
        const w = lipMask(s);
        const open = (0.0045 * Math.sin(th) * (1 - 0.4 * Math.min(1, Math.max(0, s))) * redWeight(s)) / 1;
        return [-0.25 * positions[v * 3] * w, open, 0.0075 * w];
      },
    ],
    ['mouthPucker', (s, _th, v) => [-0.38 * positions[v * 3] * lipMask(s), 0, 0.0095 * lipMask(s) * area(s)]],
    ['mouthLeft', (s) => [0.0065 * area(s), 0, 0]],
    ['mouthRight', (s) => [-0.0065 * area(s), 0, 0]],
    ['mouthSmileLeft', smile(0, 1)],
    ['mouthSmileRight', smile(Math.PI, -1)],
    ['mouthFrownLeft', (s, th) => scale([0.001, -0.005, 0], corner(s, th, 0))],
    ['mouthFrownRight', (s, th) => scale([-0.001, -0.005, 0], corner(s, th, Math.PI))],
    ['mouthDimpleLeft', dimple(0, 1)],
    ['mouthDimpleRight', dimple(Math.PI, -1)],
    ['mouthStretchLeft', stretch(0, 1)],
    ['mouthStretchRight', stretch(Math.PI, -1)],
    [
      'mouthRollLower',
      (s, th) =>
        add(scale(lipDir, -0.0055 * lower(th) * redWeight(s)), [0, 0.003 * lower(th) * redWeight(s), 0]),
    ],
    [
      'mouthRollUpper',
      (s, th) =>
        add(scale(lipDir, -0.005 * upper(th) * redWeight(s)), [0, -0.0028 * upper(th) * redWeight(s), 0]),
    ],
    ['mouthShrugLower', (s, th) => scale([0, 0.003, 0.003], lower(th) * area(s))],
    ['mouthShrugUpper', (s, th) => scale([0, 0.0025, 0.0015], upper(th) * lipMask(s))],
    ['mouthPressLeft', press(left)],
    ['mouthPressRight', press(right)],
    ['mouthLowerDownLeft', lowerDown(left)],
    ['mouthLowerDownRight', lowerDown(right)],
    ['mouthUpperUpLeft', upperUp(left)],
    ['mouthUpperUpRight', upperUp(right)],
  ];
  return fields.map(([name, f]) => {
    const deltas = new Float32Array(count * 3);
    for (let v = 0; v < count; v++) {
      const d = f(vs[v], vth[v], v);
      deltas.set(d, v * 3);
    }
    return { name, deltas };
  });
}
