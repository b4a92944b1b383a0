/**
 * Within-clip speech–lip coupling: Pearson r between the speech RMS envelope and per-frame mouth speed.
 * A single-clip companion to SLCC (which correlates whole clips across a corpus); unitless in
 * [−1, 1], better = closer to the ground truth's value on the same audio.
 */
import { pearson } from '../math/pearson.ts';
import { lipLayoutPoints } from './lipLayout.ts';
import { _checkIndices, type IRegionOptions } from './lipVertexError.ts';
import { MetricInputError, _assertFinite } from './metricInputError.ts';
import { _checkSequence, type VertexSequence } from './vertexSequence.ts';

/** Timing of the speech envelope. */
export interface ISpeechEnvelope {
  /** RMS per speech frame (e.g. features/rms on 16 kHz audio). */
  rms: ArrayLike<number>;
  /** Speech frames per second (100 for a 10 ms hop). */
  frameRateHz: number;
  /** Time of speech frame 0's centre in seconds (12.5 ms for 25 ms frames starting at 0). @default 0 */
  offsetSec?: number;
}

/**
 * Pearson r over mesh frames t ≥ 1 between m_t, the mean over mouth points of ‖v_t − v_{t−1}‖, and
 * the speech RMS frame nearest to the motion's time (t − ½)/fps. Frames without speech coverage are
 * skipped.
 * @param speech defines the speech RMS envelope and its timing
 * @param sequence defines the mesh or lips-v1 sequence
 * @param fps defines the sequence frame rate in Hz
 * @param options defines the mouth points (default: the layout's mouth set)
 * @returns r, or null when fewer than 2 frames overlap or either series is constant
 * @throws MetricInputError on NaN or bad rates
 */
export function speechLipFrameCorrelation(
  speech: ISpeechEnvelope,
  sequence: VertexSequence,
  fps: number,
  options: IRegionOptions = {},
): number | null {
  if (!(fps > 0) || !(speech.frameRateHz > 0)) {
    throw new MetricInputError(
      `speechLipFrameCorrelation: expected positive rates, got fps ${fps} and ${speech.frameRateHz} Hz.`,
    );
  }
  _assertFinite(speech.rms, 'speechLipFrameCorrelation (speech)');
  _checkSequence(sequence, 'speechLipFrameCorrelation', 2);
  const indices = options.indices ?? lipLayoutPoints(options.layout ?? 'flame').mouth;
  _checkIndices(indices, sequence.points, 'speechLipFrameCorrelation');
  const offset = speech.offsetSec ?? 0;
  const stride = sequence.points * 3;
  const d = sequence.data;
  const envelope: number[] = [];
  const motion: number[] = [];
  for (let t = 1; t < sequence.frames; t++) {
    const k = Math.round(((t - 0.5) / fps - offset) * speech.frameRateHz);
    if (k < 0 || k >= speech.rms.length) continue;
    let m = 0;
    for (const v of indices) {
      const a = t * stride + v * 3;
      const b = a - stride;
      m += Math.hypot(d[a] - d[b], d[a + 1] - d[b + 1], d[a + 2] - d[b + 2]);
    }
    envelope.push(speech.rms[k]);
    motion.push(m / indices.length);
  }
  return pearson(envelope, motion);
}
