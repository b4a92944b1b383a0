/**
 * Speech / silence gating of the 50 fps frame stream: speech RMS above a threshold, held for a
 * hangover so short pauses between words stay inside one utterance. Pure and allocation-free.
 */

/** Options of `SpeechSegmenter`. */
export interface ISpeechSegmenterOptions {
  /** Frame speech RMS (linear full scale) above which a frame is speech. @default 0.01 (−40 dBFS) */
  readonly thresholdRms: number;
  /** Frames a pause may last inside an utterance (hangover). @default 15 (300 ms at 50 fps) */
  readonly hangoverFrames: number;
  /** Speech frames an utterance needs to count (shorter bursts are clicks). @default 5 (100 ms) */
  readonly minSpeechFrames: number;
}

/** Defaults of `ISpeechSegmenterOptions`. */
export const DEFAULT_SPEECH_SEGMENTER_OPTIONS: Readonly<ISpeechSegmenterOptions> = Object.freeze({
  thresholdRms: 0.01,
  hangoverFrames: 15,
  minSpeechFrames: 5,
});

/**
 * What one frame did: `silence` outside speech; `speech` inside an utterance (a speech frame or a
 * pause within the hangover); `end` on the frame the hangover ran out, closing the utterance.
 */
export type SpeechGateEvent = 'silence' | 'speech' | 'end';

/** Utterance segmentation over consecutive frames. */
export class SpeechSegmenter {
  private readonly _o: ISpeechSegmenterOptions;
  private _active = false;
  private _silentRun = 0;
  private _speechFrames = 0;
  private _frame = -1;
  private _start = -1;
  private _lastSpeech = -1;

  /**
   * @param options defines threshold, hangover and minimum length
   * @throws RangeError for a negative or non-finite setting
   */
  constructor(options: Partial<ISpeechSegmenterOptions> = {}) {
    this._o = { ...DEFAULT_SPEECH_SEGMENTER_OPTIONS, ...options };
    for (const k of ['thresholdRms', 'hangoverFrames', 'minSpeechFrames'] as const) {
      if (!(this._o[k] >= 0 && Number.isFinite(this._o[k])))
        throw new RangeError(`SpeechSegmenter: ${k} must be finite and ≥ 0, got ${this._o[k]}`);
    }
  }

  /** True while inside an utterance (speech or hangover). */
  get active(): boolean {
    return this._active;
  }
  /** Frame count (index of the next frame) pushed so far. */
  get frames(): number {
    return this._frame + 1;
  }
  /** First frame of the current or last utterance. */
  get utteranceStart(): number {
    return this._start;
  }
  /** Last speech frame of the current or last utterance. */
  get utteranceLastSpeech(): number {
    return this._lastSpeech;
  }
  /** Speech frames (above threshold) in the current or last utterance. */
  get utteranceSpeechFrames(): number {
    return this._speechFrames;
  }
  /** True when the current or last utterance had enough speech frames to count. */
  get utteranceCounts(): boolean {
    return this._speechFrames >= this._o.minSpeechFrames;
  }

  /**
   * Pushes the next frame's speech RMS.
   * @param rms defines the frame's speech RMS, linear full scale (non-finite counts as silence)
   * @returns what the frame did
   */
  push(rms: number): SpeechGateEvent {
    this._frame++;
    const voiced = Number.isFinite(rms) && rms > this._o.thresholdRms;
    if (voiced) {
      if (!this._active) {
        this._active = true;
        this._start = this._frame;
        this._speechFrames = 0;
      }
      this._silentRun = 0;
      this._speechFrames++;
      this._lastSpeech = this._frame;
      return 'speech';
    }
    if (!this._active) return 'silence';
    this._silentRun++;
    if (this._silentRun > this._o.hangoverFrames) {
      this._active = false;
      return 'end';
    }
    return 'speech';
  }

  /** Forgets the current utterance and restarts frame counting. */
  reset(): void {
    this._active = false;
    this._silentRun = 0;
    this._speechFrames = 0;
    this._frame = -1;
    this._start = -1;
    this._lastSpeech = -1;
  }
}
