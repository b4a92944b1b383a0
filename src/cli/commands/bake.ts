/**
 * `perceptual-lipsync bake`: pre-recorded dialogue → lips-v1 track JSON, with the same models and
 * the same code path (features, generator, framing) as the browser runtime.
 */
import { bakeAudioFileAsync } from '../bakeAudioFile.ts';
import type { ICliCommand, ICliIo } from '../cliCommand.ts';
import { defaultManifestPath, loadBakeModelAsync } from '../loadBakeModel.ts';
import { parseCommandArgs } from './parseOptions.ts';

const usage = `Usage: perceptual-lipsync bake --audio in.wav --out track.json [--models models/manifest.json]
  Writes {"layout": "lips-v1", "fps": f, "frames": [[[x,y,z] x 21], ...]} (metres, head frame), frame 0 at audio time 0.
  Audio: wav (integer PCM 8/16/24/32-bit, float 32/64-bit, any channels, 8-96 kHz), FLAC, Ogg Vorbis,
  Ogg Opus, MP3; read as a stream (memory stays flat for hour-long files).
  --models defaults to the manifest shipped with the package.
  A folder of clips in parallel: perceptual-lipsync bake --in-dir clips/ --out-dir tracks/ (see --in-dir).`;

/** The `bake` subcommand. */
export const bakeCommand: ICliCommand = {
  name: 'bake',
  summary: 'Bake a wav file into a lips-v1 track (JSON) with the shipped models',
  usage,
  async runAsync(args: readonly string[], io: ICliIo): Promise<number> {
    const values = parseCommandArgs(
      'bake',
      args,
      { audio: { type: 'string' }, out: { type: 'string' }, models: { type: 'string' } },
      ['audio', 'out'],
    );
    const manifestPath = values.models ?? defaultManifestPath();
    const model = await loadBakeModelAsync(manifestPath);
    try {
      const result = await bakeAudioFileAsync(values.audio, values.out, model);
      io.stdout(`bake: ${result.frames} frames at ${result.fps} fps → ${values.out}`);
    } finally {
      await model.session.releaseAsync();
    }
    return 0;
  },
};
