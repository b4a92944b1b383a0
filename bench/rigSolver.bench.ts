/**
 * Micro-benchmark of the per-frame landmark solve (`LandmarkSolver.solve`), the cost the render loop pays
 * every frame. Run: `node --import tsx bench/rigSolver.bench.ts`; writes bench/results/rig-solver.json.
 * Reports wall-clock per solve (p50 over batches) and process CPU time per solve: on a shared, overloaded
 * machine the CPU time is the honest cost, since wall-clock also counts time spent waiting for a core.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { LIPS_V1 } from '../src/rig/lipsV1.ts';
import type { IRigDescription } from '../src/rig/rigDescription.ts';
import { createRigPose } from '../src/rig/rigPose.ts';
import { createLandmarkSolver } from '../src/rig/solveLandmarksToRig.ts';

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

function rig(morphCount: number, min: number, max: number, rnd: () => number): IRigDescription {
  return {
    kind: 'custom',
    landmarkMap: Array.from({ length: 21 }, (_, i) => ({ vertex: i })),
    restLandmarks: Float32Array.from(LIPS_V1.neutral),
    morphs: Array.from({ length: morphCount }, (_, i) => ({
      name: `m${i}`,
      targetIndex: i,
      min,
      max,
      landmarkDeltas: Float32Array.from({ length: 63 }, () => (rnd() - 0.5) * 0.006),
    })),
    jaw: {
      nodeName: 'jaw',
      pivot: LIPS_V1.jawPivot,
      axes: [{ name: 'pitch', axis: [1, 0, 0], minRad: -0.05, maxRad: 0.45 }],
      landmarkWeights: Float32Array.from({ length: 21 }, (_, l) =>
        LIPS_V1.groups.inner.includes(l) ? 0.5 : 0.7,
      ),
    },
  };
}

/** Speech-like target stream: smooth random lip motion of a few mm around neutral (50 Hz). */
function targets(count: number, rnd: () => number): Float32Array[] {
  const out: Float32Array[] = [];
  const phase = Array.from({ length: 63 }, () => rnd() * 6.28);
  const freq = Array.from({ length: 63 }, () => 2 + 6 * rnd());
  for (let f = 0; f < count; f++) {
    const t = f / 50;
    out.push(
      // lips-v1 displacements from neutral, what the live path hands the solver
      Float32Array.from({ length: 63 }, (_, j) => 0.004 * Math.sin(6.28 * freq[j] * t + phase[j])),
    );
  }
  return out;
}

function run(name: string, r: IRigDescription, frames: Float32Array[]): Record<string, number | string> {
  const solver = createLandmarkSolver(r);
  const pose = createRigPose(r);
  for (let i = 0; i < 2000; i++) solver.solve(frames[i % frames.length], pose); // JIT warm-up
  const batch = 50;
  const samples: number[] = [];
  let residual = 0;
  const cpu0 = process.cpuUsage();
  for (let b = 0; b < 200; b++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) residual += solver.solve(frames[(b * batch + i) % frames.length], pose);
    samples.push((performance.now() - t0) / batch);
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  const q = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return {
    name,
    controls: solver.controlCount,
    framesTimed: samples.length * batch,
    cpuMsPerSolve: (cpu.user + cpu.system) / 1000 / (samples.length * batch),
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    p50Ms: q(0.5),
    p90Ms: q(0.9),
    maxBatchMeanMs: samples[samples.length - 1],
    p50InMatvecs: q(0.5) / matvecP50Ms,
    meanResidualMm: (residual / (samples.length * batch)) * 1e3,
  };
}

/** One 101 × 101 float64 matrix-vector product, timed the same way: a yardstick for this machine's speed. */
function calibrate(): number {
  const n = 101;
  const H = Float64Array.from({ length: n * n }, (_, i) => (i % 7) * 0.1);
  const x = Float64Array.from({ length: n }, (_, i) => i * 0.01);
  const y = new Float64Array(n);
  const once = (): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += H[i * n + k] * x[k];
      y[i] = s;
    }
    x[0] = y[n - 1] * 1e-9;
  };
  for (let i = 0; i < 5000; i++) once();
  const samples: number[] = [];
  for (let b = 0; b < 200; b++) {
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) once();
    samples.push((performance.now() - t0) / 50);
  }
  return samples.sort((a, b) => a - b)[100];
}

const matvecP50Ms = calibrate();
const rnd = seeded(1);
const frames = targets(1000, rnd);
const results = [
  run('FLAME-like: 100 signed morphs [-2, 2] + jaw pitch', rig(100, -2, 2, rnd), frames),
  run('ARKit-like: 24 mouth morphs [0, 1] + jaw pitch (bounds often active)', rig(24, 0, 1, rnd), frames),
  run('Dense: 100 morphs [0, 1] + jaw pitch (bounds often active)', rig(100, 0, 1, rnd), frames),
];
const report = {
  bench: 'rigSolver',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  matvec101P50Ms: matvecP50Ms,
  note: 'p50InMatvecs = solve p50 / one 101×101 float64 mat-vec on the same machine and run (load-independent-ish)',
  method:
    'performance.now around batches of 50 solves after 2000 warm-up solves, 200 batches per case; ' +
    'cpuMsPerSolve = process.cpuUsage (user + system) over the same 10000 solves',
  loadAverage: loadavg(),
  results,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/rig-solver.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
console.table(results);
