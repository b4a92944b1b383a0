/**
 * @file AudioWorklet of the loudness-envelope baseline: posts `{ timeSec, opening }` every 20 ms window
 * (audio-clock time of the window's end). Also the bench's onset tap: posts `{ onsetSec }` for each
 * sharp onset (bench/lib/onsetDetector.ts), stamped on the audio clock of the sample's arrival, and
 * `{ quantumFrames }` once (the render quantum it runs in).
 */
import { OnsetDetector } from '../lib/onsetDetector.ts';
import { rmsToOpening, RMS_WINDOW_SEC } from './rmsEnvelope.ts';

class RmsEnvelopeProcessor extends AudioWorkletProcessor {
  private readonly _window = Math.round(RMS_WINDOW_SEC * sampleRate);
  private _energy = 0;
  private _count = 0;
  private readonly _onsets = new OnsetDetector(sampleRate);
  private _first = -1;

  process(inputs: Float32Array[][]): boolean {
    const x = inputs[0]?.[0];
    if (!x) return true;
    if (this._first < 0) {
      this._first = currentFrame;
      this.port.postMessage({ quantumFrames: x.length }); // the render quantum, for the timing chain
    }
    const t0 = currentTime;
    // The detector counts samples from the first quantum; convert back to this quantum's offset.
    const base = currentFrame - this._first;
    this._onsets.push(x, (idx) => this.port.postMessage({ onsetSec: t0 + (idx - base) / sampleRate }));
    for (let i = 0; i < x.length; i++) {
      this._energy += x[i] * x[i];
      if (++this._count === this._window) {
        const opening = rmsToOpening(Math.sqrt(this._energy / this._count));
        this.port.postMessage({ timeSec: t0 + (i + 1) / sampleRate, opening });
        this._energy = 0;
        this._count = 0;
      }
    }
    return true;
  }
}

registerProcessor('bench-rms-envelope', RmsEnvelopeProcessor);
