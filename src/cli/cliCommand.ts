/**
 * The contract every subcommand in src/cli/commands implements.
 */

/** Where a command writes; injected so tests can capture output. */
export interface ICliIo {
  /** Writes one line (a newline is appended) to standard output. */
  stdout(line: string): void;
  /** Writes one line to standard error. */
  stderr(line: string): void;
}

/** A subcommand of `perceptual-lipsync`. */
export interface ICliCommand {
  /** Name typed on the command line, e.g. `mtm`. */
  readonly name: string;
  /** One-line description for `--help`. */
  readonly summary: string;
  /** Usage text shown by `<command> --help` and on usage errors. */
  readonly usage: string;
  /**
   * Runs the command.
   * @param args defines the arguments after the command name
   * @param io defines the output sinks
   * @returns the exit code (0 success); throws CliError for bad usage or input
   */
  runAsync(args: readonly string[], io: ICliIo): Promise<number>;
}
