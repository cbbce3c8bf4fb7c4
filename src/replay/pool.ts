/**
 * Runs strategies on worker threads. The ops go to each worker once, packed into typed arrays and
 * string tables (cheap to copy), with the op table this thread built; each thread claims the next strategy from a shared counter;
 * results come back as plain data and are put in the order of the specs.
 */
import { Worker } from 'node:worker_threads';
import type { Op, OpKind } from '../model/op.js';
import type { SimOptions } from '../engine/simulator.js';
import type { StrategyResult } from './result.js';
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

/**
 * Runs the strategies on `threads` threads: this one and threads - 1 workers. Every thread claims
 * the next strategy from a shared counter (no round trip through this thread's event loop, which
 * is busy replaying too), so a thread that finishes early takes more. Results are placed by the
 * index of their spec: the same as a serial run, whichever thread ran what.
 */
export async function runInWorkers(ops: readonly Op[], table: OpTable, serviceNs: Float64Array, simOptions: SimOptions, specs: string[], threads: number, runHere: (spec: string) => Promise<StrategyResult>): Promise<StrategyResult[]> {
  const packed = packOps(ops);
  const results: (StrategyResult | undefined)[] = new Array(specs.length);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const workerUrl = new URL('./worker.js', import.meta.url);
  let failure: Error | undefined;
  const fail = (err: Error): void => {
    failure ??= err;
    // nobody claims more work
    Atomics.store(next, 0, specs.length);
  };
  // A worker's start needs this thread's event loop: it must be up (modules loaded, ops unpacked)
  // before this thread starts replaying, or it would wait for this thread's whole share.
  const ready: Promise<void>[] = [];
  const workers = Array.from({ length: Math.max(0, threads - 1) }, () => new Promise<void>((resolve) => {
    let up: () => void = () => undefined;
    ready.push(new Promise<void>((r) => (up = r)));
    const w = new Worker(workerUrl, { workerData: { packed, table, serviceNs, simOptions, specs, next }, resourceLimits: { maxOldGenerationSizeMb: 8192 } });
    w.on('message', (m: { index?: number; result?: StrategyResult; error?: { message: string; exitCode?: number }; ready?: boolean; done?: boolean }) => {
      if (m.ready === true) up();
      if (m.error !== undefined) fail(m.error.exitCode !== undefined ? new LockreplayError(m.error.message, m.error.exitCode as never) : new Error(m.error.message));
      else if (m.index !== undefined) results[m.index] = m.result;
      if (m.done === true) void w.terminate().then(() => resolve());
    });
    w.on('error', (err) => {
      fail(err);
      up();
      resolve();
    });
    // an exit without 'done' (killed, out of memory) must not leave this thread waiting
    w.on('exit', () => {
      up();
      resolve();
    });
  }));
  await Promise.all(ready);
  for (;;) {
    const i = Atomics.add(next, 0, 1);
    if (i >= specs.length) break;
    try {
      results[i] = await runHere(specs[i]);
    } catch (err) {
      fail(err as Error);
    }
  }
  await Promise.all(workers);
  if (failure !== undefined) throw failure;
  if (results.some((r) => r === undefined)) throw new LockreplayError('a worker thread ended without its results', ExitCode.internal);
  return results as StrategyResult[];
}
