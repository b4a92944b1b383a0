/**
 * The messages between `bake --in-dir` (main thread) and its worker threads (`bakeWorker.ts`).
 */
import type { LatencyHead } from '../models/modelManifest.ts';

/** `workerData` of a bake worker. */
export interface IBakeWorkerData {
  /** Marks the thread as a bake worker (the entry does nothing otherwise). */
  readonly role: 'perceptual-lipsync-bake';
  /** The models' manifest.json. */
  readonly manifestPath: string;
  /** The generator head (`bake --mode`). */
  readonly latencyHead: LatencyHead;
}

/** One file to bake. */
export interface IBakeWorkerTask {
  readonly id: number;
  readonly audio: string;
  readonly out: string;
}

/** What a worker reports. */
export type BakeWorkerReply =
  | { readonly type: 'ready' }
  /** The model could not be loaded: the worker can bake nothing. */
  | { readonly type: 'fatal'; readonly name: string; readonly message: string }
  /** Seconds of audio of task `id` done since the last report. */
  | { readonly type: 'progress'; readonly id: number; readonly seconds: number }
  | { readonly type: 'done'; readonly id: number; readonly frames: number; readonly durationSec: number }
  | { readonly type: 'failed'; readonly id: number; readonly name: string; readonly message: string };
