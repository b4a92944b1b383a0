/**
 * `perceptual-lipsync mtm`: MTM between two lip-distance signals (or point sequences).
 */
import { lipDistance } from '../../metrics/lipDistance.ts';
import { meanTemporalMisalignment } from '../../metrics/meanTemporalMisalignment.ts';
import type { ICliCommand, ICliIo } from '../cliCommand.ts';
import { CliError } from '../cliError.ts';
import { readTrack, type Track } from '../readTrack.ts';
import { parseCommandArgs, positiveNumber } from './parseOptions.ts';

const usage = `Usage: perceptual-lipsync mtm --gt a.(json|npy) --pred b.(json|npy) [--fps 25] [--sigma 2] [--json]
  Inputs are 1-D lip-distance arrays (or lips-v1 / FLAME point sequences: the lip distance is taken).
  --json prints {"mtm_frames": x, "matches": n} (x null when nothing matches; "mtm_ms" too with --fps).`;

/** @internal Lip-opening signal of a track (1-D as is; sequences through lipDistance). */
export function signalOf(track: Track, path: string, stride = 1): Float64Array {
  if (track.kind === 'signal')
    return stride === 1 ? track.signal : track.signal.filter((_, i) => i % stride === 0);
  if (!track.layout) {
    throw new CliError(`${path}: cannot tell the layout of ${track.sequence.points} points; pass --layout.`);
  }
  return lipDistance(track.sequence, track.layout, { stride });
}

/** The `mtm` subcommand. */
export const mtmCommand: ICliCommand = {
  name: 'mtm',
  summary: 'Mean Temporal Misalignment (frames) between GT and predicted lip-opening signals',
  usage,
  async runAsync(args: readonly string[], io: ICliIo): Promise<number> {
    const values = parseCommandArgs(
      'mtm',
      args,
      {
        gt: { type: 'string' },
        pred: { type: 'string' },
        fps: { type: 'string' },
        sigma: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      ['gt', 'pred'],
    );
    const fps = values.fps === undefined ? undefined : positiveNumber(values.fps, '--fps');
    const sigma = values.sigma === undefined ? 2 : positiveNumber(values.sigma, '--sigma');
    const gt = signalOf(readTrack(values.gt), values.gt);
    const pred = signalOf(readTrack(values.pred), values.pred);
    const r = meanTemporalMisalignment(gt, pred, { sigmaFrames: sigma, fps });
    if (values.json) {
      const out: Record<string, number | null> = { mtm_frames: r.mtmFrames, matches: r.matches };
      if (fps !== undefined) out.mtm_ms = r.mtmMs;
      io.stdout(JSON.stringify(out));
    } else {
      const ms = r.mtmMs === null ? '' : ` (${r.mtmMs.toFixed(1)} ms)`;
      io.stdout(
        r.mtmFrames === null
          ? `MTM: no matching extrema (0 matches)`
          : `MTM: ${r.mtmFrames.toFixed(3)} frames${ms} over ${r.matches} matches (lower is better)`,
      );
    }
    return 0;
  },
};
