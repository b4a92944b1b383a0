/** CPU shares of a phase's thread groups (bench/browserBench.ts `cpu`: `type:thread` → share of one core). */

/** One thread group's CPU over a phase. */
export type PhaseCpu = Record<string, { cpuSec: number; shareOfCore: number }>;

/** Worker CPU: the renderer's dedicated-worker threads (our worker + ORT's wasm threads), cores. */
export function workerShare(cpu: PhaseCpu): number {
  return Object.entries(cpu)
    .filter(([k]) => k.startsWith('renderer:') && /DedicatedWorker|Worker/i.test(k))
    .reduce((a, [, v]) => a + v.shareOfCore, 0);
}
