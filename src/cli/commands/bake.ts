/**
 * `perceptual-lipsync bake`: pre-recorded dialogue → lips-v1 track JSON, with the same models and
 * the same code path (features, generator, framing) as the browser runtime.
 */
import type { LatencyHead } from '../../models/modelManifest.ts';
import { bakeAudioFileAsync } from '../bakeAudioFile.ts';
import type { ICliCommand, ICliIo } from '../cliCommand.ts';
import { defaultManifestPath, loadBakeModelAsync } from '../loadBakeModel.ts';
import { CliError } from '../cliError.ts';
import { runBakeBatchAsync } from './bakeBatch.ts';
import { parseCommandArgs } from './parseOptions.ts';

const usage = `Usage: perceptual-lipsync bake --audio in.wav --out track.json [--models models/manifest.json] [--mode playback]
  Writes {"layout": "lips-v1", "fps": f, "frames": [[[x,y,z] x 21], ...]} (metres, head frame), frame 0 at audio time 0.
  Audio: wav (integer PCM 8/16/24/32-bit, float 32/64-bit, any channels, 8-96 kHz), FLAC, Ogg Vorbis,
  Ogg Opus, MP3; read as a stream (memory stays flat for hour-long files).
  --models defaults to the manifest shipped with the package.
  --mode live|balanced|playback: the generator head (look-ahead) to bake with. Default playback, the most
  look-ahead and the best lips offline (the balanced generator when the models have no playback head);
  live reproduces what the behavior shows for a microphone.

Usage: perceptual-lipsync bake --in-dir clips/ --out-dir tracks/ [--jobs N] [--force] [--models …]
  Bakes every audio file under clips/ (recursively) into tracks/<same path>.json on N worker threads
  (default: the machine's cores), with a progress bar; tracks that exist are skipped (--force redoes them),
  so an interrupted run resumes. Ends with the files that failed and their errors; exit code 1 if any did.
  --mode as above.`;

const HEADS: readonly LatencyHead[] = ['live', 'balanced', 'playback'];

/**
 * The head `--mode` names.
 * @param mode defines the flag's value, undefined when not given
 * @returns the head; playback by default (offline, the most look-ahead costs nothing)
 * @throws CliError for another value
 * @internal
 */
export function parseBakeMode(mode: string | undefined): LatencyHead {
  if (mode === undefined) return 'playback';
  if (!(HEADS as readonly string[]).includes(mode)) {
    throw new CliError(`bake: --mode expects live, balanced or playback, got '${mode}'.`);
  }
  return mode as LatencyHead;
}

/** The `bake` subcommand. */
export const bakeCommand: ICliCommand = {
  name: 'bake',
  summary: 'Bake a wav file into a lips-v1 track (JSON) with the shipped models',
  usage,
  async runAsync(args: readonly string[], io: ICliIo): Promise<number> {
    const values = parseCommandArgs('bake', args, {
      audio: { type: 'string' },
      out: { type: 'string' },
      models: { type: 'string' },
      'in-dir': { type: 'string' },
      'out-dir': { type: 'string' },
      jobs: { type: 'string' },
      force: { type: 'boolean' },
      mode: { type: 'string' },
    });
    const latencyHead = parseBakeMode(values.mode);
    if (values['in-dir'] !== undefined || values['out-dir'] !== undefined) {
      if (!values['in-dir'] || !values['out-dir']) {
        throw new CliError('bake: --in-dir and --out-dir go together (see perceptual-lipsync bake --help).');
      }
      const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
      if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) {
        throw new CliError(`bake: --jobs expects a whole number ≥ 1, got '${values.jobs}'.`);
      }
      return runBakeBatchAsync(
        {
          inDir: values['in-dir'],
          outDir: values['out-dir'],
          manifestPath: values.models ?? defaultManifestPath(),
          latencyHead,
          jobs,
          force: values.force,
          progressBar: process.stderr.isTTY === true,
        },
        io,
      );
    }
    if (!values.audio || !values.out) {
      throw new CliError('bake: --audio and --out are required (see perceptual-lipsync bake --help).');
    }
    const manifestPath = values.models ?? defaultManifestPath();
    const model = await loadBakeModelAsync(manifestPath, latencyHead);
    try {
      const result = await bakeAudioFileAsync(values.audio, values.out, model);
      io.stdout(
        `bake: ${result.frames} frames at ${result.fps} fps (${model.latencyHead} head) → ${values.out}`,
      );
    } finally {
      await model.session.releaseAsync();
    }
    return 0;
  },
};
