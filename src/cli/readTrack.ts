/**
 * Loads the CLI's inputs: a 1-D lip-distance signal or a point sequence, from .npy or .json.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { FLAME_VERTEX_COUNT } from '../metrics/flameRegions.ts';
import { LIPS_V1_POINTS } from '../metrics/lipsV1Layout.ts';
import { MetricInputError } from '../metrics/metricInputError.ts';
import type { LipLayout } from '../metrics/lipLayout.ts';
import { toVertexSequence, type VertexSequence } from '../metrics/vertexSequence.ts';
import { CliError } from './cliError.ts';
import { readNpy } from './readNpy.ts';

/** What a track file holds. */
export type Track =
  | { kind: 'signal'; signal: Float64Array; fps?: number }
  | { kind: 'sequence'; sequence: VertexSequence; layout?: LipLayout; fps?: number };

/** Layout implied by a point count: 21 → lips-v1, 5023 → flame. */
export function inferLayout(points: number): LipLayout | undefined {
  return points === LIPS_V1_POINTS ? 'lips-v1' : points === FLAME_VERTEX_COUNT ? 'flame' : undefined;
}

function fromArray(values: ArrayLike<number>, shape: number[], path: string): Track {
  if (shape.length === 1) {
    const signal = Float64Array.from(values);
    if (!signal.every(Number.isFinite)) throw new CliError(`${path}: contains NaN or infinite values.`);
    return { kind: 'signal', signal };
  }
  const points =
    shape.length === 3 && shape[2] === 3
      ? shape[1]
      : shape.length === 2 && shape[1] % 3 === 0
        ? shape[1] / 3
        : 0;
  if (points === 0) {
    throw new CliError(`${path}: expected shape (T,), (T, P, 3) or (T, P·3), got (${shape.join(', ')}).`);
  }
  const sequence = toVertexSequence(values, points);
  return { kind: 'sequence', sequence, layout: inferLayout(points) };
}

function shapeOfNested(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

function fromJson(value: unknown, path: string): Track {
  let frames: unknown = value;
  let layout: LipLayout | undefined;
  let fps: number | undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as { layout?: unknown; fps?: unknown; frames?: unknown };
    if (o.layout !== undefined && o.layout !== 'lips-v1' && o.layout !== 'flame') {
      throw new CliError(
        `${path}: expected "layout" to be "lips-v1" or "flame", got ${JSON.stringify(o.layout)}.`,
      );
    }
    layout = o.layout as LipLayout | undefined;
    if (o.fps !== undefined && !(typeof o.fps === 'number' && o.fps > 0)) {
      throw new CliError(`${path}: expected "fps" to be a positive number, got ${JSON.stringify(o.fps)}.`);
    }
    fps = o.fps as number | undefined;
    frames = o.frames;
  }
  if (!Array.isArray(frames) || frames.length === 0) {
    throw new CliError(`${path}: expected a non-empty JSON array or {"layout", "fps", "frames": [...]}.`);
  }
  const shape = shapeOfNested(frames);
  const flat = (frames as unknown[]).flat(shape.length) as unknown[];
  const expected = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== expected || !flat.every((x) => typeof x === 'number')) {
    throw new CliError(`${path}: expected a rectangular array of numbers of shape (${shape.join(', ')}).`);
  }
  const track = fromArray(flat as number[], shape, path);
  if (track.kind === 'sequence') {
    return { ...track, layout: layout ?? track.layout, fps };
  }
  return { ...track, fps };
}

/**
 * Reads a track file by extension: `.npy` (float32/float64) or `.json` (plain nested arrays, or the
 * lips-v1 track object `{"layout": "lips-v1", "fps": f, "frames": [[[x, y, z] × 21], …]}`).
 * @param path defines the file path
 * @returns a 1-D signal or a point sequence
 * @throws CliError when the file is missing, malformed or holds NaN
 */
export function readTrack(path: string): Track {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CliError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  }
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.npy') {
      const { shape, data } = readNpy(bytes, path);
      return fromArray(data, shape, path);
    }
    if (ext === '.json') {
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder().decode(bytes));
      } catch (e) {
        throw new CliError(`${path}: invalid JSON (${(e as Error).message}).`);
      }
      return fromJson(value, path);
    }
  } catch (e) {
    if (e instanceof MetricInputError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
  throw new CliError(`${path}: expected a .npy or .json file, got '${ext || 'no extension'}'.`);
}
