/**
 * Audio-visual offset from a similarity-over-shift curve: argmax with parabolic refinement, and a
 * confidence from the peak's prominence. Pure; the worker computes the curve, the main thread this.
 */

/** Result of `estimateAvOffset`. */
export interface IAvOffsetEstimate {
  /** Estimated offset, ms; positive = lips late. Within the curve's shift range. */
  readonly offsetMs: number;
  /** Confidence in [0, 1]: 0 for a flat curve or a peak on the range's edge, 1 for a clear peak. */
  readonly confidence: number;
  /** Curve value at the sampled peak (mean cosine similarity). */
  readonly peak: number;
}

/**
 * A peak this far above the curve's median (cosine similarity) counts as fully prominent. Trained
 * contrastive encoders give matched-vs-shifted gaps of 0.2–0.5; random ones a few hundredths.
 */
export const FULL_PROMINENCE = 0.1;

/**
 * Estimates the A/V offset from `curve[i]` = mean similarity between the lips and the speech shifted by
 * `shiftsMs[i]` (the speech taken `shiftsMs[i]` earlier than the lips' own time).
 *
 * Confidence = shape × strength, with shape = (peak − median) / (peak − min), how much the peak
 * stands out of the curve's own range, and strength = min(1, (peak − median) / FULL_PROMINENCE), how
 * much it stands out in absolute terms. A peak on the first or last shift (the true offset may lie
 * outside the range) gets confidence 0.
 * @param curve defines the similarity per shift (finite values)
 * @param shiftsMs defines the shifts, ascending and evenly spaced, ms
 * @returns the estimate, or null when the curve has fewer than 3 points or a non-finite value
 * @throws RangeError when the lengths differ
 */
export function estimateAvOffset(
  curve: ArrayLike<number>,
  shiftsMs: ArrayLike<number>,
): IAvOffsetEstimate | null {
  if (curve.length !== shiftsMs.length) {
    throw new RangeError(
      `estimateAvOffset: expected one shift per curve value, got ${curve.length} values and ${shiftsMs.length} shifts.`,
    );
  }
  const n = curve.length;
  if (n < 3) return null;
  let best = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const v = curve[i];
    if (!Number.isFinite(v) || !Number.isFinite(shiftsMs[i])) return null;
    if (v > curve[best]) best = i;
    if (v < min) min = v;
  }
  const peak = curve[best];
  const step = (shiftsMs[n - 1] - shiftsMs[0]) / (n - 1);
  let offsetMs = shiftsMs[best];
  const edge = best === 0 || best === n - 1;
  if (!edge) {
    // Vertex of the parabola through the peak and its neighbours.
    const a = curve[best - 1];
    const c = curve[best + 1];
    const denom = a - 2 * peak + c;
    if (denom < 0) offsetMs += Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) * step;
  }
  const sorted = Array.from(curve).sort((x, y) => x - y);
  const median = n % 2 ? sorted[(n - 1) / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  const prominence = peak - median;
  const range = peak - min;
  const shape = range > 0 ? prominence / range : 0;
  const strength = Math.min(1, prominence / FULL_PROMINENCE);
  const confidence = edge ? 0 : Math.max(0, Math.min(1, shape * strength));
  return { offsetMs, confidence, peak };
}
