/**
 * `perceptual-lipsync bake`: pre-recorded dialogue → lips-v1 track JSON, with the same models and
 * the same code path (features, generator, framing) as the browser runtime.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resampleTo16k } from '../../features/resampleTo16k.ts';
import { generateLipsTrackAsync, type ILipsTrack } from '../../models/generateLipsTrack.ts';
import { lipsTrackToJson } from '../../models/lipsTrackJson.ts';
import { validateModelManifest } from '../../models/modelManifest.ts';
import { parseFlameTemplate } from '../../models/generatorOutput.ts';
import { createOfflineGeneratorRunner } from '../../models/generatorRunners.ts';
import { configureOnnxRuntime, createModelSessionAsync } from '../../models/onnxBackend.ts';
import type { ICliCommand, ICliIo } from '../cliCommand.ts';
import { CliError } from '../cliError.ts';
import { readWav } from '../readWav.ts';
import { parseCommandArgs } from './parseOptions.ts';

const usage = `Usage: perceptual-lipsync bake --audio in.wav --out track.json [--models models/manifest.json]
  Writes {"layout": "lips-v1", "fps": f, "frames": [[[x,y,z] x 21], ...]} (metres, head frame), frame 0 at audio time 0.
  --models defaults to the manifest shipped with the package.`;

/** The package's own models/manifest.json (dist/cli.js and src/cli/commands/bake.ts both find it). */
function defaultManifestPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..', '../../..']) {
    const candidate = resolve(here, up, 'models', 'manifest.json');
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new CliError('bake: no models/manifest.json found next to the package; pass --models.');
}

/**
 * Bakes a wav file with the generator of a manifest.
 * @param wavPath defines the audio file
 * @param manifestPath defines the models' manifest.json
 * @returns the track
 */
export async function bakeWavAsync(wavPath: string, manifestPath: string): Promise<ILipsTrack> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(wavPath);
  } catch {
    throw new CliError(`bake: cannot read ${wavPath}.`);
  }
  const wav = readWav(bytes, wavPath);
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new CliError(`bake: cannot read the models manifest ${manifestPath}: ${(e as Error).message}.`);
  }
  const manifest = validateModelManifest(manifestJson);
  const modelPath = resolve(dirname(manifestPath), manifest.generator.file);
  configureOnnxRuntime({ numThreads: 1 });
  const templateFile = manifest.generator.templateFile;
  let template: Float32Array | undefined;
  if (templateFile) {
    const templatePath = resolve(dirname(manifestPath), templateFile);
    try {
      template = parseFlameTemplate(readFileSync(templatePath));
    } catch (e) {
      throw new CliError(`bake: cannot read the FLAME template ${templatePath}: ${(e as Error).message}`);
    }
  }
  const session = await createModelSessionAsync(readFileSync(modelPath), ['wasm'], 'generator');
  try {
    const samples = wav.sampleRateHz === 16000 ? wav.samples : resampleTo16k(wav.samples, wav.sampleRateHz);
    return await generateLipsTrackAsync(
      samples,
      manifest.generator,
      createOfflineGeneratorRunner(manifest.generator, { session, template }),
    );
  } finally {
    await session.releaseAsync();
  }
}

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
    const track = await bakeWavAsync(values.audio, manifestPath);
    writeFileSync(values.out, JSON.stringify(lipsTrackToJson(track)));
    io.stdout(`bake: ${track.frames} frames at ${track.fps} fps → ${values.out}`);
    return 0;
  },
};
