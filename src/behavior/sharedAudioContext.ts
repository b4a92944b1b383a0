/**
 * One AudioContext for every behavior on the page unless the user passes their own: contexts are
 * costly (an audio thread each) and browsers cap how many may run. Reference-counted; the last
 * release closes the context we created. An injected context is never closed.
 */

/** A reference to an AudioContext. */
export interface IAudioContextLease {
  readonly context: AudioContext;
  /** Returns the reference; idempotent. */
  release(): void;
}

let sharedContext: AudioContext | null = null;
let refs = 0;

/**
 * @param injected defines a user-owned context to use as is (never closed here)
 * @returns a lease on `injected` or on the shared default context
 */
export function acquireAudioContext(injected?: AudioContext): IAudioContextLease {
  if (injected) return { context: injected, release() {} };
  if (!sharedContext || sharedContext.state === 'closed') {
    sharedContext = new AudioContext({ latencyHint: 'interactive' });
    refs = 0;
  }
  const context = sharedContext;
  refs++;
  let released = false;
  return {
    context,
    release() {
      if (released) return;
      released = true;
      if (context !== sharedContext) return;
      refs--;
      if (refs === 0) {
        sharedContext = null;
        void context.close();
      }
    },
  };
}

/** Shared contexts open now (for leak checks in tests). */
export function liveSharedAudioContextCount(): number {
  return sharedContext && sharedContext.state !== 'closed' ? 1 : 0;
}
