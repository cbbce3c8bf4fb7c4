/**
 * A replay worker process: loads the engine, gets the ops and the strategy specs once (a job),
 * then claims strategies (process-pool.ts claimNext) until none is left, posting each result (or
 * error) back, then says it is done and ends.
 */
import { readFileSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { LockreplayError } from '../errors.js';
import { loadStrategy } from '../strategies/user.js';
import { refuseExitFromNowOn } from '../strategies/exit-guard.js';
import { reportModuleErrorsTo, settleModuleCode } from '../util/late-exit.js';
import { runOne } from './index.js';
import { OpColumns } from '../model/op-columns.js';
import { claimNext, type FromWorker, type ProcessJob, type ToWorker } from './process-pool.js';

if (process.send === undefined) throw new Error('replay worker process started without an IPC channel');
const send = (m: FromWorker): Promise<void> => new Promise((resolve) => {
  if (process.send === undefined) resolve();
  else process.send(m, undefined, undefined, () => resolve());
});
// the parent gone (killed, or it closed the pool): nothing left to do (process.exit as it was at the
// start: a user strategy's code runs with it refused)
const exit = process.exit.bind(process);
process.on('disconnect', () => exit(0));
// what a strategy module's code throws outside its plan() (a timer, a promise it rejected), and its
// process.exit() from a timer, fail the run with the message the parent would have printed
reportModuleErrorsTo((message, exitCode) => void send({ index: -1, error: { message, exitCode } }));
refuseExitFromNowOn();
// the modules above load while the parent reads the trace; then one job comes
process.once('message', (m: ToWorker) => {
  void work(m.jobFile).then(() => process.disconnect());
});

async function work(jobFile: string): Promise<void> {
  let index = -1;
  try {
    const job = deserialize(readFileSync(jobFile)) as ProcessJob;
    const ops = OpColumns.unpack(job.packed);
    for (let i = claimNext(job.claims, 0, job.specs.length); i !== undefined; i = claimNext(job.claims, i + 1, job.specs.length)) {
      index = i;
      try {
        const strategy = await loadStrategy(job.specs[i]);
        const options = job.progress ? { ...job.simOptions, onProgress: (n: number) => void send({ progress: [i, n] }) } : job.simOptions;
        const result = runOne(ops, job.serviceNs, strategy, options, job.table);
        // (a promise the module's plan() rejected is reported first)
        await settleModuleCode();
        // not awaited: the parent reads its channel only between its own replays, and the next
        // strategy must not wait for that (messages queue here and go out in order)
        void send({ index: i, result });
      } catch (err) {
        void send({ index: i, error: { message: (err as Error).message, exitCode: err instanceof LockreplayError ? err.exitCode : undefined } });
      }
    }
  } catch (err) {
    // (index -1: the job itself failed)
    await send({ index, error: { message: (err as Error).message, exitCode: err instanceof LockreplayError ? err.exitCode : undefined } });
  }
  // written once everything before it is: then the channel can close
  await send({ done: true });
}
