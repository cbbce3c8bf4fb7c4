/**
 * What a command must undo when it is interrupted (Ctrl-C, SIGTERM, SIGHUP): temporary files of
 * outputs not yet in place, the worker processes' shared files, a progress line on the terminal.
 * Each holder registers its undo while it has something to undo; the CLI installs the signal
 * handlers (installSignalCleanup) and the process then ends as the signal would have ended it.
 */

const undos = new Set<() => void>();

/** Registers `undo` to run if the process is interrupted; call the returned function once it is no longer needed. */
export function onInterrupt(undo: () => void): () => void {
  undos.add(undo);
  return () => {
    undos.delete(undo);
  };
}

/** Runs every registered undo (each at most once; one that fails does not stop the others). */
export function runInterruptUndos(): void {
  const all = [...undos].reverse();
  undos.clear();
  for (const undo of all) {
    try {
      undo();
    } catch {
      // (best effort: the process is ending)
    }
  }
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
let installed = false;

/**
 * SIGINT, SIGTERM and SIGHUP run the undos, then end the process with 128 + the signal's number
 * (130 for Ctrl-C, as a shell reports a process the signal killed).
 */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const [name, no] of Object.entries(SIGNALS)) {
    process.on(name as NodeJS.Signals, () => {
      runInterruptUndos();
      process.exit(128 + no);
    });
  }
}
