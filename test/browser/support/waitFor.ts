// Waiting helpers for real-time browser tests: on a loaded 2-core CI machine timers and the audio
// thread stall, so tests wait for a condition (with a deadline) rather than for a fixed time.

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `condition` every `pollMs` until it holds.
 * @param condition defines what to wait for
 * @param timeoutMs defines the deadline, ms
 * @param what defines the message of the rejection when the deadline passes
 * @returns the elapsed time, ms
 */
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
  pollMs = 10,
): Promise<number> {
  const t0 = performance.now();
  while (!condition()) {
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(pollMs);
  }
  return performance.now() - t0;
}

/**
 * Awaits `promise`, or fails after `timeoutMs` naming the step: a start that never settles then fails
 * with a message instead of the anonymous 120 s test timeout (and a file that overruns its page).
 * @param what defines the step, for the message
 * @param timeoutMs defines the deadline, ms
 * @param promise defines what to wait for
 */
export async function within<T>(what: string, timeoutMs: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
