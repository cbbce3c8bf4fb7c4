/**
 * A replay worker thread: gets the ops and the strategy specs once, then claims strategies from
 * the shared counter until none is left, posting each result (or error) back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LockreplayError } from '../errors.js';
import { loadStrategy } from '../strategies/user.js';
import { runOne } from './index.js';
import { type PackedOps, unpackOps } from './pool.js';
import type { SimOptions } from '../engine/simulator.js';
import type { OpTable } from '../engine/op-table.js';

const data = workerData as { packed: PackedOps; table: OpTable; serviceNs: Float64Array; simOptions: SimOptions; specs: string[]; next: Int32Array };
const port = parentPort;
if (port === null) throw new Error('replay worker started outside a worker thread');
const ops = unpackOps(data.packed);
const table = data.table;
port.postMessage({ ready: true });
for (;;) {
  const index = Atomics.add(data.next, 0, 1);
  if (index >= data.specs.length) break;
  try {
    const strategy = await loadStrategy(data.specs[index]);
    port.postMessage({ index, result: runOne(ops, data.serviceNs, strategy, data.simOptions, table) });
  } catch (err) {
    port.postMessage({ index, error: { message: (err as Error).message, exitCode: err instanceof LockreplayError ? err.exitCode : undefined } });
  }
}
port.postMessage({ done: true });
