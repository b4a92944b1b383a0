// The set-up every browser test of PerceptualLipSyncBehavior shares: a NullEngine scene whose
// onBeforeRender is driven at 60 Hz (NullEngine has no render loop of its own here), the behaviors the
// test made (disposed after it), and the leak checks each test ends with (no worker left running, no
// shared AudioContext left open).
import { expect } from '@esm-bundle/chai';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { PerceptualLipSyncBehavior } from '../../../src/behavior/perceptualLipSyncBehavior.ts';
import type { IPerceptualLipSyncOptions } from '../../../src/behavior/perceptualLipSyncOptions.ts';
import { liveSharedAudioContextCount } from '../../../src/behavior/sharedAudioContext.ts';
import { liveLipSyncWorkerCount } from '../../../src/worker/lipSyncWorkerClient.ts';
import { TINY_MANIFEST } from './fixtures.ts';
import { sleep } from './waitFor.ts';

/** Options of `useLipSyncTestScene`. */
export interface ILipSyncTestSceneOptions {
  /** Check that no shared AudioContext is left open after each test. @default true */
  readonly checkAudioContexts?: boolean;
  /** Behavior options `make` applies under the test's own. @default tiny generator, wasm */
  readonly defaults?: Partial<IPerceptualLipSyncOptions>;
}

/** What a test uses; valid inside `it` (re-created for each test). */
export interface ILipSyncTestScene {
  readonly engine: NullEngine;
  readonly scene: Scene;
  /** Behaviors disposed after the test (`make` and `track` add to it). */
  readonly behaviors: PerceptualLipSyncBehavior[];
  /** A behavior with the defaults (tiny generator, wasm) under `options`, disposed after the test. */
  make(options?: Partial<IPerceptualLipSyncOptions>): PerceptualLipSyncBehavior;
  /** Disposes `behavior` after the test. */
  track<T extends PerceptualLipSyncBehavior>(behavior: T): T;
}

/** Worker disposal waits up to 500 ms for the worker's own cleanup before terminating it. */
const WORKER_DISPOSE_MS = 600;

/**
 * Registers `beforeEach`/`afterEach` hooks in the calling `describe` and returns the per-test scene.
 * @param options defines the leak checks and behavior defaults
 */
export function useLipSyncTestScene(options: ILipSyncTestSceneOptions = {}): ILipSyncTestScene {
  const defaults: Partial<IPerceptualLipSyncOptions> = options.defaults ?? {
    modelManifestUrl: TINY_MANIFEST,
    executionProviders: ['wasm'],
  };
  let engine: NullEngine | null = null;
  let scene: Scene | null = null;
  let renderTimer: ReturnType<typeof setInterval> | undefined;
  const behaviors: PerceptualLipSyncBehavior[] = [];
  const track = <T extends PerceptualLipSyncBehavior>(b: T): T => {
    behaviors.push(b);
    return b;
  };

  beforeEach(() => {
    engine = new NullEngine();
    const s = new Scene(engine);
    scene = s;
    renderTimer = setInterval(() => s.onBeforeRenderObservable.notifyObservers(s), 16);
  });
  afterEach(async () => {
    clearInterval(renderTimer);
    for (const b of behaviors.splice(0)) b.dispose();
    await sleep(WORKER_DISPOSE_MS);
    // Timers run late on a loaded machine: give the disposal a little longer before calling it a leak.
    for (let i = 0; i < 20 && liveLipSyncWorkerCount() > 0; i++) await sleep(100);
    scene?.dispose();
    engine?.dispose();
    scene = null;
    engine = null;
    expect(liveLipSyncWorkerCount(), 'workers left running').to.equal(0);
    if (options.checkAudioContexts ?? true)
      expect(liveSharedAudioContextCount(), 'AudioContexts left open').to.equal(0);
  });

  return {
    get engine() {
      if (!engine) throw new Error('The test scene exists only inside a test.');
      return engine;
    },
    get scene() {
      if (!scene) throw new Error('The test scene exists only inside a test.');
      return scene;
    },
    behaviors,
    make: (o = {}) => track(new PerceptualLipSyncBehavior({ ...defaults, ...o })),
    track,
  };
}
