import { type Hook, toConfiguredId } from '@oclif/core';
import { ExitCode } from '../errors.js';
import { terminalSafe } from '../util/terminal.js';
import { nearestCommand } from './nearest-command.js';

/**
 * `lockreplay WORDS` where WORDS name no command: "X is not a lockreplay command", naming the
 * nearest command when the first word looks like a typo of one, and a usage error (exit 2). Never
 * a prompt and never a run of another command, on a terminal too (@oclif/plugin-not-found asked
 * "Did you mean record? (Y/n)" there and ran it on Enter: a typo must not start a capture), and X's
 * control characters shown as "?" (an ESC sequence in a mistyped word reaches no terminal).
 */
const notFound: Hook.CommandNotFound = async function (opts) {
  const hidden = new Set(opts.config.commands.filter((c) => c.hidden).map((c) => c.id));
  const commands = [...opts.config.commandIDs, ...opts.config.commands.flatMap((c) => c.aliases)].filter((id) => !hidden.has(id));
  const words = terminalSafe(toConfiguredId(opts.id, opts.config));
  const nearest = nearestCommand(opts.id.split(':')[0], commands);
  const hint = nearest === undefined ? '' : ` (did you mean ${toConfiguredId(nearest, opts.config)}? nothing was run)`;
  process.stderr.write(`${opts.config.bin}: ${words} is not a ${opts.config.bin} command${hint}\nSee: ${opts.config.bin} help\n`);
  this.exit(ExitCode.usage);
};

export default notFound;
