/** A seeded synthetic rig around the lips-v1 neutral: random morph deltas (mm scale) and an optional jaw. */
import { LIPS_V1 } from '../../../src/rig/lipsV1.ts';
import type { IRigDescription } from '../../../src/rig/rigDescription.ts';

/** Mulberry32: small seeded PRNG so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticRig(
  morphCount: number,
  seed: number,
  opts: { jaw?: boolean; min?: number; max?: number } = {},
): IRigDescription {
  const rnd = seededRandom(seed);
  const morphs = Array.from({ length: morphCount }, (_, i) => ({
    name: `Exp${i + 1}`,
    targetIndex: i,
    min: opts.min ?? 0,
    max: opts.max ?? 1,
    landmarkDeltas: Float32Array.from({ length: 63 }, () => (rnd() - 0.5) * 0.01),
  }));
  const jawWeights = Float32Array.from(LIPS_V1.names, (_, l) =>
    LIPS_V1.groups.inner.includes(l) ? 0.5 : l === 0 ? 1 : 0.3 + 0.4 * rnd(),
  );
  return {
    kind: 'custom',
    landmarkMap: Array.from({ length: 21 }, (_, i) => ({ vertex: i })),
    restLandmarks: Float32Array.from(LIPS_V1.neutral),
    morphs,
    jaw: opts.jaw
      ? {
          nodeName: 'jaw',
          pivot: LIPS_V1.jawPivot,
          axes: [{ name: 'pitch', axis: [1, 0, 0], minRad: -0.05, maxRad: 0.45 }],
          landmarkWeights: jawWeights,
        }
      : null,
  };
}
