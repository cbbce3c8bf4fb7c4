/**
 * What a command must undo when it is interrupted (Ctrl-C, SIGTERM, SIGHUP): temporary files of
 * outputs not yet in place, the worker processes' shared files; and, while any of those exists, the
 * progress line on the terminal. Each holder registers its undo while it has something to undo.
 *
 * A signal handler in JS runs only when the event loop turns: while one is installed, a signal that
 * comes during a long synchronous replay waits for its end. So the handlers are installed only
 * while something must be undone (the CLI allows it with installSignalCleanup); otherwise a signal
 * ends the process at once, as by default. With them, the process ends as the signal would have
 * ended it: 128 + the signal's number.
 */

const undos = new Set<() => void>();
/** undos that never install the handlers themselves (the progress line: cosmetic) */
const cosmetic = new Set<() => void>();

/**
 * Registers `undo` to run if the process is interrupted; call the returned function once it is no
 * longer needed. A `cosmetic` undo runs only when an interrupt is handled for another undo's sake.
 */
export function onInterrupt(undo: () => void, options: { cosmetic?: boolean } = {}): () => void {
  const set = options.cosmetic === true ? cosmetic : undos;
  set.add(undo);
  listen();
  return () => {
    set.delete(undo);
    listen();
  };
}

/** Runs every registered undo (each at most once; one that fails does not stop the others). */
export function runInterruptUndos(): void {
  const all = [...cosmetic, ...undos].reverse();
  undos.clear();
  cosmetic.clear();
  listen();
  for (const undo of all) {
    try {
      undo();
    } catch {
      // (best effort: the process is ending)
    }
  }
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
let allowed = false;
let listening = false;
/** process.exit as it was when the CLI started (a user strategy's code runs with it refused: strategies/exit-guard.ts) */
const exit = process.exit.bind(process);
let ownExit = false;

/**
 * Ends the process with `code` on lockreplay's own account (a signal, an output that cannot be
 * written): not taken for a user strategy module's exit (util/late-exit.ts), and not refused while
 * a module's code runs.
 */
export function exitOwn(code: number): never {
  ownExit = true;
  return exit(code);
}

/** whether the process is ending through exitOwn */
export function exitingOwn(): boolean {
  return ownExit;
}

const handlers = Object.entries(SIGNALS).map(([name, no]) => [name as NodeJS.Signals, (): void => {
  runInterruptUndos();
  exitOwn(128 + no);
}] as const);

/** installs the handlers while there is something to undo, removes them when there is not */
function listen(): void {
  const want = allowed && undos.size > 0;
  if (want === listening) return;
  listening = want;
  for (const [name, handler] of handlers) {
    if (want) process.on(name, handler);
    else process.off(name, handler);
  }
}

/** The CLI's commands (all but `record`, which handles signals itself) undo what they must on a signal. */
export function installSignalCleanup(): void {
  allowed = true;
  listen();
}

/** whether a signal would now be handled (for tests) */
export function interruptHandled(): boolean {
  return listening;
}

/**
 * Lets a signal that came during synchronous work be handled (its undos run and the process ends)
 * before something is put in place: the event loop turns once.
 */
export async function letSignalsIn(): Promise<void> {
  if (listening) await new Promise<void>((resolve) => setImmediate(resolve));
}
