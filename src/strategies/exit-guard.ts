/**
 * A user strategy module's code (its import, its factory, its plan()) must not end the process:
 * process.exit() there ended a replay at once, with no result, no message and exit 0. While such
 * code runs, process.exit throws a UserExit instead, and the call that ran it reports the module
 * (exit 4). What the guard cannot stop (an exit from a timer the module set, process.kill,
 * process.abort) is documented in docs/writing-strategies.md.
 */
import { UserExit } from '../util/user-exit.js';

export { UserExit } from '../util/user-exit.js';

/** one run of user code: the first exit refused while it ran (the code may have caught the throw) */
interface Window {
  refused?: UserExit;
}

const realExit = process.exit;
/** the runs of user code under way (several when modules load at once) */
const open = new Set<Window>();

function refuse(code?: unknown): never {
  const e = new UserExit(code);
  for (const w of open) w.refused ??= e;
  throw e;
}

function up(): Window {
  const w: Window = {};
  if (open.size === 0) process.exit = refuse as typeof process.exit;
  open.add(w);
  return w;
}

function down(w: Window, thrown?: unknown): UserExit | undefined {
  open.delete(w);
  if (open.size === 0) process.exit = realExit;
  return thrown instanceof UserExit ? thrown : w.refused;
}

/**
 * Runs user code with process.exit refused; `named` turns a refused exit (thrown, or caught by the
 * user code and gone on from) into the error to throw.
 */
export function withoutExit<T>(fn: () => T, named: (e: UserExit) => Error): T {
  const w = up();
  let result: T;
  try {
    result = fn();
  } catch (err) {
    return failed(w, err, named);
  }
  return succeeded(w, result, named);
}

/** withoutExit for async user code (a module's import) */
export async function withoutExitAsync<T>(fn: () => Promise<T>, named: (e: UserExit) => Error): Promise<T> {
  const w = up();
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    return failed(w, err, named);
  }
  return succeeded(w, result, named);
}

/** the user code threw: a refused exit is named, anything else thrown on as it is */
function failed(w: Window, err: unknown, named: (e: UserExit) => Error): never {
  const e = down(w, err);
  throw e !== undefined ? named(e) : err;
}

/** the user code returned: still an error if it caught a refused exit and went on */
function succeeded<T>(w: Window, result: T, named: (e: UserExit) => Error): T {
  const e = down(w);
  if (e !== undefined) throw named(e);
  return result;
}

/**
 * In a replay worker (a process or thread of compare's), whose own exit uses process.exit as it was
 * before: process.exit stays refused from now on, so that one from a module's timer or callback
 * throws there, and is reported to the parent as the module's (util/late-exit.ts).
 */
export function refuseExitFromNowOn(): void {
  up();
}
