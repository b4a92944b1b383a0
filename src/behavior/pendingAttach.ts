/**
 * Babylon's `Node.addBehavior(behavior)` calls `behavior.init()` at once but defers `attach` until
 * `scene.onDataLoadedObservable` while the scene is still loading (Babylon 9 `node.ts`); right after
 * `LoadAssetContainerAsync` it usually is (issue #16: the README's `addBehavior` + `startAsync` failed
 * with "attach the behavior first"). This tracks that window, so `startAsync` can wait for the attach
 * Babylon has promised instead of failing. Plain timers and promises: no Babylon import.
 */

import { LipSyncError } from '../errors.ts';

/**
 * How long `startAsync`/`bakeAsync` wait for the attach Babylon defers until the scene has loaded
 * (`addBehavior` while `scene.isLoading`). Pending textures usually finish in well under a second; a
 * scene still loading after this long is waiting on something else, and the error says what to do.
 */
export const DEFERRED_ATTACH_WAIT_MS = 30000;

/** How a wait for the deferred attach ended. */
export type PendingAttachOutcome = 'attached' | 'cancelled' | 'timeout';

/** Tracks "added to a node, attach not yet called" and lets callers wait for the attach. */
export class PendingAttach {
  private _pending = false;
  private readonly _waiters = new Set<(outcome: PendingAttachOutcome) => void>();

  /** True between `expect()` (Babylon's `init`) and the attach, removal or cancellation. */
  get pending(): boolean {
    return this._pending;
  }

  /** Babylon called `init()`: an attach follows, now or when the scene has loaded. */
  expect(): void {
    this._pending = true;
  }

  /** The attach happened: every waiter resumes. */
  attached(): void {
    this._settle('attached', false);
  }

  /** The behavior was removed or disposed before Babylon attached it: waiters give up. */
  removed(): void {
    this._settle('cancelled', false);
  }

  /**
   * Waits for the attach.
   * @param timeoutMs defines how long to wait, milliseconds
   * @param signal defines an abort (e.g. `stop()`): the wait then ends as `cancelled`
   * @returns `attached`, `cancelled` (removed, disposed or aborted) or `timeout`; at once `attached`
   * when nothing is pending
   */
  waitAsync(timeoutMs: number, signal?: AbortSignal): Promise<PendingAttachOutcome> {
    if (!this._pending) return Promise.resolve('attached');
    if (signal?.aborted) return Promise.resolve('cancelled');
    return new Promise((resolve) => {
      const finish = (outcome: PendingAttachOutcome): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this._waiters.delete(finish);
        resolve(outcome);
      };
      const onAbort = (): void => finish('cancelled');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort);
      this._waiters.add(finish);
    });
  }

  private _settle(outcome: PendingAttachOutcome, pending: boolean): void {
    this._pending = pending;
    for (const w of [...this._waiters]) w(outcome);
  }

  /**
   * Waits (bounded by `DEFERRED_ATTACH_WAIT_MS`) for the attach Babylon deferred because the scene was
   * loading when the behavior was added; returns at once when nothing is pending.
   * @param method defines the public method waiting, for the error message
   * @param signal defines an abort (`stop()`)
   * @throws LipSyncError when the attach does not come in time, or the behavior was removed or stopped
   */
  async waitOrThrowAsync(method: string, signal: AbortSignal): Promise<void> {
    if (!this._pending) return;
    const outcome = await this.waitAsync(DEFERRED_ATTACH_WAIT_MS, signal);
    if (outcome === 'timeout') {
      throw new LipSyncError(
        `${method}: the behavior was added (mesh.addBehavior) while the scene was still loading, and Babylon ` +
          `attaches it only when scene.onDataLoadedObservable fires, which did not happen within ` +
          `${DEFERRED_ATTACH_WAIT_MS / 1000} s. Await scene.whenReadyAsync() before ${method}, or attach at once ` +
          `with mesh.addBehavior(lipSync, true).`,
      );
    }
    if (outcome === 'cancelled') {
      throw new LipSyncError(
        `${method} was cancelled while waiting for Babylon to attach the behavior (stop(), removeBehavior or dispose).`,
      );
    }
  }
}
