/**
 * The behavior's one way to get the shared inference worker from its options: streaming (`startAsync`)
 * and baking (`bakeAsync`) must build the same init object, because the shared worker is keyed by it;
 * two spellings would start two workers and load the models twice.
 */
import { defaultWorkerUrl } from '../assetUrls.ts';
import type { LatencyHead } from '../models/modelManifest.ts';
import { acquireLipSyncWorkerAsync, type ILipSyncWorkerClient } from '../worker/lipSyncWorkerClient.ts';
import type { IPerceptualLipSyncOptions } from './perceptualLipSyncOptions.ts';

/**
 * Acquires (a reference to) the shared worker for these options and head; hand it back with `releaseAsync`.
 * Each head is its own worker (the head is part of the init object the shared worker is keyed by).
 * @param o defines the validated behavior options
 * @param latencyHead defines the generator head to load (`resolveLatencyHead`)
 * @returns the worker client
 * @throws ModelLoadError when the models cannot be loaded
 */
export function acquireWorkerForOptionsAsync(
  o: IPerceptualLipSyncOptions,
  latencyHead: LatencyHead,
): Promise<ILipSyncWorkerClient> {
  return acquireLipSyncWorkerAsync(
    o.workerUrl ?? defaultWorkerUrl(),
    {
      manifestUrl: new URL(o.modelManifestUrl, globalThis.location?.href).href,
      executionProviders: o.executionProviders,
      // Relative to the page, like the manifest (inside the worker it would resolve against the worker's URL).
      wasmPaths: o.wasmPaths === undefined ? undefined : new URL(o.wasmPaths, globalThis.location?.href).href,
      numThreads: o.numThreads,
      fetchAttempts: o.fetchAttempts,
      latencyHead,
    },
    { hangTimeoutMs: o.workerHangTimeoutMs, standby: o.standbyWorker },
  );
}
