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
 *
 * Any other exception nothing caught (or promise rejection nothing handled) while such a command
 * runs is put on a module only when it comes from the module's code:
 * - its stack names the module's file;
 * - or it was raised in a timer, callback or promise that the module's code set up: the caller runs
 *   that code (its import, its factory, each plan() call) under asModuleCode, which carries the
 *   module's name along to what it schedules, so a built-in the timer calls itself, or a stack
 *   replaced or cut to nothing, still names it;
 * - or it was raised while a module loads (its top-level code, a top-level await: lockreplay's own
 *   code only waits for it then);
 * - or it is not an Error at all (lockreplay throws only Errors: a thrown string is user code's,
 *   put on every module loaded).
 * Anything else is lockreplay's own: an internal error (exit 1), as a command's own error is
 * (cli/base.ts), never the module's.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { terminalText } from './terminal.js';
import { UserExit } from './user-exit.js';
import { exitOwn, exitingOwn, runInterruptUndos } from './cleanup.js';
import { describeThrown } from './thrown.js';

let running = false;
/** the modules loaded or loading: as the user named them, and their file: URL (as a stack names them) */
const modules: string[] = [];
const urls: string[] = [];
/** the module whose load is under way (loads go one at a time: strategies/user.ts) */
let loadingNow: string | undefined;
let listening = false;

/**
 * The module whose code runs, kept along what that code schedules (made at the first module a
 * command runs: tracking every async resource costs a little on each promise from then on)
 */
let inModule: AsyncLocalStorage<string> | undefined;

/**
 * Runs a user strategy module's code (as the user named it: `spec`): an exception nothing catches
 * from a timer, callback or promise that code set up is then the module's, whatever its stack says.
 * Only while a CLI command runs (a library caller's uncaught errors are its own).
 */
export function asModuleCode<T>(spec: string, fn: () => T): T {
  if (!running) return fn();
  inModule ??= new AsyncLocalStorage<string>();
  return inModule.run(spec, fn);
}

/** where a replay worker sends what a module's code threw outside its plan() (reportModuleErrorsTo) */
let reportTo: ((message: string, exitCode: ExitCodeValue) => void) | undefined;

/**
 * A replay worker (a process or thread replaying strategies for compare, the CLI's or a library
 * caller's): the modules it loads are watched as a CLI command's are, and what their code throws
 * outside a plan() (from a timer, callback or promise), or a rejection nothing handles, is given to
 * `report` with the message and exit code the command would have printed, for the worker's parent
 * to fail the run with (was: a worker process crashed on it and its result was kept, exit 0; a
 * worker thread's was an internal error, exit 1).
 */
export function reportModuleErrorsTo(report: (message: string, exitCode: ExitCodeValue) => void): void {
  reportTo = report;
  running = true;
}

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
export function userModuleLoading(spec: string, url: string): () => void {
  if (!modules.includes(spec)) {
    if (modules.length === 0) process.on('exit', lateExit);
    modules.push(spec);
    urls.push(url);
  }
  // (only in the CLI: a library caller's uncaught errors are its own to handle)
  if (running && !listening) {
    listening = true;
    process.on('uncaughtException', uncaught);
    process.on('unhandledRejection', uncaught);
  }
  loadingNow = spec;
  return () => {
    if (loadingNow === spec) loadingNow = undefined;
  };
}

/**
 * The CLI's command is over (bin/run.js): with a user module loaded, the process ends now, with the
 * command's exit code, not when the module's last timer or open handle (setTimeout(f, 60_000), a
 * setInterval) lets the event loop empty, nor with what a timer of it then does.
 */
export function endAfterCommand(): void {
  if (modules.length === 0) return;
  const code = process.exitCode;
  exitOwn(typeof code === 'number' ? code : Number(code ?? 0) || 0);
}

/**
 * Lets what a user strategy module's code left pending run before the command prints or puts in
 * place anything: a promise of the module's rejected with nothing to handle it (`Promise.reject()`
 * at its top level or in a plan()), a timer of 0 ms or an immediate it set. Node reports a
 * rejection nothing handles only when the microtasks run out, and everything a command does after
 * a module loads (the replay, the outputs, the table or JSON on stdout) ran in microtasks: without
 * a file to write (`--json`, the table), the result was printed and the command ended with 0
 * before the module's error was reported. One turn of the event loop (a timer of 0 ms, then an
 * immediate), and only with a module loaded, on the command line or in a replay worker.
 */
export async function settleModuleCode(): Promise<void> {
  if (!running || modules.length === 0) return;
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

function lateExit(code: number): void {
  // (an exit of lockreplay's own, a signal for one, is not the module's; nor is a replay worker's,
  // where a module's process.exit() is refused for good: strategies/exit-guard.ts)
  if (!running || exitingOwn() || reportTo !== undefined) return;
  running = false;
  runInterruptUndos();
  if (loadingNow !== undefined) {
    // (nothing ends the process while a load is awaited but an event loop with nothing left in
    // it: Node's exit code 13, "unsettled top-level await", which is also record's no-tracefs code)
    process.stderr.write(`lockreplay: ${terminalText(loadingNow)}: the strategy module never finished loading: its top-level await waits for something nothing is left to settle (a promise never resolved); outputs not yet in place were removed\n`);
    process.exitCode = ExitCode.badInput;
    return;
  }
  const names = modules.join(', ');
  process.stderr.write(`lockreplay: the process was ended (exit code ${code}) before the command finished, by the code of the strategy module ${terminalText(names)} (a process.exit() from a timer or callback?); outputs not yet in place were removed\n`);
  process.exitCode = ExitCode.badInput;
}

/** the modules whose code `err` comes from (as the user named them, joined), or undefined: lockreplay's own */
function culprit(err: unknown): string | undefined {
  let stack: unknown;
  try {
    stack = err instanceof Error ? err.stack : undefined;
  } catch {
    // (a stack getter that throws: as no stack)
  }
  if (typeof stack === 'string') {
    // (a frame names a file as `file:///dir/mine.mjs:LINE:COLUMN`)
    const named = modules.filter((_, i) => stack.includes(`${urls[i]}:`));
    if (named.length > 0) return named.join(', ');
  }
  // (raised in what a module's code set up: asModuleCode)
  const scheduledBy = inModule?.getStore();
  if (scheduledBy !== undefined) return scheduledBy;
  // (while a module's top-level code runs, lockreplay's own only waits for it: a callback that
  // lost the module's name on the way, as queueMicrotask's does, is that module's)
  if (loadingNow !== undefined) return loadingNow;
  if (err instanceof UserExit || !(err instanceof Error)) return modules.join(', ');
  return undefined;
}

/** an exception nothing caught (or a rejection nothing handled), while the command runs with a user module loading or loaded */
function uncaught(err: unknown): void {
  const who = culprit(err);
  let detail = '';
  let line: string;
  let code: ExitCodeValue;
  if (who === undefined) {
    try {
      detail = process.env.LOCKREPLAY_DEBUG ? `${String((err as Error).stack)}\n` : '';
    } catch {
      detail = '';
    }
    line = `internal error: ${terminalText(describeThrown(err))} (set LOCKREPLAY_DEBUG=1 for details)`;
    code = ExitCode.internal;
  } else {
    const what = err instanceof UserExit
      ? `the strategy module ${err.message} from a timer or callback while ${loadingNow === undefined || loadingNow === who ? 'it' : terminalText(loadingNow)} was loaded: a strategy module must not end the process (throw an Error to refuse)`
      : `the strategy module's code threw outside its plan() (from a timer, callback or promise): ${terminalText(describeThrown(err))}`;
    line = `${terminalText(who)}: ${what}; outputs not yet in place were removed`;
    code = ExitCode.badInput;
  }
  // (a replay worker's: its parent fails the run with it, as this process would have)
  if (reportTo !== undefined) return reportTo(line, code);
  runInterruptUndos();
  process.stderr.write(`${detail}lockreplay: ${line}\n`);
  exitOwn(code);
}
