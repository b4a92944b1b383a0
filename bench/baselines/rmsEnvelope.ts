/**
 * Loudness-envelope baseline: mouth opening ∝ RMS, the "amplitude cycling" lip sync users compare
 * against (peer-systems.md §4). Opening = min(1, RMS / `fullOpenRms`) over 20 ms windows, no smoothing,
 * no look-ahead. Used live (rmsEnvelope.worklet.ts) and offline on the quality clips (same function).
 */

/** RMS at which the mouth is fully open, linear full scale (≈ −16 dBFS: loud speech). */
export const FULL_OPEN_RMS = 0.16;
/** Analysis window, seconds (one lips frame at 50 fps). */
export const RMS_WINDOW_SEC = 0.02;

/** Mouth opening in [0, 1] for one window's RMS. */
export function rmsToOpening(rms: number, fullOpenRms = FULL_OPEN_RMS): number {
  return Math.min(1, rms / fullOpenRms);
}

/**
 * Offline track: opening per frame of `1 / fps` s, frame j covering samples [j·span, (j+1)·span).
 * @param x defines mono audio in [-1, 1]
 * @param sampleRateHz defines its rate
 * @param fps defines the frame rate
 */
export function rmsEnvelopeTrack(x: ArrayLike<number>, sampleRateHz: number, fps: number): Float64Array {
  const span = sampleRateHz / fps;
  const frames = Math.ceil(x.length / span);
  const out = new Float64Array(frames);
  for (let j = 0; j < frames; j++) {
    const a = Math.round(j * span);
    const b = Math.min(x.length, Math.round((j + 1) * span));
    let e = 0;
    for (let i = a; i < b; i++) e += x[i] * x[i];
    out[j] = rmsToOpening(Math.sqrt(e / Math.max(1, b - a)));
  }
  return out;
}
