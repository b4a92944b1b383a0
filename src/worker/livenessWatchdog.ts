/**
 * Notices a worker that stopped answering (an endless loop, a wedged wasm call): pings it every
 * `intervalMs` and reports a hang when a ping has been outstanding for `timeoutMs`. A crash that throws
 * is seen sooner through the Worker's `error` event; this covers the hangs that raise nothing.
 */

/** Options of `startLivenessWatchdog`. */
export interface ILivenessWatchdogOptions {
  /** How long a ping may stay unanswered before the worker counts as hung, ms. */
  readonly timeoutMs: number;
  /** How often to ping, ms. @default timeoutMs / 4, at least 50 */
  readonly intervalMs?: number;
  /**
   * While this returns true, late answers are excused (the clock of an unanswered ping restarts): a
   * busy machine is not a hung worker. @default never
   */
  readonly excused?: () => boolean;
}

/**
 * Starts pinging.
 * @param ping defines one round trip to the worker (resolves when it answered)
 * @param options defines the hang timeout and ping interval
 * @param onHang defines what to do once a hang is seen (called at most once), with the silence in ms
 * @returns a function that stops the watchdog (idempotent)
 */
export function startLivenessWatchdog(
  ping: () => Promise<unknown>,
  options: ILivenessWatchdogOptions,
  onHang: (silentMs: number) => void,
): () => void {
  const intervalMs = options.intervalMs ?? Math.max(50, options.timeoutMs / 4);
  let sentAt = -1; // performance.now() of the unanswered ping, or -1
  let ticksSinceSent = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    if (sentAt < 0) {
      sentAt = now;
      ticksSinceSent = 0;
      ping().then(
        () => {
          sentAt = -1;
        },
        () => undefined, // a terminated worker: its owner already knows
      );
      return;
    }
    if (options.excused?.()) {
      sentAt = now;
      ticksSinceSent = 0;
      return;
    }
    ticksSinceSent++;
    // Two ticks at least: when the main thread itself stalled, the reply may be queued behind this
    // timer, and a stalled page is not a hung worker.
    if (now - sentAt > options.timeoutMs && ticksSinceSent >= 2) {
      stop();
      onHang(now - sentAt);
    }
  }, intervalMs);
  const stop = () => clearInterval(timer);
  return stop;
}
