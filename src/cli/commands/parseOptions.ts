/**
 * Shared option parsing for the subcommands: one `parseArgs` configuration (strict, no positionals),
 * every usage problem as a one-line CliError pointing at `--help`, and required options checked once.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from '../cliError.ts';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Values<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>['values'];

/**
 * Parses a subcommand's arguments.
 * @param command defines the subcommand name (for messages)
 * @param args defines the arguments after the subcommand
 * @param options defines the `node:util` parseArgs options
 * @param required defines the string options that must be given
 * @returns the option values, the required ones typed as present
 * @throws CliError for unknown options, bad values or missing required options
 * @internal
 */
export function parseCommandArgs<const O extends OptionsConfig, const R extends keyof O & string = never>(
  command: string,
  args: readonly string[],
  options: O,
  required: readonly R[] = [],
): Values<O> & { readonly [K in R]: string } {
  let values: Values<O>;
  try {
    values = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new CliError(`${command}: ${(e as Error).message} (see perceptual-lipsync ${command} --help).`);
  }
  // An empty value (`--gt ''`) counts as missing, as each command's own check did before.
  const missing = required.filter((k) => !(values as Record<string, unknown>)[k]);
  if (missing.length > 0) {
    const flags = required.map((k) => `--${k}`);
    const list =
      flags.length > 1 ? `${flags.slice(0, -1).join(', ')} and ${flags[flags.length - 1]}` : flags[0];
    throw new CliError(
      `${command}: ${list} ${flags.length > 1 ? 'are' : 'is'} required (see perceptual-lipsync ${command} --help).`,
    );
  }
  return values as Values<O> & { readonly [K in R]: string };
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
