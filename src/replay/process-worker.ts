/**
 * A replay worker process: loads the engine, gets the ops and the strategy specs once (a job),
 * then replays the strategy it is told to, posting each result (or error) back, until told to stop.
 */
import { LockreplayError } from '../errors.js';
import { loadStrategy } from '../strategies/user.js';
import type { Op } from '../model/op.js';
import { runOne } from './index.js';
import { unpackOps } from './pool.js';
import type { FromWorker, ProcessJob, ToWorker } from './process-pool.js';

if (process.send === undefined) throw new Error('replay worker process started without an IPC channel');
const send = (m: FromWorker): void => {
  process.send?.(m);
};
let job: ProcessJob | undefined;
let ops: Op[] = [];
// messages are handled one at a time: a run is synchronous once its strategy is loaded
let queue: Promise<void> = Promise.resolve();
process.on('message', (m: ToWorker) => {
  queue = queue.then(() => handle(m));
});
// the parent gone (killed, or it closed the pool): nothing left to do
process.on('disconnect', () => process.exit(0));

async function handle(m: ToWorker): Promise<void> {
  if ('stop' in m) {
    process.disconnect();
    return;
  }
  // (index -1: the job itself failed)
  const index = 'run' in m ? m.run : -1;
  try {
    if ('job' in m) {
      job = m.job;
      ops = unpackOps(job.packed);
      return;
    }
    if (job === undefined) throw new Error('a strategy to run before the ops came');
    const j = job;
    const strategy = await loadStrategy(j.specs[index]);
    const options = j.progress ? { ...j.simOptions, onProgress: (n: number) => send({ progress: [index, n] }) } : j.simOptions;
    const result = runOne(ops, j.serviceNs, strategy, options, j.table);
    send({ index, result });
  } catch (err) {
    send({ index, error: { message: (err as Error).message, exitCode: err instanceof LockreplayError ? err.exitCode : undefined } });
  }
}
