/**
 * Loads the generator a CLI bake runs (Node, onnxruntime-web's wasm backend, one thread): the manifest, the
 * ONNX session and, for `flame-vertices` generators, the neutral FLAME template. One load serves any
 * number of files (batch bake loads it once per worker thread).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadLipSyncModelsAsync } from '../models/loadLipSyncModels.ts';
import type { IGeneratorManifest, LatencyHead } from '../models/modelManifest.ts';
import { configureOnnxRuntime, type IModelSession } from '../models/onnxBackend.ts';
import { CliError } from './cliError.ts';
import { findPackageRoot } from './packageRoot.ts';

/** A loaded generator: release the session when done. */
export interface IBakeModel {
  /** The loaded head's generator entry. */
  readonly generator: IGeneratorManifest;
  /** The head loaded (`balanced` when the manifest lacks the one asked for). */
  readonly latencyHead: LatencyHead;
  readonly session: IModelSession;
  /** The neutral mesh of a `flame-vertices` generator. */
  readonly template?: Float32Array;
}

/** The package's own models/manifest.json. */
export function defaultManifestPath(): string {
  return resolve(findPackageRoot(), 'models', 'manifest.json');
}

/**
 * Loads through the shared model loader (`loadLipSyncModelsAsync`), from disk, on wasm with one thread.
 * @param manifestPath defines the models' manifest.json
 * @param latencyHead defines the generator head (`bake --mode`). @default 'playback' (most look-ahead:
 * offline nothing waits for the lips; the balanced `generator` when the manifest has no playback head)
 * @returns the generator, ready to run
 * @throws CliError when the manifest, the model or the template cannot be read; ModelLoadError when ONNX
 * Runtime cannot load the model
 */
export async function loadBakeModelAsync(
  manifestPath: string,
  latencyHead: LatencyHead = 'playback',
): Promise<IBakeModel> {
  const dir = dirname(manifestPath);
  configureOnnxRuntime({ numThreads: 1 });
  const models = await loadLipSyncModelsAsync(
    {
      async readManifestAsync() {
        try {
          return JSON.parse(readFileSync(manifestPath, 'utf8')) as unknown;
        } catch (e) {
          throw new CliError(
            `bake: cannot read the models manifest ${manifestPath}: ${(e as Error).message}.`,
          );
        }
      },
      readFileAsync: async (file) => readFileSync(resolve(dir, file)),
      fileError: (what, file, e) =>
        what === 'template'
          ? new CliError(
              `bake: cannot read the FLAME template ${resolve(dir, file)}: ${(e as Error).message}`,
            )
          : new CliError(`bake: cannot read the generator ${resolve(dir, file)}: ${(e as Error).message}.`),
    },
    { executionProviders: ['wasm'], telemetryEncoders: false, latencyHead },
  );
  return {
    generator: models.manifest.generator,
    latencyHead: models.latencyHead,
    session: models.generator,
    template: models.template,
  };
}
