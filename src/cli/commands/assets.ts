/**
 * `perceptual-lipsync assets <dir>`: copies what the browser fetches at run time (worker, capture worklet,
 * the one onnxruntime-web binary with its glue, the models) into a folder the app serves as is, laid out
 * as `assetLayout.ts` says, so `assetBaseUrl` finds them whatever the bundler does with the library.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import {
  ASSET_CAPTURE_PROCESSOR_FILE,
  ASSET_MODELS_DIR,
  ASSET_WORKER_FILE,
  ORT_WASM_FILE,
  ORT_WASM_GLUE_FILE,
} from '../../assetLayout.ts';
import { validateModelManifest } from '../../models/modelManifest.ts';
import type { ICliCommand, ICliIo } from '../cliCommand.ts';
import { CliError } from '../cliError.ts';
import { findPackageRoot } from '../packageRoot.ts';
import { parseCommandArgs } from './parseOptions.ts';

/** File name of the demo avatar in the package's dist/ and in the asset folder. */
export const DEMO_AVATAR_FILE = 'demo-avatar.glb';

const usage = `Usage: perceptual-lipsync assets --out <dir> [--demo-avatar] [--no-models]
  Copies into <dir> what the browser fetches: ${ASSET_WORKER_FILE}, ${ASSET_CAPTURE_PROCESSOR_FILE},
  onnxruntime-web's ${ORT_WASM_FILE} (+ ${ORT_WASM_GLUE_FILE}, fetched only with numThreads > 1) and
  ${ASSET_MODELS_DIR} (manifest, ONNX files, MODEL_CARD.md, NOTICE). Serve <dir> as is (public/ in Vite) and pass
  its URL to the behavior: new PerceptualLipSyncBehavior({ assetBaseUrl: '/lipsync/' }).
  --demo-avatar  also copy ${DEMO_AVATAR_FILE} (ARKit mouth shapes, jaw joint, landmark map in its extras)
  --no-models    leave out models/ (when you serve your own; set modelManifestUrl)`;

/** One file to copy: from (absolute) → to (relative to the asset folder). */
export interface IAssetCopy {
  readonly from: string;
  readonly to: string;
}

/**
 * Lists the files of the asset folder and where they come from in the installed package.
 * @param options defines whether to include the models and the demo avatar
 * @param packageRoot defines the package folder. @default this package's
 * @returns the copies, in the order they are made
 * @throws CliError when the package is not built or onnxruntime-web is not installed
 */
export function listAssetCopies(
  options: { readonly models: boolean; readonly demoAvatar: boolean },
  packageRoot: string = findPackageRoot(),
): IAssetCopy[] {
  const dist = join(packageRoot, 'dist');
  const need = (path: string, what: string): string => {
    if (!existsSync(path))
      throw new CliError(`assets: ${what} is missing (${path}); build the package (npm run build).`);
    return path;
  };
  const copies: IAssetCopy[] = [
    { from: need(join(dist, ASSET_WORKER_FILE), 'the worker bundle'), to: ASSET_WORKER_FILE },
    {
      from: need(join(dist, ASSET_CAPTURE_PROCESSOR_FILE), 'the capture worklet bundle'),
      to: ASSET_CAPTURE_PROCESSOR_FILE,
    },
  ];
  const requireHere = createRequire(join(packageRoot, 'package.json'));
  for (const file of [ORT_WASM_FILE, ORT_WASM_GLUE_FILE]) {
    let from: string;
    try {
      from = requireHere.resolve(`onnxruntime-web/${file}`);
    } catch {
      throw new CliError(
        `assets: onnxruntime-web's ${file} not found; is onnxruntime-web installed next to the package?`,
      );
    }
    copies.push({ from, to: file });
  }
  if (options.models) {
    const modelsDir = join(packageRoot, ASSET_MODELS_DIR);
    const manifestPath = need(join(modelsDir, 'manifest.json'), 'models/manifest.json');
    const manifest = validateModelManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
    const files = [
      'manifest.json',
      manifest.generator.file,
      manifest.generator.templateFile,
      manifest.metricEncoders?.speechFile,
      manifest.metricEncoders?.meshFile,
    ];
    for (const doc of ['MODEL_CARD.md', 'NOTICE']) if (existsSync(join(modelsDir, doc))) files.push(doc);
    for (const file of new Set(files)) {
      if (!file) continue;
      copies.push({ from: need(join(modelsDir, file), `models/${file}`), to: ASSET_MODELS_DIR + file });
    }
  }
  if (options.demoAvatar) {
    copies.push({ from: need(join(dist, DEMO_AVATAR_FILE), 'the demo avatar'), to: DEMO_AVATAR_FILE });
  }
  return copies;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

/** The `assets` subcommand. */
export const assetsCommand: ICliCommand = {
  name: 'assets',
  summary: 'Copy the worker, worklet, onnxruntime-web binary and models into a folder your app serves',
  usage,
  async runAsync(args: readonly string[], io: ICliIo): Promise<number> {
    const values = parseCommandArgs(
      'assets',
      args,
      {
        out: { type: 'string' },
        'demo-avatar': { type: 'boolean' },
        'no-models': { type: 'boolean' },
      },
      ['out'],
    );
    const out = resolve(values.out);
    const copies = listAssetCopies({ models: !values['no-models'], demoAvatar: !!values['demo-avatar'] });
    let total = 0;
    for (const { from, to } of copies) {
      const target = join(out, to);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(from, target);
      const size = statSync(target).size;
      total += size;
      io.stdout(`  ${to.padEnd(40)} ${mb(size).padStart(9)}`);
    }
    const shown = relative(process.cwd(), out);
    io.stdout(
      `assets: ${copies.length} files, ${mb(total)} → ${shown.startsWith('..') ? out : shown || '.'}`,
    );
    io.stdout(
      "Serve that folder as is and pass its URL: new PerceptualLipSyncBehavior({ assetBaseUrl: '/lipsync/' }).",
    );
    return 0;
  },
};
