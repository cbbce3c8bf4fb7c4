/**
 * Standard output that cannot be written (a full disk behind `> file`, /dev/full): a clear message
 * and exit 6, as for any output. Node reports the failed write as an 'error' event on the stream,
 * which oclif's own handler threw again: an uncaught exception with a stack trace, exit 1. A closed
 * pipe (EPIPE: `| head`) stays quiet, as oclif has it.
 */
import { ExitCode } from '../errors.js';
import { exitOwn, runInterruptUndos } from '../util/cleanup.js';

let watching = false;

export function watchStdout(): void {
  if (watching) return;
  watching = true;
  // (first: oclif's handler, which throws, never sees the error)
  process.stdout.prependListener('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    process.stderr.write(`lockreplay: standard output: cannot write (${err.code ?? err.message})\n`);
    // (temporary files of outputs not yet in place are removed, as on an interrupt)
    runInterruptUndos();
    // (lockreplay's own exit: not refused while a user strategy's code runs, not taken for the module's)
    exitOwn(ExitCode.outputFailed);
  });
}
