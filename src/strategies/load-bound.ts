/**
 * How long a JS strategy module's loading (its top-level code, a top-level await included) may
 * take: a module that waits for ever while something keeps the event loop going (a setInterval, an
 * open socket) held the command for ever. One whose await has nothing left to wait for ends sooner:
 * Node's "unsettled top-level await", reported as the module's (util/late-exit.ts).
 */
import { ExitCode, LockreplayError } from '../errors.js';

/** the bound when LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS is not set: far beyond any module's honest start */
export const DEFAULT_MODULE_LOAD_TIMEOUT_MS = 60_000;

/** LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS (a whole number of milliseconds, at least 1) when set, else the default */
export function moduleLoadTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS;
  if (v === undefined || v === '') return DEFAULT_MODULE_LOAD_TIMEOUT_MS;
  const ms = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  // (a timer takes at most 2^31 - 1 ms; a longer one fires at once)
  if (!(ms >= 1 && ms <= 2 ** 31 - 1)) throw new LockreplayError(`LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS=${v}: not a whole number of milliseconds from 1 to ${2 ** 31 - 1}`, ExitCode.usage);
  return ms;
}

/** a module that did not finish loading within the bound (exit 4, naming it) */
export class ModuleLoadTimeout extends LockreplayError {
  constructor(spec: string, timeoutMs: number) {
    super(`${spec}: the strategy module did not finish loading within ${timeoutMs / 1000} s: its top-level code still waits (a top-level await for something that does not come, kept going by a setInterval or an open handle?); LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS sets the bound`, ExitCode.badInput);
    this.name = 'ModuleLoadTimeout';
  }
}

/**
 * `loading` (a module's import), or an error naming `spec` (exit 4) once `timeoutMs` have passed
 * without it settling. The timer keeps no process alive: with nothing else left, Node ends the
 * load itself (exit code 13, reported as the module's).
 */
export async function withinLoadBound<T>(loading: Promise<T>, spec: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ModuleLoadTimeout(spec, timeoutMs)), timeoutMs);
    timer.unref();
  });
  // (what the import does after the bound is the module's, no rejection left unhandled)
  loading.catch(() => undefined);
  try {
    return await Promise.race([loading, late]);
  } finally {
    clearTimeout(timer);
  }
}
