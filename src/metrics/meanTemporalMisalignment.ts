/**
 * MTM — Mean Temporal Misalignment (paper §4.1): how far, in frames, the predicted lip-opening extrema
 * sit from the ground truth's after DDTW alignment. Lower is better; 0 is perfect sync.
 */
import { findPeaks } from '../math/findPeaks.ts';
import { gaussianFilter1d } from '../math/gaussianFilter1d.ts';
import { derivativeDtw } from './derivativeDtw.ts';
import { MetricInputError, _assertFinite } from './metricInputError.ts';

/** An extremum of a smoothed lip-opening signal. */
export interface ILipExtremum {
  /** Frame index. */
  index: number;
  /** 'max' (mouth most open) or 'min' (most closed). */
  kind: 'max' | 'min';
}

/** Options of meanTemporalMisalignment. */
export interface IMtmOptions {
  /** Gaussian smoothing σ in frames. @default 2 */
  sigmaFrames?: number;
  /** Frame rate in Hz; when given, `mtmMs` = mtmFrames·1000/fps. @default undefined */
  fps?: number;
}

/** Result of meanTemporalMisalignment for one clip. */
export interface IMtmResult {
  /** Mean |Δt| over matches in frames (lower is better), or null when no extrema matched. */
  mtmFrames: number | null;
  /** The same in milliseconds when `fps` was given, else null. */
  mtmMs: number | null;
  /** Number of matched extremum pairs. */
  matches: number;
  /** |Δt| of each match, frames, in path order. */
  deltas: number[];
  /** Matched (gtIndex, predIndex) pairs, in path order. */
  pairs: Array<[number, number]>;
  /** Smoothed GT lip opening. */
  gtSmoothed: Float64Array;
  /** Smoothed predicted lip opening. */
  predSmoothed: Float64Array;
  /** GT extrema, ascending index. */
  gtExtrema: ILipExtremum[];
  /** Predicted extrema, ascending index. */
  predExtrema: ILipExtremum[];
  /** The DDTW warping path over the smoothed signals. */
  path: Array<[number, number]>;
}

function extremaOf(s: Float64Array): Map<number, 'max' | 'min'> {
  const map = new Map<number, 'max' | 'min'>();
  for (const i of findPeaks(s)) map.set(i, 'max');
  const negated = s.map((v) => -v);
  for (const i of findPeaks(negated)) map.set(i, 'min');
  return map;
}

function sortedExtrema(map: Map<number, 'max' | 'min'>): ILipExtremum[] {
  return [...map.entries()].sort((a, b) => a[0] - b[0]).map(([index, kind]) => ({ index, kind }));
}

/**
 * MTM of one clip from two lip-opening signals (see lipDistance), following the paper's evaluation
 * code: Gaussian smoothing (σ = 2, 17 taps, reflect), DDTW, extrema as scipy.signal.find_peaks on s and
 * −s, and a match for every path pair (g, p) where both are extrema of the same kind and p lies between
 * GT's previous and next extremum (0 and T_gt − 1 at the ends), inclusive. The lengths may differ.
 * @param gtLipDistance defines the ground-truth lip opening per frame
 * @param predLipDistance defines the predicted lip opening per frame, same frame rate
 * @param options defines σ and the frame rate
 * @returns mean |Δt| in frames (and ms), the matches and the intermediate signals for plotting
 * @throws MetricInputError on empty input or NaN
 */
export function meanTemporalMisalignment(
  gtLipDistance: ArrayLike<number>,
  predLipDistance: ArrayLike<number>,
  options: IMtmOptions = {},
): IMtmResult {
  if (gtLipDistance.length === 0 || predLipDistance.length === 0) {
    throw new MetricInputError(
      `meanTemporalMisalignment: expected non-empty signals, got lengths ${gtLipDistance.length} and ${predLipDistance.length}.`,
    );
  }
  _assertFinite(gtLipDistance, 'meanTemporalMisalignment (gt)');
  _assertFinite(predLipDistance, 'meanTemporalMisalignment (pred)');
  const sigma = options.sigmaFrames ?? 2;
  if (!(sigma > 0))
    throw new MetricInputError(`meanTemporalMisalignment: expected sigmaFrames > 0, got ${sigma}.`);
  if (options.fps !== undefined && !(options.fps > 0 && Number.isFinite(options.fps))) {
    throw new MetricInputError(`meanTemporalMisalignment: expected fps > 0 in Hz, got ${options.fps}.`);
  }
  const gtSmoothed = gaussianFilter1d(gtLipDistance, sigma);
  const predSmoothed = gaussianFilter1d(predLipDistance, sigma);
  const { path } = derivativeDtw(gtSmoothed, predSmoothed);
  const gtMap = extremaOf(gtSmoothed);
  const predMap = extremaOf(predSmoothed);
  const gtExtrema = sortedExtrema(gtMap);
  const gtOrder = new Map(gtExtrema.map((e, k) => [e.index, k]));
  const deltas: number[] = [];
  const pairs: Array<[number, number]> = [];
  for (const [g, p] of path) {
    const kind = gtMap.get(g);
    if (kind === undefined || predMap.get(p) !== kind) continue;
    const pos = gtOrder.get(g) as number;
    const left = pos > 0 ? gtExtrema[pos - 1].index : 0;
    const right = pos < gtExtrema.length - 1 ? gtExtrema[pos + 1].index : gtSmoothed.length - 1;
    if (left <= p && p <= right) {
      deltas.push(Math.abs(g - p));
      pairs.push([g, p]);
    }
  }
  let mtmFrames: number | null = null;
  if (deltas.length > 0) {
    let sum = 0;
    for (const d of deltas) sum += d;
    mtmFrames = sum / deltas.length;
  }
  const mtmMs = mtmFrames !== null && options.fps ? (mtmFrames * 1000) / options.fps : null;
  return {
    mtmFrames,
    mtmMs,
    matches: deltas.length,
    deltas,
    pairs,
    gtSmoothed,
    predSmoothed,
    gtExtrema,
    predExtrema: sortedExtrema(predMap),
    path,
  };
}

/**
 * Overall MTM over clips: the mean of the per-clip means (not over all matches), skipping clips with no
 * match, as the paper's script does.
 * @param perClipFrames defines each clip's mtmFrames (null for clips without matches)
 * @returns the mean in frames, or null when no clip matched
 */
export function overallMtm(perClipFrames: ReadonlyArray<number | null>): number | null {
  const valid = perClipFrames.filter((v): v is number => v !== null);
  if (valid.length === 0) return null;
  return valid.reduce((a, b) => a + b, 0) / valid.length;
}
