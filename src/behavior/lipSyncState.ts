/**
 * Life cycle of a `PerceptualLipSyncBehavior`:
 * `idle` (attached or not, no source) → `loading` (worker and models) → `running` → `idle` on `stop()`;
 * `suspended` while the AudioContext is suspended (the avatar rests, no frames);
 * `recovering` while a crashed or hung inference worker is replaced (the avatar eases to rest; back to
 * `running` on its own); `error` after a fatal error such as a lost input device (everything is
 * released; a new `startAsync` recovers).
 */
export type LipSyncState = 'idle' | 'loading' | 'running' | 'suspended' | 'recovering' | 'error';
