/**
 * Offline lip sync for pre-recorded dialogue (`PerceptualLipSyncBehavior.bakeAsync`): the audio goes
 * through the same worker and models as streaming, in one offline pass (`generateOfflineAsync` on the
 * shared, reference-counted worker, released afterwards), then through the same gain, smoothing and
 * solver as the live player, frame by frame, into a Babylon `AnimationGroup`.
 */
import type { AnimationGroup } from '@babylonjs/core/Animations/animationGroup.js';
import type { Scene } from '@babylonjs/core/scene.js';
import { transfer } from 'comlink';
import { lipsTrackToJson, type ILipsTrackJson } from '../models/lipsTrackJson.ts';
import { gateSilentFrames } from '../playout/lipsPostProcess.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import type { RigBinding } from '../rig/applyRigPose.ts';
import type { IRigDescription } from '../rig/rigDescription.ts';
import { solveLipsTrackToRig } from '../playout/solveLipsTrackToRig.ts';
import { reviveError } from '../worker/lipSyncWorkerClient.ts';
import { acquireWorkerForOptionsAsync } from './acquireWorkerForOptions.ts';
import { createRigAnimationGroup } from './createRigAnimationGroup.ts';
import { decodeBakeSourceTo16kAsync } from './decodeBakeSource.ts';
import type { LipSyncBakeSource } from './lipSyncSource.ts';
import type { IPerceptualLipSyncOptions } from './perceptualLipSyncOptions.ts';

/** What `bakeAsync` returns. */
export interface IBakedLipSync {
  /** The generated lips, in the JSON shape `perceptual-lipsync bake` writes; frame 0 at audio time 0. */
  readonly track: ILipsTrackJson;
  /**
   * Keys for every driven morph target's `influence` and the jaw's `rotationQuaternion`, one per track
   * frame at `track.fps` (frame k = audio time k / fps). Stopped; `start()` plays it. Dispose it when done.
   */
  readonly animationGroup: AnimationGroup;
}

/** What the behavior hands the bake: its rig as attached and the gain in force. */
export interface IBakeTarget {
  readonly scene: Scene;
  readonly rig: IRigDescription;
  readonly binding: RigBinding;
  readonly options: IPerceptualLipSyncOptions;
  readonly intensity: number;
  readonly name: string;
}

/**
 * @param source defines the audio
 * @param target defines the rig, scene and options
 * @returns the track and the animation group
 * @throws AudioSourceError, ModelLoadError, WorkerCrashError (all `LipSyncError`)
 */
export async function bakeLipSyncAsync(
  source: LipSyncBakeSource,
  target: IBakeTarget,
): Promise<IBakedLipSync> {
  const samples = await decodeBakeSourceTo16kAsync(source, target.options.audioContext);
  // Offline nothing waits for the lips: `auto` takes the most look-ahead (the best lips).
  const mode = target.options.latencyMode;
  const worker = await acquireWorkerForOptionsAsync(target.options, mode === 'auto' ? 'playback' : mode);
  let block;
  try {
    block = await Promise.race([
      worker.api.generateOfflineAsync(transfer(samples, [samples.buffer])),
      worker.crashed.then((err) => Promise.reject(err)),
    ]);
  } catch (e) {
    throw reviveError(e);
  } finally {
    await worker.releaseAsync();
  }
  // The live player's silence gate: digital silence shows the rest pose in the bake too.
  const displacements = gateSilentFrames(block.displacements, block.speechRms, LIPS_V1_VALUES);
  const fps = worker.info.frameRateHz;
  const keys = solveLipsTrackToRig(displacements, fps, target.rig, {
    intensity: target.intensity,
    smoothingMs: target.options.smoothingMs,
  });
  return {
    track: lipsTrackToJson({ frames: block.frames, fps, displacements }),
    animationGroup: createRigAnimationGroup(target.scene, target.binding, keys, target.name),
  };
}
