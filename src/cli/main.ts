/**
 * @file perceptual-lipsync command-line tool (Node): copies the browser's run-time assets, bakes dialogue
 * into lips-v1 tracks (one file or a folder in parallel), and evaluates lip sync with the paper's metrics
 * (docs/cli.md, docs/metrics.md).
 *
 * **Example:**
 * ```sh
 * npx perceptual-lipsync assets --out public/lipsync --demo-avatar
 * npx perceptual-lipsync bake --in-dir clips/ --out-dir tracks/
 * npx perceptual-lipsync mtm --gt gt.json --pred pred.json --fps 25 --json
 * npx perceptual-lipsync evaluate --pred pred.json --gt gt.json --audio speech.wav --out metrics.json --plot curves.svg
 * ```
 * Exit codes: 0 success, 2 bad usage or unreadable input (one line on stderr), 1 unexpected failure or,
 * for `bake --in-dir`, files that failed.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ICliCommand, ICliIo } from './cliCommand.ts';
import { CliError } from './cliError.ts';
import * as registry from './commands/index.ts';
import { MetricInputError } from '../metrics/metricInputError.ts';

/** Every registered subcommand, by name. */
export const COMMANDS: ReadonlyMap<string, ICliCommand> = new Map(
  Object.values(registry).map((c: ICliCommand) => [c.name, c]),
);

function help(): string {
  const width = Math.max(...[...COMMANDS.keys()].map((k) => k.length));
  const lines = [...COMMANDS.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: perceptual-lipsync <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `perceptual-lipsync <command> --help` for its options.',
  ].join('\n');
}

/** Console-backed io. */
export const PROCESS_IO: ICliIo = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
};

/**
 * Runs the CLI.
 * @param argv defines the arguments after the program name (`process.argv.slice(2)`)
 * @param io defines the output sinks
 * @returns the exit code
 */
export async function main(argv: readonly string[], io: ICliIo = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    io.stderr(
      `perceptual-lipsync: unknown command '${name}'; expected one of ${[...COMMANDS.keys()].join(', ')}.`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage);
    return 0;
  }
  try {
    return await command.runAsync(rest, io);
  } catch (e) {
    if (e instanceof CliError || e instanceof MetricInputError || e instanceof RangeError) {
      io.stderr(`perceptual-lipsync ${name}: ${e.message.split('\n')[0]}`);
      return 2;
    }
    io.stderr(`perceptual-lipsync ${name}: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

/** True when this module is the process entry (node dist/cli.js, tsx src/cli/main.ts, or an npm bin link). */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
