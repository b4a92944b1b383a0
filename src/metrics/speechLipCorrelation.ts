/**
 * SLCC — Speech-Lip intensity Correlation Coefficient (paper §4.2): do louder clips get bigger mouth
 * motion? Unitless in [−1, 1]; better = closer to the reference (GT) SLCC, see deltaSlcc.
 */
import { pearson } from '../math/pearson.ts';
import { MetricInputError } from './metricInputError.ts';

/** One clip of an SLCC evaluation. */
export interface ISlccRow {
  /** Speaker identity; SI and LI are z-normalised within each speaker. */
  speaker: string;
  /** Intensity level (MEAD 'level_1' …) for the per-level coefficients; optional. */
  level?: string;
  /** Speech intensity (see speechIntensity). */
  speechIntensity: number;
  /** Lip intensity (see lipIntensity). */
  lipIntensity: number;
}

/** Result of speechLipCorrelation. */
export interface ISlccResult {
  /** Pearson r over all kept rows, or null when undefined (fewer than 2 rows, or no variance). */
  overall: number | null;
  /** Pearson r within each level's rows, using the global per-speaker z-scores. */
  perLevel: Record<string, number | null>;
  /** Rows kept after z-normalisation (speakers with one clip or constant values are dropped). */
  rows: number;
}

function zScores(values: number[]): number[] {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const std = Math.sqrt(ss / (n - 1)); // pandas' sample std (ddof = 1); NaN for one row
  return values.map((v) => (v - mean) / std);
}

/**
 * SLCC: z-normalise SI and LI within each speaker (ddof = 1), drop rows that become NaN/infinite, then
 * Pearson r between z-SI and z-LI overall and per level.
 * @param rows defines one row per clip (each condition variant is its own row)
 * @returns the coefficients and the number of rows used
 * @throws MetricInputError on NaN intensities
 */
export function speechLipCorrelation(rows: readonly ISlccRow[]): ISlccResult {
  const bySpeaker = new Map<string, number[]>();
  rows.forEach((r, k) => {
    if (!Number.isFinite(r.speechIntensity) || !Number.isFinite(r.lipIntensity)) {
      throw new MetricInputError(
        `speechLipCorrelation: row ${k} (${r.speaker}) has a non-finite intensity (SI ${r.speechIntensity}, LI ${r.lipIntensity}).`,
      );
    }
    const list = bySpeaker.get(r.speaker) ?? [];
    list.push(k);
    bySpeaker.set(r.speaker, list);
  });
  const zs = new Float64Array(rows.length);
  const zl = new Float64Array(rows.length);
  for (const members of bySpeaker.values()) {
    const a = zScores(members.map((k) => rows[k].speechIntensity));
    const b = zScores(members.map((k) => rows[k].lipIntensity));
    members.forEach((k, i) => {
      zs[k] = a[i];
      zl[k] = b[i];
    });
  }
  const kept: number[] = [];
  for (let k = 0; k < rows.length; k++) if (Number.isFinite(zs[k]) && Number.isFinite(zl[k])) kept.push(k);
  const r = (ks: number[]): number | null =>
    pearson(
      ks.map((k) => zs[k]),
      ks.map((k) => zl[k]),
    );
  const perLevel: Record<string, number | null> = {};
  const levels = [
    ...new Set(kept.map((k) => rows[k].level).filter((l): l is string => l !== undefined)),
  ].sort();
  for (const level of levels) perLevel[level] = r(kept.filter((k) => rows[k].level === level));
  return { overall: r(kept), perLevel, rows: kept.length };
}
