/**
 * Pools scored 200 ms windows into live PLRS and one similarity-over-shift curve. Pure.
 */

/** One mesh window scored against the speech at every shift (what the worker returns). */
export interface IWindowScore {
  /** Stream lips-frame index of the window's first frame. */
  readonly startFrame: number;
  /** Cosine similarity per shift (same order as the scorer's `shiftsMs`). */
  readonly similarities: ArrayLike<number>;
}

/** Result of `aggregateWindowScores`. */
export interface IWindowAggregate {
  /** Mean similarity at zero shift: PLRS over these windows (paper §2), or null with no windows. */
  readonly plrs: number | null;
  /** Mean similarity per shift, or null with no windows. */
  readonly curve: Float64Array | null;
  /** Windows pooled. */
  readonly windows: number;
}

/**
 * PLRS as the paper defines it (mean over non-overlapping windows of the matched cosine similarity)
 * plus the mean curve over shifts for the offset estimate. Windows with a non-finite value are skipped.
 * @param windows defines the scored windows (non-overlapping, as the scorer produces them)
 * @param zeroShiftIndex defines the index of shift 0 in `similarities`
 * @returns PLRS, curve and the number of windows used
 */
export function aggregateWindowScores(
  windows: readonly IWindowScore[],
  zeroShiftIndex: number,
): IWindowAggregate {
  let curve: Float64Array | null = null;
  let count = 0;
  for (const w of windows) {
    const s = w.similarities;
    let finite = s.length > zeroShiftIndex;
    for (let i = 0; i < s.length && finite; i++) finite = Number.isFinite(s[i]);
    if (!finite || (curve && curve.length !== s.length)) continue;
    curve ??= new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) curve[i] += s[i];
    count++;
  }
  if (!curve || count === 0) return { plrs: null, curve: null, windows: 0 };
  for (let i = 0; i < curve.length; i++) curve[i] /= count;
  return { plrs: curve[zeroShiftIndex], curve, windows: count };
}
