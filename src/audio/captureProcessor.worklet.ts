/**
 * @file The capture AudioWorklet processor (`dist/capture-processor.js`): downmix to mono, stream-resample
 * to 16 kHz and post 10 ms chunks (`AudioChunk`) to the inference worker through a transferred
 * MessagePort. `process()` never allocates in steady state: chunk buffers come from a pool that the
 * worker refills by sending each buffer back after use.
 *
 * Chunk times are `start + samples emitted / 16 kHz`, so the stream must cover every render quantum
 * since the start: quanta in which the input carried no channels (a source not started yet, a paused
 * media element, a finished buffer: Chromium then hands the processor an empty input) count as silence.
 * Skipping them instead shifted every later chunk early by the pause (70 ms measured after a buffer
 * started 1.5 s late), and lips drifted ahead of the speech after each pause of a played source.
 * @module capture-processor
 */
import { StreamingResampler } from '../features/resampleTo16k.ts';
import { CAPTURE_PROCESSOR_NAME } from './captureProcessorName.ts';

const OUT_RATE = 16000;
const CHUNK = 160; // 10 ms at 16 kHz
const MAX_QUANTUM = 4096; // render quanta are 128 today; the spec allows them to become configurable
const POOL = 32;

class CaptureProcessor extends AudioWorkletProcessor {
  private readonly _resampler = new StreamingResampler(sampleRate, OUT_RATE);
  private readonly _mono = new Float32Array(MAX_QUANTUM);
  private readonly _resampled = new Float32Array(this._resampler.maxOutputLength(MAX_QUANTUM));
  private readonly _pool: Float32Array[] = [];
  private _chunk: Float32Array | null = null;
  private _fill = 0;
  private _emitted = 0; // 16 kHz samples posted so far
  private _startTime = -1; // context time of the first input sample
  private _startFrame = -1; // context frame of the first input sample
  private _consumed = 0; // input frames (real or silence) resampled since the start
  private _dataPort: MessagePort | null = null;
  private _allocations = 0;
  private _stopped = false;

  constructor() {
    super();
    for (let i = 0; i < POOL; i++) this._pool.push(new Float32Array(CHUNK));
    this.port.onmessage = (e: MessageEvent<{ type: 'connect'; port: MessagePort } | { type: 'stop' }>) => {
      if (e.data.type === 'connect') {
        this._dataPort?.close(); // a worker restart brings a new channel
        this._dataPort = e.data.port;
        this._dataPort.onmessage = (m: MessageEvent<Float32Array>) => {
          if (m.data instanceof Float32Array && m.data.length === CHUNK && this._pool.length < POOL * 2)
            this._pool.push(m.data);
        };
      } else if (e.data.type === 'stop') {
        this._stopped = true;
        this._dataPort?.close();
        this._dataPort = null;
      }
    };
  }

  process(inputs: Float32Array[][]): boolean {
    if (this._stopped) return false;
    if (!this._dataPort) return true;
    const channels = inputs[0];
    const active = !!channels && channels.length > 0;
    if (this._startFrame < 0) {
      if (!active) return true;
      this._startFrame = currentFrame;
      this._startTime = currentTime;
    }
    // Quanta since the last one with input (inactive input, or quanta this processor never saw).
    const missing = currentFrame - this._startFrame - this._consumed;
    if (missing > 0) this._resampleSilence(missing);
    if (!active) return true;
    const n = Math.min(channels[0].length, MAX_QUANTUM);
    const mono = this._mono;
    const scale = 1 / channels.length;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < channels.length; c++) s += channels[c][i];
      s *= scale;
      // A broken source (NaN, ±Infinity, far beyond full scale) must not poison the resampler's
      // history: NaN becomes silence, the rest is clipped to full scale as a converter would.
      mono[i] = s > 1 ? 1 : s < -1 ? -1 : s === s ? s : 0;
    }
    this._resample(mono.subarray(0, n));
    return true;
  }

  private _resample(input: Float32Array): void {
    this._consumed += input.length;
    const produced = this._resampler.push(input, this._resampled);
    for (let i = 0; i < produced; i++) {
      if (!this._chunk) this._chunk = this._takeBuffer();
      this._chunk[this._fill++] = this._resampled[i];
      if (this._fill === CHUNK) this._post();
    }
  }

  private _resampleSilence(frames: number): void {
    const zeros = this._mono.fill(0);
    for (let left = frames; left > 0; left -= MAX_QUANTUM)
      this._resample(zeros.subarray(0, Math.min(left, MAX_QUANTUM)));
  }

  private _takeBuffer(): Float32Array {
    const b = this._pool.pop();
    if (b) return b;
    this._allocations++; // the worker is slow to return buffers; reported, never fatal
    return new Float32Array(CHUNK);
  }

  private _post(): void {
    const samples = this._chunk as Float32Array;
    const firstSample = this._emitted;
    // Output sample n of the resampler shows the input at (n - latency) / 16 kHz after the start.
    const contextTimeSec = this._startTime + (firstSample - this._resampler.latencySamples) / OUT_RATE;
    this._dataPort?.postMessage({ samples, firstSample, contextTimeSec, allocations: this._allocations }, [
      samples.buffer,
    ]);
    this._emitted += CHUNK;
    this._chunk = null;
    this._fill = 0;
  }
}

registerProcessor(CAPTURE_PROCESSOR_NAME, CaptureProcessor);
