/**
 * The error the CLI turns into one stderr line and exit code 2.
 */

/** Bad usage or an unreadable input file: printed as one line, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
