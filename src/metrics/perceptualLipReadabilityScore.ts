/**
 * PLRS — Perceptual Lip Readability Score (paper §2): agreement of speech and mesh embeddings over
 * 5-frame windows. Unitless in [−1, 1]; higher is better.
 */
import { MetricInputError, _assertFinite } from './metricInputError.ts';
import { _checkSequence, type VertexSequence } from './vertexSequence.ts';

/** The two encoders of the speech–mesh representation, injected so the metric runs without ORT. */
export interface IPlrsEncoders {
  /** Embeds one speech window (`windowFrames·samplesPerFrame` samples, 3200 by default). */
  encodeSpeech: (speechWindow: Float32Array) => Float32Array;
  /** Embeds one mesh window (`windowFrames × points × 3` coordinates, flattened). */
  encodeMesh: (meshWindow: Float32Array) => Float32Array;
}

/** Options of perceptualLipReadabilityScore. */
export interface IPlrsOptions {
  /** Mesh frames per window (and the window stride). @default 5 */
  windowFrames?: number;
  /** Audio samples per mesh frame: the audio must be at samplesPerFrame·fps Hz. @default 640 */
  samplesPerFrame?: number;
}

/** Result of perceptualLipReadabilityScore for one clip. */
export interface IPlrsResult {
  /** Mean cosine similarity over windows, or null when the clip is shorter than one window. */
  score: number | null;
  /** Cosine similarity of each window. */
  similarities: Float64Array;
}

function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) {
    throw new MetricInputError(
      `perceptualLipReadabilityScore: embeddings differ in size (${a.length} vs ${b.length}).`,
    );
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa === 0 || bb === 0)
    throw new MetricInputError('perceptualLipReadabilityScore: an encoder returned a zero vector.');
  return ab / Math.sqrt(aa * bb);
}

/**
 * PLRS of one clip, windowed as evaluation/evaluate_PLRS.py: audio windows of windowFrames·samplesPerFrame
 * samples with a stride of samplesPerFrame; clip_num = min(#audio windows, T − windowFrames + 1); then
 * non-overlapping windows i = 0 … ⌊clip_num/windowFrames⌋ − 1 pair audio window windowFrames·i with mesh
 * frames [windowFrames·i, windowFrames·(i+1)). Score = mean cosine similarity.
 * @param speech defines mono audio at samplesPerFrame·fps Hz (16 kHz for 25 fps; 19.2 kHz for 30 fps)
 * @param mesh defines the mesh sequence (absolute positions, as the encoder was trained on)
 * @param encoders defines the speech and mesh encoders
 * @param options defines the window geometry
 * @returns the score (higher is better) and per-window similarities
 * @throws MetricInputError on NaN input or mismatched embeddings
 */
export function perceptualLipReadabilityScore(
  speech: Float32Array,
  mesh: VertexSequence,
  encoders: IPlrsEncoders,
  options: IPlrsOptions = {},
): IPlrsResult {
  const frames = options.windowFrames ?? 5;
  const spf = options.samplesPerFrame ?? 640;
  if (!Number.isInteger(frames) || frames < 1 || !Number.isInteger(spf) || spf < 1) {
    throw new MetricInputError(
      `perceptualLipReadabilityScore: expected positive integer window sizes, got ${frames} and ${spf}.`,
    );
  }
  _assertFinite(speech, 'perceptualLipReadabilityScore (speech)');
  _checkSequence(mesh, 'perceptualLipReadabilityScore (mesh)');
  const windowSamples = frames * spf;
  const audioWindows =
    speech.length < windowSamples ? 0 : Math.floor((speech.length - windowSamples) / spf) + 1;
  const clipNum = Math.max(0, Math.min(audioWindows, mesh.frames - frames + 1));
  const count = Math.floor(clipNum / frames);
  const similarities = new Float64Array(count);
  const perFrame = mesh.points * 3;
  for (let i = 0; i < count; i++) {
    const speechWindow = speech.slice(i * windowSamples, (i + 1) * windowSamples);
    const meshWindow = Float32Array.from(
      mesh.data.subarray(i * frames * perFrame, (i + 1) * frames * perFrame),
    );
    similarities[i] = cosine(encoders.encodeSpeech(speechWindow), encoders.encodeMesh(meshWindow));
  }
  let score: number | null = null;
  if (count > 0) score = similarities.reduce((a, b) => a + b, 0) / count;
  return { score, similarities };
}
