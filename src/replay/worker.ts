/** A replay worker thread: gets the ops once, then runs one strategy per message. */
import { parentPort, workerData } from 'node:worker_threads';
import { LockreplayError } from '../errors.js';
import { loadStrategy } from '../strategies/user.js';
import { runOne } from './index.js';
import { type PackedOps, unpackOps } from './pool.js';
import type { SimOptions } from '../engine/simulator.js';
import { opTable } from '../engine/op-table.js';

const data = workerData as { packed: PackedOps; serviceNs: Float64Array; simOptions: SimOptions };
const ops = unpackOps(data.packed);
const table = opTable(ops);
const port = parentPort;
if (port === null) throw new Error('replay worker started outside a worker thread');
port.on('message', (m: { index: number; spec: string }) => {
  void (async () => {
    try {
      const strategy = await loadStrategy(m.spec);
      port.postMessage({ index: m.index, result: runOne(ops, data.serviceNs, strategy, data.simOptions, table) });
    } catch (err) {
      port.postMessage({ index: m.index, error: { message: (err as Error).message, exitCode: err instanceof LockreplayError ? err.exitCode : undefined } });
    }
  })();
});
