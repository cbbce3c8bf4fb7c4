/**
 * Runs strategies on worker threads. The workers start before the trace is read; the ops go to
 * each worker once, packed into typed arrays and string tables (cheap to copy), with the op table
 * this thread built; each thread claims the next strategy from a shared counter; results come
 * back as plain data and are put in the order of the specs.
 */
import { Worker } from 'node:worker_threads';
import type { OpColumns, PackedOps } from '../model/op-columns.js';
import type { SimOptions } from '../engine/simulator.js';
import type { StrategyResult } from '../model/result.js';
import { ExitCode, LockreplayError } from '../errors.js';
import type { OpTable } from '../engine/op-table.js';

export type { PackedOps } from '../model/op-columns.js';

/** Workers that replay strategies for one compare: threads (ReplayPool) or processes (ReplayProcessPool). */
export interface StrategyPool {
  readonly threads: number;
  run(ops: OpColumns, table: OpTable, serviceNs: Float64Array, simOptions: SimOptions, specs: string[], runHere: (spec: string, index: number) => Promise<StrategyResult>, progress?: Int32Array): Promise<StrategyResult[]>;
  close(): Promise<void>;
}

/** What a worker gets once the ops are known. */
export interface ReplayJob {
  packed: PackedOps;
  table: OpTable;
  serviceNs: Float64Array;
  simOptions: SimOptions;
  specs: string[];
  next: Int32Array;
  /** ops replayed so far per strategy (-1: not started), shared with the calling thread's progress meter */
  progress?: Int32Array;
}

type WorkerMessage = { index?: number; result?: StrategyResult; error?: { message: string; exitCode?: number }; done?: boolean };

/**
 * Worker threads started ahead of the work: a worker loads its modules on its own thread while
 * this one imports the trace, so its start-up is off the replay's critical path. The workers wait
 * for one job; `run` hands it to them and replays here too; `close` ends workers never used.
 */
export class ReplayPool implements StrategyPool {
  private readonly workers: Worker[];
  /** why a worker ended before its job was handed over */
  private readonly earlyEnd = new Map<Worker, Error>();
  private used = false;

  constructor(readonly threads: number) {
    const workerUrl = new URL('./worker.js', import.meta.url);
    this.workers = Array.from({ length: Math.max(0, threads - 1) }, () => {
      const w = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: 8192 } });
      // idle workers must not keep the process alive (an import that fails ends the command)
      w.unref();
      // an error or exit before the job (a worker that cannot start) is reported by run()
      w.on('error', (err) => this.earlyEnd.set(w, err));
      w.on('exit', () => {
        if (!this.earlyEnd.has(w)) this.earlyEnd.set(w, new LockreplayError('a replay worker thread ended before its work', ExitCode.internal));
      });
      return w;
    });
  }

  /** Ends the workers (idempotent; run() ends them itself). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /**
   * Runs the strategies on this thread and the pool's workers. Every thread claims the next
   * strategy from a shared counter (no round trip through this thread's event loop, which is busy
   * replaying too), so a thread that finishes early takes more. Results are placed by the index
   * of their spec: the same as a serial run, whichever thread ran what.
   */
  async run(ops: OpColumns, table: OpTable, serviceNs: Float64Array, simOptions: SimOptions, specs: string[], runHere: (spec: string, index: number) => Promise<StrategyResult>, progress?: Int32Array): Promise<StrategyResult[]> {
    if (this.used) throw new LockreplayError('a replay pool runs one job', ExitCode.internal);
    this.used = true;
    const results: (StrategyResult | undefined)[] = new Array(specs.length);
    const next = new Int32Array(new SharedArrayBuffer(4));
    let failure: Error | undefined;
    const fail = (err: Error): void => {
      failure ??= err;
      // nobody claims more work, and the work under way is ended: its results would not be used,
      // and the failure would wait for it (forever for a plan() that never returns)
      Atomics.store(next, 0, specs.length);
      for (const w of this.workers) void w.terminate();
    };
    const job: ReplayJob = { packed: ops.pack(), table, serviceNs, simOptions, specs, next, progress };
    const finished = this.workers.map((w) => new Promise<void>((resolve) => {
      const early = this.earlyEnd.get(w);
      if (early !== undefined) {
        fail(early);
        resolve();
        return;
      }
      w.ref();
      w.on('message', (m: WorkerMessage) => {
        if (m.error !== undefined) fail(m.error.exitCode !== undefined ? new LockreplayError(m.error.message, m.error.exitCode as never) : new Error(m.error.message));
        else if (m.index !== undefined) results[m.index] = m.result;
        if (m.done === true) void w.terminate().then(() => resolve());
      });
      w.on('error', (err) => {
        fail(err);
        resolve();
      });
      // an exit without 'done' (killed, out of memory, failed to start) must not leave this thread waiting
      w.on('exit', () => resolve());
      w.postMessage(job);
    }));
    for (;;) {
      const i = Atomics.add(next, 0, 1);
      if (i >= specs.length) break;
      try {
        results[i] = await runHere(specs[i], i);
      } catch (err) {
        fail(err as Error);
      }
    }
    await Promise.all(finished);
    if (failure !== undefined) throw failure;
    if (results.some((r) => r === undefined)) throw new LockreplayError('a worker thread ended without its results', ExitCode.internal);
    return results as StrategyResult[];
  }
}
