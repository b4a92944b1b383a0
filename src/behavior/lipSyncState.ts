/**
 * Life cycle of a `PerceptualLipSyncBehavior`:
 * `idle` (attached or not, no source) → `loading` (worker and models) → `running` → `idle` on `stop()`;
 * `suspended` while the AudioContext is suspended; `error` after a fatal error (a new `startAsync` recovers).
 */
export type LipSyncState = 'idle' | 'loading' | 'running' | 'suspended' | 'error';
