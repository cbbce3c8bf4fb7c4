import type { Hook } from '@oclif/core';
import offerNearest from '@oclif/plugin-not-found';
import { ExitCode } from '../errors.js';
import { terminalSafe } from '../util/terminal.js';

/**
 * `lockreplay WORDS` where WORDS name no command: @oclif/plugin-not-found's message ("X is not a
 * lockreplay command", and on a terminal its offer of the nearest command), with X's control
 * characters shown as "?" (an ESC sequence in a mistyped word reaches no terminal; the words are
 * no command id, which holds none, so the nearest one is the same). Not taking the offer is a
 * usage error (exit 2), not the plugin's 127.
 */
const notFound: Hook.CommandNotFound = async function (opts) {
  // (the plugin, when its offer is taken, gives the command the words after the first as its
  // arguments, from the id it is given: take them from the id as typed)
  const argv = opts.argv !== undefined && opts.argv.length > 0 ? opts.argv : opts.id.split(':').slice(1);
  const context: typeof this = Object.create(this);
  context.error = (message, options) => this.error(message, { ...options, exit: ExitCode.usage });
  return offerNearest.call(context, { ...opts, argv, id: terminalSafe(opts.id) });
};

export default notFound;
