/**
 * Bakes one audio file into a lips-v1 track JSON file as a stream: decode → resample to 16 kHz → log-mel
 * → generator → JSON, a few hundred milliseconds of audio at a time, so memory stays flat for hour-long
 * files (issue #16 measured 536 MB for 10 minutes when everything was held). The result equals the
 * whole-file path (`generateLipsTrackAsync`: same resampler, features, look-ahead padding and frame
 * count; the stateful generator streams to < 1e-6 m of its offline output) and the JSON is the shape
 * `lipsTrackToJson` writes. The track goes to `<out>.partial` and is renamed when complete.
 */
import { open, rename, rm } from 'node:fs/promises';
import { FEATURES_V1 } from '../features/featureSpec.ts';
import { StreamingResampler } from '../features/resampleTo16k.ts';
import { StreamingLogMel } from '../features/streamingLogMel.ts';
import { createGeneratorStream } from '../models/generatorRunners.ts';
import { lipsTrackToJson } from '../models/lipsTrackJson.ts';
import { StreamedSilenceGate } from '../playout/lipsPostProcess.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import { readAudioChunks } from './audioFile/readAudioChunks.ts';
import type { IBakeModel } from './loadBakeModel.ts';

const SR = FEATURES_V1.sampleRateHz;
const HOP = FEATURES_V1.hopLengthSamples;
/** 16 kHz samples fed per step (0.256 s → 25 mel frames), well inside the generator's backlog bound. */
const STEP = 4096;
/** Mel frames the generator may hold before dropping (it never should here: pumped after every step). */
const MAX_BACKLOG_FRAMES = 1000;

/** What a bake produced. */
export interface IBakeResult {
  /** Frames written. */
  readonly frames: number;
  /** Frames per second. */
  readonly fps: number;
  /** Audio duration, seconds. */
  readonly durationSec: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * @param audioPath defines the audio file (wav, FLAC, Ogg Vorbis/Opus, MP3)
 * @param outPath defines the track file to write
 * @param model defines the loaded generator
 * @param onProgress defines a callback with the seconds of audio done so far
 * @returns frames, fps and duration
 * @throws AudioFileError for unreadable audio (nothing is left at `outPath`)
 */
export async function bakeAudioFileAsync(
  audioPath: string,
  outPath: string,
  model: IBakeModel,
  onProgress?: (seconds: number) => void,
): Promise<IBakeResult> {
  const g = model.generator;
  const fps = g.frameRateHz;
  const partial = `${outPath}.partial`;
  const out = await open(partial, 'w');
  let written = 0;
  let maxFrames = Infinity; // known once the audio has ended
  let pending = ''; // JSON written per step, not per frame
  // The live player's and the browser bake's silence gate: digital silence shows the rest pose.
  const gate = new StreamedSilenceGate(g.melFramesPerOutputFrame * HOP, LIPS_V1_VALUES);
  const writeBlock = async (first: number, count: number, displacements: Float32Array): Promise<void> => {
    if (first !== written)
      throw new Error(`bake: generator output ${first} follows ${written} (internal error).`);
    const n = Math.max(0, Math.min(count, maxFrames - written));
    if (n === 0) return;
    const gated = gate.gateNext(displacements, n);
    const frames = lipsTrackToJson({ frames: n, fps, displacements: gated }).frames.map((f) =>
      JSON.stringify(f),
    );
    pending += (written === 0 ? '' : ',') + frames.join(',');
    written += n;
    if (pending.length > 1 << 16) {
      await out.write(pending);
      pending = '';
    }
  };

  const logMel = new StreamingLogMel(FEATURES_V1);
  const generator = createGeneratorStream(
    g,
    { session: model.session, template: model.template },
    MAX_BACKLOG_FRAMES,
  );
  const pump = async (): Promise<void> => {
    for (let block = await generator.pumpAsync(); block; block = await generator.pumpAsync()) {
      if (block.droppedOutputs > 0) throw new Error('bake: the generator dropped frames (internal error).');
      await writeBlock(block.firstOutput, block.outputs, block.displacements);
    }
  };
  let fed16 = 0;
  let limit16 = Infinity; // the resampled length, known at the end
  const feed16 = async (x: Float32Array): Promise<void> => {
    for (let i = 0; i < x.length && fed16 < limit16; i += STEP) {
      const piece = x.slice(i, Math.min(x.length, i + STEP, i + (limit16 - fed16)));
      // Non-finite samples (a broken file) become silence, as in the whole-file path.
      for (let j = 0; j < piece.length; j++) if (!Number.isFinite(piece[j])) piece[j] = 0;
      fed16 += piece.length;
      gate.addSamples(piece);
      const block = logMel.push(piece);
      if (block) {
        generator.appendMel(block.data, block.frames);
        await pump();
      }
    }
  };

  try {
    await out.write(`{"layout":"lips-v1","fps":${JSON.stringify(fps)},"frames":[`);
    let rate = 0;
    let inSamples = 0;
    let resampler: StreamingResampler | null = null;
    let resampled = new Float32Array(0);
    let produced = 0; // resampler outputs, latency included
    const resample = async (x: Float32Array): Promise<void> => {
      if (!resampler) return feed16(x);
      const need = resampler.maxOutputLength(x.length);
      if (resampled.length < need) resampled = new Float32Array(need);
      const n = resampler.push(x, resampled);
      const skip = Math.max(0, Math.min(n, resampler.latencySamples - produced)); // the filter's delay
      produced += n;
      await feed16(resampled.subarray(skip, n));
    };
    for await (const chunk of readAudioChunks(audioPath)) {
      if (rate === 0) {
        rate = chunk.sampleRateHz;
        resampler = rate === SR ? null : new StreamingResampler(rate, SR);
      }
      inSamples += chunk.samples.length;
      await resample(chunk.samples);
      onProgress?.(inSamples / rate);
    }
    // The end: exactly the whole-file resampler's length (its tail flushed with zeros), then the silence
    // that completes the last frames' analysis window and look-ahead, then only the frames the audio spans.
    const length16 =
      rate === 0
        ? 0
        : resampler
          ? Math.ceil((inSamples * (SR / gcd(rate, SR))) / (rate / gcd(rate, SR)))
          : inSamples;
    limit16 = length16;
    if (resampler) {
      const zeros = new Float32Array(1024);
      while (fed16 < limit16) await resample(zeros);
    }
    if (fed16 !== length16)
      throw new Error(`bake: ${fed16} samples at 16 kHz, ${length16} expected (internal error).`);
    limit16 = Infinity;
    maxFrames = Math.ceil((length16 / SR) * fps);
    const k = g.melFramesPerOutputFrame;
    await feed16(new Float32Array(FEATURES_V1.frameLengthSamples + (g.lookaheadFrames + k) * HOP));
    await pump();
    if (written !== maxFrames) {
      throw new Error(`bake: ${written} frames generated, ${maxFrames} expected (internal error).`);
    }
    await out.write(`${pending}]}`);
    await out.close();
    await rename(partial, outPath);
    return { frames: written, fps, durationSec: rate === 0 ? 0 : inSamples / rate };
  } catch (e) {
    await out.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw e;
  }
}
