/**
 * The typed error of the CLI's audio reader: an unreadable, unsupported or truncated audio file. A
 * `CliError`, so the CLI prints it on one line and exits with code 2 (batch bake lists it per file).
 */
import { CliError } from '../cliError.ts';

/** An audio file the CLI cannot read: the message says what was expected, what was found and what to do. */
export class AudioFileError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'AudioFileError';
  }
}
