/**
 * Rolling SLCC over a session's utterances (paper §4.2 applied live): one (speech intensity, lip
 * intensity) pair per utterance, Pearson r over the most recent ones. Pure.
 */
import { speechLipCorrelation } from '../metrics/speechLipCorrelation.ts';

/** Utterances needed before the rolling SLCC is reported. */
export const MIN_SLCC_UTTERANCES = 3;

/** SLCC over the last `capacity` utterances of one speaker (one session). */
export class RollingSlcc {
  private readonly _si: number[] = [];
  private readonly _li: number[] = [];

  /**
   * @param capacity defines how many recent utterances the coefficient spans. @default 20
   * @throws RangeError when capacity < MIN_SLCC_UTTERANCES
   */
  constructor(private readonly _capacity = 20) {
    if (!(Number.isInteger(_capacity) && _capacity >= MIN_SLCC_UTTERANCES))
      throw new RangeError(
        `RollingSlcc: capacity must be an integer ≥ ${MIN_SLCC_UTTERANCES}, got ${_capacity}`,
      );
  }

  /** Utterances held. */
  get count(): number {
    return this._si.length;
  }

  /**
   * Adds one utterance. Non-finite values are ignored.
   * @param speechIntensity defines the utterance's speech RMS (linear or dB: Pearson is scale-free, but keep one)
   * @param lipIntensity defines the utterance's lip intensity (any fixed unit)
   */
  add(speechIntensity: number, lipIntensity: number): void {
    if (!Number.isFinite(speechIntensity) || !Number.isFinite(lipIntensity)) return;
    this._si.push(speechIntensity);
    this._li.push(lipIntensity);
    if (this._si.length > this._capacity) {
      this._si.shift();
      this._li.shift();
    }
  }

  /**
   * SLCC, Pearson r in [−1, 1], or null with fewer than MIN_SLCC_UTTERANCES utterances or no variance.
   * One speaker, so the paper's per-speaker z-normalisation leaves r unchanged; `speechLipCorrelation`
   * is used as is.
   */
  value(): number | null {
    if (this._si.length < MIN_SLCC_UTTERANCES) return null;
    const rows = this._si.map((s, i) => ({
      speaker: 'session',
      speechIntensity: s,
      lipIntensity: this._li[i],
    }));
    return speechLipCorrelation(rows).overall;
  }

  /** Forgets every utterance. */
  reset(): void {
    this._si.length = 0;
    this._li.length = 0;
  }
}
