// Copied into the consumer app by test/consumer/run.mjs and imported before the README's src/main.ts (the
// app's code is not changed). It finds the scene through Babylon's EngineStore (the app's own copy of
// @babylonjs/core, so the same module instance) and the behavior by its name, and records what the test
// checks: morph influences over time, telemetry samples, errors, state changes, start-up times.
import { EngineStore } from '@babylonjs/core/Engines/engineStore.js';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';

interface IProbedBehavior {
  readonly name: string;
  readonly state: string;
  readonly onStateChangedObservable: { add(cb: (change: { state: string }) => void): unknown };
  readonly onErrorObservable: { add(cb: (e: Error) => void): unknown };
  readonly onTelemetryObservable: { add(cb: (t: { backend: string | null; kind: string }) => void): unknown };
}

/** What the test reads back (`window.__consumerProbe`). */
interface IProbeReport {
  behaviorFound: boolean;
  states: { state: string; atMs: number }[];
  errors: string[];
  telemetrySamples: number;
  telemetryBackend: string | null;
  /** Influence samples taken (every 50 ms once the behavior runs). */
  samples: number;
  /** Samples whose influences differ from the previous sample's. */
  changes: number;
  /** Largest |influence| seen on any morph target. */
  maxInfluence: number;
  /** Largest |influence| in the last sample. */
  lastMaxInfluence: number;
  firstRunningMs: number | null;
  firstMovingMs: number | null;
  firstTelemetryMs: number | null;
}

const report: IProbeReport = {
  behaviorFound: false,
  states: [],
  errors: [],
  telemetrySamples: 0,
  telemetryBackend: null,
  samples: 0,
  changes: 0,
  maxInfluence: 0,
  lastMaxInfluence: 0,
  firstRunningMs: null,
  firstMovingMs: null,
  firstTelemetryMs: null,
};
(window as unknown as { __consumerProbe: IProbeReport }).__consumerProbe = report;

let head: AbstractMesh | null = null;
let previous = '';
const MOVING = 0.02; // an influence above this is a visibly open or shaped mouth

function subscribe(mesh: AbstractMesh, behavior: IProbedBehavior): void {
  head = mesh;
  report.behaviorFound = true;
  report.states.push({ state: behavior.state, atMs: performance.now() });
  behavior.onStateChangedObservable.add(({ state }) => {
    report.states.push({ state, atMs: performance.now() });
  });
  behavior.onErrorObservable.add((e) => report.errors.push(`${e.name}: ${e.message}`));
  behavior.onTelemetryObservable.add((t) => {
    report.telemetrySamples++;
    report.telemetryBackend = t.backend;
    report.firstTelemetryMs ??= performance.now();
  });
}

setInterval(() => {
  const scene = EngineStore.LastCreatedScene;
  if (!scene) return;
  if (!head) {
    for (const mesh of scene.meshes) {
      const behavior = mesh.getBehaviorByName('PerceptualLipSync') as unknown as IProbedBehavior | null;
      if (behavior) subscribe(mesh, behavior);
    }
    if (!head) return;
  }
  const states = report.states.map((s) => s.state);
  if (report.firstRunningMs === null && states.includes('running')) {
    report.firstRunningMs = report.states.find((s) => s.state === 'running')!.atMs;
  }
  const manager = head.morphTargetManager;
  if (!manager) return;
  const values: number[] = [];
  for (let i = 0; i < manager.numTargets; i++) values.push(manager.getTarget(i).influence);
  const max = Math.max(0, ...values.map(Math.abs));
  const key = values.map((v) => v.toFixed(4)).join(',');
  report.samples++;
  if (key !== previous && previous !== '') report.changes++;
  previous = key;
  report.lastMaxInfluence = max;
  report.maxInfluence = Math.max(report.maxInfluence, max);
  if (max > MOVING) report.firstMovingMs ??= performance.now();
}, 50);
