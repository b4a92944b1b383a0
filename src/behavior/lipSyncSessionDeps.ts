/**
 * The effects a lip-sync session acquires through: the browser's by default, fakes in Node tests
 * (`test/node/behavior/lipSyncSession.test.ts`).
 */
import { createCaptureNodeAsync, type ICaptureNode } from '../audio/captureNode.ts';
import type { LatencyHead } from '../models/modelManifest.ts';
import type { ILipSyncWorkerClient } from '../worker/lipSyncWorkerClient.ts';
import { acquireWorkerForOptionsAsync } from './acquireWorkerForOptions.ts';
import type { LipSyncSource } from './lipSyncSource.ts';
import { openAudioSourceAsync } from './openAudioSource.ts';
import { babylonSoundContext } from './openBabylonSound.ts';
import type { IPerceptualLipSyncOptions } from './perceptualLipSyncOptions.ts';
import { acquireAudioContext, type IAudioContextLease } from './sharedAudioContext.ts';

/** The effects a session acquires through. */
export interface ILipSyncSessionDeps {
  acquireAudioContext(context?: AudioContext): IAudioContextLease;
  /** The context a source must play in (a Babylon sound's engine), or null. */
  soundContext(source: LipSyncSource): AudioContext | null;
  openAudioSourceAsync: typeof openAudioSourceAsync;
  acquireWorkerAsync(
    options: IPerceptualLipSyncOptions,
    latencyHead: LatencyHead,
  ): Promise<ILipSyncWorkerClient>;
  createCaptureNodeAsync(context: BaseAudioContext, processorUrl: URL | string): Promise<ICaptureNode>;
  /** The clock of worker restart gaps, ms. */
  nowMs(): number;
}

/** The browser's effects. */
export const BROWSER_SESSION_DEPS: ILipSyncSessionDeps = {
  acquireAudioContext,
  // A Babylon sound plays in its engine's context: use that one (never closed here).
  soundContext: (source) => (source.kind === 'babylonSound' ? babylonSoundContext(source.sound) : null),
  openAudioSourceAsync,
  acquireWorkerAsync: acquireWorkerForOptionsAsync,
  createCaptureNodeAsync,
  nowMs: () => performance.now(),
};
