/**
 * The lips-v1 track file format, shared by the CLI (`perceptual-lipsync bake` writes it, `evaluate` reads
 * it) and the behavior (`PerceptualLipSyncBehavior.bakeAsync` returns it), so both produce the same JSON.
 */
import { LIPS_V1_POINTS, LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
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
 * Converts a generated track to its JSON shape, rounded to 0.1 µm (far below anything visible) so
 * files stay small.
 * @param track defines the track (`frames × 63` points)
 * @returns the JSON-ready object
 */
export function lipsTrackToJson(track: Pick<ILipsTrack, 'frames' | 'fps' | 'points'>): ILipsTrackJson {
  const frames: number[][][] = [];
  for (let f = 0; f < track.frames; f++) {
    const pts: number[][] = [];
    for (let p = 0; p < LIPS_V1_POINTS; p++) {
      const o = f * LIPS_V1_VALUES + p * 3;
      pts.push(
        [track.points[o], track.points[o + 1], track.points[o + 2]].map((v) => Math.round(v * 1e7) / 1e7),
      );
    }
    frames.push(pts);
  }
  return { layout: 'lips-v1', fps: track.fps, frames };
}
