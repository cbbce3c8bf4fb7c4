import { Command, Errors } from '@oclif/core';
import { ExitCode, LockreplayError } from '../errors.js';
import { installSignalCleanup, leaveSignalsToCommand } from '../util/cleanup.js';
import { terminalText } from '../util/terminal.js';
import { commandFinished, commandStarted } from '../util/late-exit.js';
import { progressWanted } from '../util/progress.js';
import { watchStdout } from './stdout-errors.js';

/** Shared by every command: user errors print one clear line and exit with their own code. */
export abstract class BaseCommand extends Command {
  /**
   * Ctrl-C, SIGTERM and SIGHUP remove the command's temporary files and its progress line before the
   * process ends (util/cleanup.ts). A command that handles them itself (record stops its capture and
   * keeps it) says so.
   */
  protected readonly ownSignalHandling: boolean = false;

  override async init(): Promise<void> {
    await super.init();
    watchStdout();
    // (record stops its capture and keeps it on a signal: it handles them itself)
    if (this.ownSignalHandling) leaveSignalsToCommand();
    else installSignalCleanup();
    commandStarted();
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    commandFinished();
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof LockreplayError) {
      // (a message quotes input: a JSON strategy's names, a path; its control characters, an ESC
      // sequence, reach no terminal)
      process.stderr.write(`lockreplay: ${terminalText(err.message)}\n`);
      process.exitCode = err.exitCode;
      return this.exit(err.exitCode);
    }
    if (err instanceof Errors.ExitError) throw err;
    // oclif's own parse errors (unknown flag, missing argument): usage errors
    if (err.oclif !== undefined || /Missing required|Unexpected argument|Nonexistent flag|Expected --|flag/i.test(err.message)) {
      // oclif puts the reason on the lines after the first ("Parsing --cpus \n\tExpected an integer ..."): keep it
      // (its preamble "The following error occurred:" dropped; after a line that ends in a colon or a full stop, the next goes on after a space)
      const reason = err.message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^See more help/.test(l) && !/^The following errors? occurred:$/.test(l))
        .reduce((text, l) => (text === '' ? l : `${text}${/[:.]$/.test(text) ? ' ' : ': '}${l}`), '');
      // (it quotes the flag or value as given: its control characters reach no terminal either)
      process.stderr.write(`lockreplay: ${terminalText(reason)}\nSee: lockreplay ${this.id ?? ''} --help\n`);
      return this.exit(ExitCode.usage);
    }
    if (process.env.LOCKREPLAY_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.stderr.write(`lockreplay: internal error: ${terminalText(err.message)} (set LOCKREPLAY_DEBUG=1 for details)\n`);
    return this.exit(ExitCode.internal);
  }

  /** Progress goes to stderr, only on a terminal that can redraw a line (not TERM=dumb) and never with --json. */
  protected progressEnabled(json: boolean): boolean {
    return progressWanted(json, process.stderr.isTTY === true, process.env);
  }
}
