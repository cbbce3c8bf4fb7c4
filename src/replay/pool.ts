/**
 * Runs strategies on worker threads. The workers start before the trace is read; the ops go to
 * each worker once, packed into typed arrays and string tables (cheap to copy), with the op table
 * this thread built; each thread claims the next strategy from a shared counter; results come
 * back as plain data and are put in the order of the specs.
 */
import { Worker } from 'node:worker_threads';
import type { Op, OpKind } from '../model/op.js';
import type { SimOptions } from '../engine/simulator.js';
import type { StrategyResult } from '../model/result.js';
import { ExitCode, LockreplayError } from '../errors.js';
import { Interner } from '../util/interner.js';
import type { OpTable } from '../engine/op-table.js';

export interface PackedOps {
  n: number;
  nums: Float64Array; // per op: id, tsNs, durNs (NaN = none), pid, offset, lengthBytes, parent (NaN = none), line
  refs: Int32Array; // per op: proc, comm, file, kind (indices into strings)
  strings: string[];
}

const NUMS = 8;
const REFS = 4;

export function packOps(ops: readonly Op[]): PackedOps {
  const n = ops.length;
  const nums = new Float64Array(n * NUMS);
  const refs = new Int32Array(n * REFS);
  const strings = new Interner();
  for (let i = 0; i < n; i++) {
    const o = ops[i];
    const b = i * NUMS;
    nums[b] = o.id;
    nums[b + 1] = o.tsNs;
    nums[b + 2] = o.durNs ?? NaN;
    nums[b + 3] = o.pid;
    nums[b + 4] = o.offset;
    nums[b + 5] = o.lengthBytes;
    nums[b + 6] = o.parent ?? NaN;
    nums[b + 7] = o.line;
    const r = i * REFS;
    refs[r] = strings.index(o.proc);
    refs[r + 1] = strings.index(o.comm);
    refs[r + 2] = strings.index(o.file);
    refs[r + 3] = strings.index(o.kind);
  }
  return { n, nums, refs, strings: strings.strings };
}

export function unpackOps(p: PackedOps): Op[] {
  const ops: Op[] = new Array(p.n);
  for (let i = 0; i < p.n; i++) {
    const b = i * NUMS;
    const r = i * REFS;
    const op: Op = {
      id: p.nums[b], tsNs: p.nums[b + 1], pid: p.nums[b + 3], proc: p.strings[p.refs[r]], comm: p.strings[p.refs[r + 1]], file: p.strings[p.refs[r + 2]],
      kind: p.strings[p.refs[r + 3]] as OpKind, offset: p.nums[b + 4], lengthBytes: p.nums[b + 5], line: p.nums[b + 7],
    };
    if (!Number.isNaN(p.nums[b + 2])) op.durNs = p.nums[b + 2];
    if (!Number.isNaN(p.nums[b + 6])) op.parent = p.nums[b + 6];
    ops[i] = op;
  }
  return ops;
}

/** Workers that replay strategies for one compare: threads (ReplayPool) or processes (ReplayProcessPool). */
export interface StrategyPool {
  readonly threads: number;
  run(ops: readonly Op[], table: OpTable, serviceNs: Float64Array, simOptions: SimOptions, specs: string[], runHere: (spec: string, index: number) => Promise<StrategyResult>, progress?: Int32Array): Promise<StrategyResult[]>;
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
  async run(ops: readonly Op[], table: OpTable, serviceNs: Float64Array, simOptions: SimOptions, specs: string[], runHere: (spec: string, index: number) => Promise<StrategyResult>, progress?: Int32Array): Promise<StrategyResult[]> {
    if (this.used) throw new LockreplayError('a replay pool runs one job', ExitCode.internal);
    this.used = true;
    const results: (StrategyResult | undefined)[] = new Array(specs.length);
    const next = new Int32Array(new SharedArrayBuffer(4));
    let failure: Error | undefined;
    const fail = (err: Error): void => {
      failure ??= err;
      // nobody claims more work
      Atomics.store(next, 0, specs.length);
    };
    const job: ReplayJob = { packed: packOps(ops), table, serviceNs, simOptions, specs, next, progress };
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
