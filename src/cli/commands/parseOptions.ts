/**
 * Shared option parsing helpers for the subcommands: every usage problem becomes a CliError.
 */
import { CliError } from '../cliError.ts';

/**
 * Runs a `node:util` parseArgs call and turns its errors into a one-line CliError.
 * @internal
 */
export function parseOptions<T>(parse: () => T, command: string): T {
  try {
    return parse();
  } catch (e) {
    throw new CliError(`${command}: ${(e as Error).message} (see perceptual-lipsync ${command} --help).`);
  }
}

/**
 * Parses a positive finite number option.
 * @internal
 */
export function positiveNumber(text: string, flag: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v))
    throw new CliError(`${flag}: expected a positive number, got '${text}'.`);
  return v;
}
