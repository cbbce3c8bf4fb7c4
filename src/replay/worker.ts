/**
 * A replay worker thread: loads the engine, gets the ops and the strategy specs once (a job), then
 * claims strategies from the shared counter until none is left, posting each result (or error) back.
 */
import { parentPort } from 'node:worker_threads';
import { LockreplayError } from '../errors.js';
import { loadStrategy } from '../strategies/user.js';
import { refuseExitFromNowOn } from '../strategies/exit-guard.js';
import { reportModuleErrorsTo, settleModuleCode } from '../util/late-exit.js';
import { runOne } from './index.js';
import type { ReplayJob } from './pool.js';
import { OpColumns } from '../model/op-columns.js';

const port = parentPort;
if (port === null) throw new Error('replay worker started outside a worker thread');
// what a strategy module's code throws outside its plan() (a timer, a promise it rejected), and its
// process.exit() from a timer, fail the run with the message the calling thread would have printed
reportModuleErrorsTo((message, exitCode) => port.postMessage({ error: { message, exitCode } }));
refuseExitFromNowOn();
// the modules above load while the calling thread reads the trace; then one job comes
port.once('message', (data: ReplayJob) => {
  const ops = OpColumns.unpack(data.packed);
  const table = data.table;
  void (async () => {
    for (;;) {
      const index = Atomics.add(data.next, 0, 1);
      if (index >= data.specs.length) break;
      try {
        const strategy = await loadStrategy(data.specs[index]);
        const progress = data.progress;
        if (progress !== undefined) Atomics.store(progress, index, 0);
        const options = progress === undefined ? data.simOptions : { ...data.simOptions, onProgress: (n: number) => Atomics.store(progress, index, n) };
        const result = runOne(ops, data.serviceNs, strategy, options, table);
        // (a promise the module's plan() rejected is reported first)
        await settleModuleCode();
        if (progress !== undefined) Atomics.store(progress, index, ops.n);
        port.postMessage({ index, result });
      } catch (err) {
        port.postMessage({ index, error: { message: (err as Error).message, exitCode: err instanceof LockreplayError ? err.exitCode : undefined } });
      }
    }
    port.postMessage({ done: true });
  })();
});
