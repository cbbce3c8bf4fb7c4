/**
 * An exit that comes from a user strategy module's own timer or callback (setTimeout(() =>
 * process.exit(0))), outside the code exit-guard.ts watches: the command had not finished, so it
 * left no result and exit 0, with an output's temporary file beside its place. While a command of
 * the CLI runs with such a module loaded, an exit is named, its temporary files are removed and
 * the exit code is 4.
 *
 * While a module loads (its top-level await), the guard is up: an exit from its timer then throws
 * (a UserExit) in that timer, outside any call of lockreplay's; the command names the module and
 * ends (exit 4) instead of crashing on the uncaught throw.
 */
import { inspect } from 'node:util';
import { ExitCode } from '../errors.js';
import { terminalText } from '../report/terminal.js';
import { UserExit } from '../strategies/exit-guard.js';
import { exitOwn, exitingOwn, runInterruptUndos } from './cleanup.js';

let running = false;
const modules: string[] = [];
/** the module whose load is under way (loads go one at a time: strategies/user.ts) */
let loadingNow: string | undefined;
let listening = false;

/** A CLI command begins (library callers never call it: their process is theirs). */
export function commandStarted(): void {
  running = true;
}

/** The command is done: exits from now on are its own. */
export function commandFinished(): void {
  running = false;
}

/**
 * A user strategy module begins to load: its code may end the process, or throw, from now on.
 * Call the returned function when the load is over (loaded or failed).
 */
export function userModuleLoading(spec: string): () => void {
  if (!modules.includes(spec)) {
    if (modules.length === 0) process.on('exit', lateExit);
    modules.push(spec);
  }
  // (only in the CLI: a library caller's uncaught errors are its own to handle)
  if (running && !listening) {
    listening = true;
    process.on('uncaughtException', uncaught);
  }
  loadingNow = spec;
  return () => {
    if (loadingNow === spec) loadingNow = undefined;
  };
}

function lateExit(code: number): void {
  // (an exit of lockreplay's own, a signal for one, is not the module's)
  if (!running || exitingOwn()) return;
  running = false;
  runInterruptUndos();
  const names = modules.join(', ');
  process.stderr.write(`lockreplay: the process was ended (exit code ${code}) before the command finished, by the code of the strategy module ${terminalText(names)} (a process.exit() from a timer or callback?); outputs not yet in place were removed\n`);
  process.exitCode = ExitCode.badInput;
}

/** an exception nothing caught, while the command runs with a user module loading or loaded */
function uncaught(err: unknown): void {
  runInterruptUndos();
  if (err instanceof UserExit) {
    const who = loadingNow ?? modules.join(', ');
    process.stderr.write(`lockreplay: ${terminalText(who)}: the strategy module ${err.message} from a timer or callback while it was loaded: a strategy module must not end the process (throw an Error to refuse); outputs not yet in place were removed\n`);
    exitOwn(ExitCode.badInput);
  }
  process.stderr.write(`${inspect(err)}\n`);
  process.exit(ExitCode.internal);
}
