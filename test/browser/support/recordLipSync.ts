// What a PerceptualLipSyncBehavior reported during a browser test (frames, states, errors, telemetry),
// timestamped, and the fake-microphone start the fault tests share.
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { PerceptualLipSyncBehavior } from '../../../src/behavior/perceptualLipSyncBehavior.ts';
import type { IPerceptualLipSyncOptions } from '../../../src/behavior/perceptualLipSyncOptions.ts';
import type { LipSyncState } from '../../../src/behavior/lipSyncState.ts';
import type { LipsPlayoutState } from '../../../src/playout/lipsPlayout.ts';
import type { ITelemetrySample } from '../../../src/telemetry/telemetrySample.ts';
import { createTestRig } from '../behavior/testRig.ts';
import type { ILipSyncTestScene } from './lipSyncTestScene.ts';
import { isAtRest } from './morphInfluences.ts';
import { waitFor, within } from './waitFor.ts';

/** What one applied frame showed, and when (performance.now(), ms). */
export interface FrameRecord {
  readonly at: number;
  readonly timeSec: number;
  readonly playout: LipsPlayoutState;
  readonly rest: boolean;
  /** AudioContext time when the frame was applied. */
  readonly ctxTime: number;
}

/** Everything a behavior reported, timestamped. */
export interface Recorder {
  readonly frames: FrameRecord[];
  readonly states: { at: number; state: LipSyncState }[];
  readonly errors: { at: number; error: Error }[];
  readonly telemetry: ITelemetrySample[];
  framesAfter(ms: number): FrameRecord[];
}

export function record(lipSync: PerceptualLipSyncBehavior, head: Mesh): Recorder {
  const r: Recorder = {
    frames: [],
    states: [],
    errors: [],
    telemetry: [],
    framesAfter: (ms) => r.frames.filter((f) => f.at > ms),
  };
  lipSync.onFrameObservable.add((f) =>
    r.frames.push({
      at: performance.now(),
      timeSec: f.timeSec,
      playout: f.playout,
      rest: isAtRest(head, 1e-4),
      ctxTime: lipSync.audioContext?.currentTime ?? NaN,
    }),
  );
  lipSync.onStateChangedObservable.add(({ state }) => r.states.push({ at: performance.now(), state }));
  lipSync.onErrorObservable.add((error) => r.errors.push({ at: performance.now(), error }));
  lipSync.onTelemetryObservable.add((s) => r.telemetry.push(s));
  return r;
}

export const playing = (frames: FrameRecord[]) => frames.filter((f) => f.playout === 'playing').length;

/** Starts the fake microphone on a test rig and waits until frames play. */
export async function startMicAsync(t: ILipSyncTestScene, options: Partial<IPerceptualLipSyncOptions> = {}) {
  const head = createTestRig(t.scene);
  const lipSync = t.make(options);
  head.addBehavior(lipSync);
  const rec = record(lipSync, head);
  await within('startAsync (microphone)', 40000, lipSync.startAsync({ kind: 'microphone' }));
  await waitFor(() => playing(rec.frames) >= 10, 10000, 'frames playing from the microphone');
  return { head, lipSync, rec };
}
