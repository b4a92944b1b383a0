/**
 * Plays streamed speech (chunks pushed as they arrive from a voice agent) gaplessly on an AudioContext:
 * each chunk is decoded (`decodePcmChunk`), resampled to the context's rate by one streaming resampler
 * (so joins are continuous however the stream is chunked), and scheduled as an `AudioBufferSourceNode`
 * at the time `PcmStreamScheduler` gives it. `interrupt()` cuts the sound at once (a 3 ms fade, no
 * click) and drops everything queued; the next push starts a new run.
 *
 * **Example:**
 * ```ts
 * const player = new PcmStreamPlayer(context, { sampleRateHz: 24000 });
 * player.output.connect(context.destination);
 * player.start();
 * socket.onmessage = (e) => player.push(e.data); // PCM16 bytes
 * stopButton.onclick = () => player.interrupt();
 * ```
 */
import { AudioChunkError, AudioSourceError } from '../errors.ts';
import { StreamingResampler } from '../features/resampleTo16k.ts';
import { decodePcmChunk, type PcmChunk } from './decodePcmChunk.ts';
import { PcmStreamScheduler } from './pcmStreamScheduler.ts';

/** Options of `PcmStreamPlayer`. */
export interface IPcmStreamPlayerOptions {
  /** Sample rate of the pushed chunks, Hz: an integer in [8000, 96000] (realtime APIs send 16 or 24 kHz). */
  readonly sampleRateHz: number;
  /** Lead of a new run (first chunk, after a gap or an interrupt), ms: the arrival jitter absorbed. @default 120 */
  readonly leadMs: number;
}

/** How long the interrupt fade-out lasts, seconds: short enough to be "at once", long enough not to click. */
const INTERRUPT_FADE_SEC = 0.003;

/** Plays pushed chunks gaplessly into `output`; see the file comment. */
export class PcmStreamPlayer {
  /** The node carrying the scheduled audio (mono); connect it onwards. */
  readonly output: GainNode;
  /** Sample rate of the pushed chunks, Hz. */
  readonly sampleRateHz: number;

  private readonly _context: BaseAudioContext;
  private readonly _scheduler: PcmStreamScheduler;
  private readonly _resampler: StreamingResampler;
  private readonly _nodes = new Set<AudioBufferSourceNode>();
  /** Resampled chunks pushed before `start()`. */
  private _held: Float32Array<ArrayBuffer>[] | null = [];
  private _closed = false;

  /**
   * @param context defines the context to play in
   * @param options defines the chunks' sample rate and the lead
   * @throws AudioSourceError when the sample rate is not an integer in [8000, 96000] Hz
   */
  constructor(
    context: BaseAudioContext,
    options: Partial<IPcmStreamPlayerOptions> & Pick<IPcmStreamPlayerOptions, 'sampleRateHz'>,
  ) {
    const rate = options.sampleRateHz;
    if (!Number.isInteger(rate) || rate < 8000 || rate > 96000) {
      throw new AudioSourceError(
        `pcmStream sampleRateHz = ${rate} is not supported: expected an integer in [8000, 96000] Hz ` +
          '(the rate the voice API sends, e.g. 24000 for PCM16 at 24 kHz).',
      );
    }
    this._context = context;
    this.sampleRateHz = rate;
    this._scheduler = new PcmStreamScheduler({
      sampleRateHz: context.sampleRate,
      leadMs: options.leadMs ?? 120,
    });
    this._resampler = new StreamingResampler(rate, context.sampleRate);
    this.output = new GainNode(context);
  }

  /** Runs started because the queue ran dry between chunks (the listener heard a gap). */
  get underruns(): number {
    return this._scheduler.underruns;
  }

  /** Audio queued ahead of the context's current time, seconds. */
  get queuedSec(): number {
    return this._scheduler.queuedSec(this._context.currentTime);
  }

  /**
   * Queues a chunk to play right after the audio already queued (or `leadMs` from now after a gap).
   * Before `start()` chunks are held and then played from `start()` on.
   * @param chunk defines mono samples at `sampleRateHz` (PCM16 `Int16Array` or little-endian bytes, or `Float32Array`)
   * @throws AudioChunkError for a malformed chunk (odd PCM16 byte length, NaN) or after `close()`
   */
  push(chunk: PcmChunk): void {
    if (this._closed) {
      throw new AudioChunkError(
        'Audio chunk pushed after the pcmStream source was stopped: start a new one with startAsync({ kind: "pcmStream" }).',
      );
    }
    const samples = decodePcmChunk(chunk);
    if (samples.length === 0) return;
    const out = new Float32Array(this._resampler.maxOutputLength(samples.length));
    const n = this._resampler.push(samples, out);
    if (n === 0) return;
    const resampled = out.subarray(0, n);
    if (this._held) this._held.push(resampled);
    else this._play(resampled);
  }

  /** Starts playing: chunks held since construction play as one run, `leadMs` from now. Idempotent. */
  start(): void {
    const held = this._held;
    if (!held || this._closed) return;
    this._held = null;
    if (held.length === 0) return;
    const all = new Float32Array(held.reduce((a, x) => a + x.length, 0));
    let o = 0;
    for (const x of held) {
      all.set(x, o);
      o += x.length;
    }
    this._play(all);
  }

  /**
   * Stops the sound at once and drops every queued chunk (and the resampler's history); the next push
   * starts a new run `leadMs` later.
   * @returns the context time from which no audio of before the interrupt plays, seconds
   */
  interrupt(): number {
    const now = this._context.currentTime;
    const cut = now + INTERRUPT_FADE_SEC;
    const gain = this.output.gain;
    gain.cancelScheduledValues(now);
    gain.setValueAtTime(1, now);
    gain.linearRampToValueAtTime(0, cut);
    gain.setValueAtTime(1, cut);
    for (const node of this._nodes) {
      try {
        node.stop(cut);
      } catch {
        // not started (cannot happen: nodes are started when created)
      }
    }
    this._nodes.clear();
    if (this._held) this._held.length = 0;
    this._scheduler.interrupt();
    this._resampler.reset();
    return cut;
  }

  /** Stops and disconnects everything; later pushes throw `AudioChunkError`. Idempotent. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    for (const node of this._nodes) {
      try {
        node.stop();
      } catch {
        // already stopped
      }
      node.disconnect();
    }
    this._nodes.clear();
    this._held = null;
    this.output.disconnect();
  }

  private _play(samples: Float32Array<ArrayBuffer>): void {
    const ctx = this._context;
    const buffer = new AudioBuffer({
      length: samples.length,
      sampleRate: ctx.sampleRate,
      numberOfChannels: 1,
    });
    buffer.copyToChannel(samples, 0);
    const node = new AudioBufferSourceNode(ctx, { buffer });
    node.connect(this.output);
    const slot = this._scheduler.schedule(ctx.currentTime, samples.length);
    node.start(slot.startSec);
    this._nodes.add(node);
    node.onended = () => {
      this._nodes.delete(node);
      node.disconnect();
    };
  }
}
