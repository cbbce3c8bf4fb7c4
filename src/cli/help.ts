import { Errors, Help } from '@oclif/core';
import { ExitCode } from '../errors.js';
import { terminalText } from '../util/terminal.js';

/**
 * oclif's help (`lockreplay help WORDS`, `lockreplay WORDS --help`), with its "Command WORDS not
 * found." quoting the words' control characters as "?" (an ESC sequence in a mistyped word
 * reaches no terminal), still a usage error (exit 2).
 */
export default class LockreplayHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    try {
      await super.showHelp(argv);
    } catch (err) {
      if (!(err instanceof Errors.CLIError)) throw err;
      Errors.error(terminalText(err.message), { exit: err.oclif.exit ?? ExitCode.usage });
    }
  }
}
