/**
 * The one post-processing chain between the generator's frames and the rig solver, shared by live
 * playout (`LipsPlayout`), the browser bake (`bakeLipSyncAsync` → `solveLipsTrackToRig`) and the CLI bake
 * (`bakeAudioFileAsync`), so the three move the lips alike (issue #17). It works on lips-v1 displacements
 * from neutral (the generator's output), so the rest pose is zero: the gain is a plain multiply and the
 * silence gate writes zeros. The neutral pose is added only where positions are needed.
 *
 * silence gate (per generated frame) → sampling lead (ahead by the smoothing lag) → intensity gain →
 * smoothing.
 *
 * Pure and allocation-free per frame: no DOM, no Babylon.
 */
import { applyIntensity } from './applyIntensity.ts';
import { isDigitalSilence } from './silenceGate.ts';
import { DEFAULT_SMOOTHING_MS, Smoothing, smoothingLagSec } from './smoothing.ts';

/** Options of `LipsPostProcessor`. */
export interface ILipsPostProcessOptions {
  /** Scale of the displacement from neutral (1 = as generated). @default 1 */
  readonly intensity: number;
  /** Smoothing time constant, milliseconds (0 = off). @default DEFAULT_SMOOTHING_MS (20) */
  readonly smoothingMs: number;
  /** Time between updates, seconds (the render interval live, `1 / fps` in a bake). */
  readonly updateIntervalSec: number;
}

/** Intensity gain then smoothing, with the sampling lead that cancels the smoothing's lag. */
export class LipsPostProcessor {
  /** Scale of the displacement from neutral; takes effect on the next `process`. */
  intensity: number;
  /**
   * How far ahead of the time shown the frames are sampled, seconds: the smoothing's lag at this update
   * interval (`smoothingLagSec`), so the smoothed lips are not late. The one place it is computed.
   */
  readonly leadSec: number;

  private readonly _smoothing: Smoothing;

  /**
   * @param valuesPerFrame defines the displacements per frame (lips-v1: `LIPS_V1_VALUES`, 63)
   * @param options defines gain, smoothing and update interval
   * @throws RangeError for a non-finite intensity or a negative smoothing time constant
   */
  constructor(valuesPerFrame: number, options: Partial<ILipsPostProcessOptions> = {}) {
    const smoothingMs = options.smoothingMs ?? DEFAULT_SMOOTHING_MS;
    this.intensity = options.intensity ?? 1;
    if (!Number.isFinite(this.intensity))
      throw new RangeError(`intensity must be finite, got ${this.intensity}`);
    this._smoothing = new Smoothing(valuesPerFrame, { timeConstantMs: smoothingMs });
    this.leadSec = smoothingLagSec(smoothingMs, options.updateIntervalSec ?? 0);
  }

  /**
   * Applies the gain, then steps the smoothing to `tSec`.
   * @param values defines the sampled frame's displacements
   * @param tSec defines the time of this update, seconds
   * @param out defines where the result is written (may be `values`)
   * @returns `out`
   */
  process(values: Float32Array, tSec: number, out: Float32Array = values): Float32Array {
    if (this.intensity !== 1) applyIntensity(values, this.intensity, out);
    else if (out !== values) out.set(values);
    return this._smoothing.update(out, tSec, out);
  }

  /**
   * Snaps the smoothing to `values` (no gain): an ease that already started from what was shown.
   * @param values defines the values to show
   * @param tSec defines the time of this update, seconds
   * @param out defines where they are written (may be `values`)
   * @returns `out`
   */
  restart(values: Float32Array, tSec: number, out: Float32Array = values): Float32Array {
    this._smoothing.reset();
    return this._smoothing.update(values, tSec, out);
  }

  /** Forgets the smoothing state: the next update snaps to its target. */
  reset(): void {
    this._smoothing.reset();
  }
}

/**
 * The silence gate for one generated frame: digital silence (a muted or idle source, zero padding) shows
 * the rest pose (zero displacement) whatever the model makes of it.
 * @param displacements defines `frames × rest.length` displacements
 * @param frame defines the frame index
 * @param speechRms defines the frame's speech RMS (linear full scale)
 * @param rest defines one frame of zeros (`rest.length` values per frame)
 * @returns the frame's displacements, or `rest` for digital silence (never copied)
 */
export function gatedFrame(
  displacements: Float32Array,
  frame: number,
  speechRms: number,
  rest: Float32Array,
): Float32Array {
  const n = rest.length;
  return isDigitalSilence(speechRms) ? rest : displacements.subarray(frame * n, frame * n + n);
}

/**
 * The silence gate over a whole block, in place: each silent frame's displacements are set to zero.
 * @param displacements defines `frames × valuesPerFrame` displacements (modified)
 * @param speechRms defines one speech RMS per frame
 * @param valuesPerFrame defines the values per frame (lips-v1: 63)
 * @returns `displacements`
 */
export function gateSilentFrames(
  displacements: Float32Array,
  speechRms: ArrayLike<number>,
  valuesPerFrame: number,
): Float32Array {
  const n = valuesPerFrame;
  const frames = Math.min(speechRms.length, Math.floor(displacements.length / n));
  for (let f = 0; f < frames; f++)
    if (isDigitalSilence(speechRms[f])) displacements.fill(0, f * n, f * n + n);
  return displacements;
}

/**
 * The silence gate of a track generated in blocks from streamed audio (the CLI bake): it sums each frame's
 * speech energy from the 16 kHz samples as they are fed, on the whole-file framing (frame j spans samples
 * `[j·span, (j+1)·span)`, RMS over `span`: `generateLipsTrackAsync`'s `speechRms`), and gates the frames
 * as they are written, so the streamed track equals the browser bake's.
 */
export class StreamedSilenceGate {
  private readonly _span: number;
  private readonly _valuesPerFrame: number;
  /** Sum of squares per frame, from frame `_first` on. */
  private _energy: number[] = [];
  private _first = 0;
  private _fed = 0;

  /**
   * @param spanSamples defines the 16 kHz samples per output frame (`melFramesPerOutputFrame × hop`)
   * @param valuesPerFrame defines the displacements per frame (lips-v1: 63)
   * @throws RangeError for a span that is not a positive integer
   */
  constructor(spanSamples: number, valuesPerFrame: number) {
    if (!Number.isInteger(spanSamples) || spanSamples < 1)
      throw new RangeError(`spanSamples must be a positive integer, got ${spanSamples}`);
    this._span = spanSamples;
    this._valuesPerFrame = valuesPerFrame;
  }

  /**
   * Takes the next 16 kHz samples of the audio (non-finite ones already replaced by 0).
   * @param samples defines the samples, in order
   */
  addSamples(samples: ArrayLike<number>): void {
    for (let i = 0; i < samples.length; i++, this._fed++) {
      const f = Math.floor(this._fed / this._span) - this._first;
      if (f < 0) continue; // a frame already written
      const v = samples[i];
      this._energy[f] = (this._energy[f] ?? 0) + v * v;
    }
  }

  /**
   * Gates the next `frames` frames of the track, in place, and forgets their energy.
   * @param displacements defines `frames × valuesPerFrame` displacements (modified)
   * @param frames defines how many frames `displacements` holds
   * @returns `displacements`
   */
  gateNext(displacements: Float32Array, frames: number): Float32Array {
    const rms = new Float32Array(frames);
    for (let j = 0; j < frames; j++) rms[j] = Math.sqrt((this._energy[j] ?? 0) / this._span);
    this._energy = this._energy.slice(frames);
    this._first += frames;
    return gateSilentFrames(displacements, rms, this._valuesPerFrame);
  }
}
