/**
 * The lips-v1 track file format, shared by the CLI (`perceptual-lipsync bake` writes it, `evaluate` reads
 * it) and the behavior (`PerceptualLipSyncBehavior.bakeAsync` returns it), so both produce the same JSON.
 */
import { LIPS_V1_NEUTRAL, LIPS_V1_POINTS, LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import type { ILipsTrack } from './generateLipsTrack.ts';

/**
 * A lips-v1 track as JSON: `{"layout": "lips-v1", "fps": f, "frames": [[[x, y, z] × 21], …]}`, absolute
 * positions in metres (head frame), frame 0 at audio time 0.
 */
export interface ILipsTrackJson {
  /** Point layout: `lips-v1` (spec/lips-v1.json). */
  readonly layout: 'lips-v1';
  /** Frames per second. */
  readonly fps: number;
  /** One entry per frame: 21 points of `[x, y, z]` metres. */
  readonly frames: number[][][];
}

/**
 * Converts a generated track to its JSON shape: the one place a track's displacements become positions
 * (`LIPS_V1.neutral` + displacement, summed in float32), rounded to 0.1 µm (far below anything visible)
 * so files stay small.
 * @param track defines the track (`frames × 63` displacements from neutral, the silence gate applied)
 * @returns the JSON-ready object
 */
export function lipsTrackToJson(
  track: Pick<ILipsTrack, 'frames' | 'fps' | 'displacements'>,
): ILipsTrackJson {
  const frames: number[][][] = [];
  const d = track.displacements;
  const position = (i: number): number => Math.fround(LIPS_V1_NEUTRAL[i % LIPS_V1_VALUES] + d[i]);
  for (let f = 0; f < track.frames; f++) {
    const pts: number[][] = [];
    for (let p = 0; p < LIPS_V1_POINTS; p++) {
      const o = f * LIPS_V1_VALUES + p * 3;
      pts.push([position(o), position(o + 1), position(o + 2)].map((v) => Math.round(v * 1e7) / 1e7));
    }
    frames.push(pts);
  }
  return { layout: 'lips-v1', fps: track.fps, frames };
}
