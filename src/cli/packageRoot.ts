/**
 * Finds this package's own root folder (where package.json, dist/ and models/ are), from the built CLI
 * (`dist/cli.js`) or from source (`src/cli/**` under tsx), so commands can read the files the package ships.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './cliError.ts';

/** The package name, as package.json spells it. */
export const PACKAGE_NAME = 'babylon-perceptual-lipsync';

/**
 * @param from defines a file URL inside the package. @default this module's URL
 * @returns the absolute path of the package root
 * @throws CliError when no package.json of this package is found above `from`
 */
export function findPackageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME)
          return dir;
      } catch {
        // not ours (or unreadable): keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new CliError(`cannot find the ${PACKAGE_NAME} package folder above ${from}.`);
    dir = up;
  }
}
