/**
 * An exit that comes from a user strategy module's own timer or callback (setTimeout(() =>
 * process.exit(0))), outside the code exit-guard.ts watches: the command had not finished, so it
 * left no result and exit 0, with an output's temporary file beside its place. While a command of
 * the CLI runs with such a module loaded, an exit is named, its temporary files are removed and
 * the exit code is 4.
 */
import { ExitCode } from '../errors.js';
import { exitingOwn, runInterruptUndos } from './cleanup.js';

let running = false;
const modules: string[] = [];

/** A CLI command begins (library callers never call it: their process is theirs). */
export function commandStarted(): void {
  running = true;
}

/** The command is done: exits from now on are its own. */
export function commandFinished(): void {
  running = false;
}

/** A user strategy module was loaded: its code may end the process later. */
export function userModuleLoaded(spec: string): void {
  if (modules.includes(spec)) return;
  if (modules.length === 0) process.on('exit', lateExit);
  modules.push(spec);
}

function lateExit(code: number): void {
  // (an exit of lockreplay's own, a signal for one, is not the module's)
  if (!running || exitingOwn()) return;
  running = false;
  runInterruptUndos();
  const names = modules.join(', ');
  process.stderr.write(`lockreplay: the process was ended (exit code ${code}) before the command finished, by the code of the strategy module ${names} (a process.exit() from a timer or callback?); outputs not yet in place were removed\n`);
  process.exitCode = ExitCode.badInput;
}
