/**
 * Loads the generator a CLI bake runs (Node, onnxruntime-web's wasm backend, one thread): the manifest, the
 * ONNX session and, for `flame-vertices` generators, the neutral FLAME template. One load serves any
 * number of files (batch bake loads it once per worker thread).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseFlameTemplate } from '../models/generatorOutput.ts';
import { validateModelManifest, type IGeneratorManifest } from '../models/modelManifest.ts';
import { configureOnnxRuntime, createModelSessionAsync, type IModelSession } from '../models/onnxBackend.ts';
import { CliError } from './cliError.ts';
import { findPackageRoot } from './packageRoot.ts';

/** A loaded generator: release the session when done. */
export interface IBakeModel {
  readonly generator: IGeneratorManifest;
  readonly session: IModelSession;
  /** The neutral mesh of a `flame-vertices` generator. */
  readonly template?: Float32Array;
}

/** The package's own models/manifest.json. */
export function defaultManifestPath(): string {
  return resolve(findPackageRoot(), 'models', 'manifest.json');
}

/**
 * @param manifestPath defines the models' manifest.json
 * @returns the generator, ready to run
 * @throws CliError when the manifest, the model or the template cannot be read; ModelLoadError when ONNX
 * Runtime cannot load the model
 */
export async function loadBakeModelAsync(manifestPath: string): Promise<IBakeModel> {
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new CliError(`bake: cannot read the models manifest ${manifestPath}: ${(e as Error).message}.`);
  }
  const manifest = validateModelManifest(manifestJson);
  const dir = dirname(manifestPath);
  let template: Float32Array | undefined;
  if (manifest.generator.templateFile) {
    const templatePath = resolve(dir, manifest.generator.templateFile);
    try {
      template = parseFlameTemplate(readFileSync(templatePath));
    } catch (e) {
      throw new CliError(`bake: cannot read the FLAME template ${templatePath}: ${(e as Error).message}`);
    }
  }
  const modelPath = resolve(dir, manifest.generator.file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(modelPath);
  } catch (e) {
    throw new CliError(`bake: cannot read the generator ${modelPath}: ${(e as Error).message}.`);
  }
  configureOnnxRuntime({ numThreads: 1 });
  const session = await createModelSessionAsync(bytes, ['wasm'], 'generator');
  return { generator: manifest.generator, session, template };
}
