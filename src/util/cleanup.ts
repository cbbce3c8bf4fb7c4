/**
 * What a command must undo when it is interrupted (Ctrl-C, SIGTERM, SIGHUP): temporary files of
 * outputs not yet in place, the worker processes' shared files; and, while any of those exists, the
 * progress line on the terminal. Each holder registers its undo while it has something to undo.
 *
 * A signal handler in JS runs only when the event loop turns: while one is installed, a signal that
 * comes during a long synchronous replay waits for its end. So the handlers are installed only
 * while something must be undone (the CLI allows it with installSignalCleanup, from bin/run.js's
 * first line); otherwise a signal ends the process at once, as by default, and nothing is left
 * behind. With them, the process ends as the signal would have ended it: 128 + the signal's number.
 *
 * Once an output is in place the command's work is done: the handlers then stay installed, and a
 * first signal does not end the command, which ends with its own exit code (a second signal ends it
 * at once). (Was: the handlers went with the last temporary file, so a Ctrl-C just after the outputs
 * were put in place killed the process by the signal, its outputs complete.) So an interrupted
 * command leaves its outputs complete with its own code, or none with 128 + the signal (or killed
 * by it, when nothing was to be undone). One window stays: Node puts the default action back as the
 * process exits, so a signal in those last milliseconds, after the command's end, kills it by the
 * signal, its outputs complete.
 */

const undos = new Set<() => void>();
/** undos that never install the handlers themselves (the progress line: cosmetic), run after the others */
const cosmetic = new Set<() => void>();

/**
 * Registers `undo` to run if the process is interrupted; call the returned function once it is no
 * longer needed. A `cosmetic` one (the progress line) runs after the others.
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

/** an output of the command is in place: a signal no longer ends it (but a second one does) */
let outputsPlaced = false;
let signalDeferred = false;

/** An output of the command was put in place: its work is done; a signal now lets it end on its own. */
export function outputPlaced(): void {
  outputsPlaced = true;
  listen();
}

const handlers = Object.entries(SIGNALS).map(([name, no]) => [name as NodeJS.Signals, (): void => {
  if (outputsPlaced && !signalDeferred) {
    signalDeferred = true;
    return;
  }
  runInterruptUndos();
  exitOwn(128 + no);
}] as const);

/** installs the handlers while there is something to undo or an output is in place, removes them when not */
function listen(): void {
  const want = allowed && (undos.size > 0 || outputsPlaced);
  if (want === listening) return;
  listening = want;
  for (const [name, handler] of handlers) {
    if (want) process.on(name, handler);
    else process.off(name, handler);
  }
}

/**
 * The CLI handles Ctrl-C, SIGTERM and SIGHUP from now on (bin/run.js, first) while it has something
 * to undo: it undoes it and ends with 128 + the signal's number.
 */
export function installSignalCleanup(): void {
  allowed = true;
  listen();
}

/** A command that handles the signals itself (`record`: it stops its capture and keeps it) takes them over. */
export function leaveSignalsToCommand(): void {
  allowed = false;
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
