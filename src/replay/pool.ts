/**
 * Runs strategies on worker threads. The ops go to each worker once, packed into typed arrays and
 * string tables (cheap to copy); strategies go one at a time to whichever worker is free; results
 * come back as plain data and are put in the order of the specs.
 */
import { Worker } from 'node:worker_threads';
import type { Op, OpKind } from '../model/op.js';
import type { SimOptions } from '../engine/simulator.js';
import type { StrategyResult } from './result.js';
import { ExitCode, LockreplayError } from '../errors.js';

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
  const index = new Map<string, number>();
  const strings: string[] = [];
  const ref = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
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
    refs[r] = ref(o.proc);
    refs[r + 1] = ref(o.comm);
    refs[r + 2] = ref(o.file);
    refs[r + 3] = ref(o.kind);
  }
  return { n, nums, refs, strings };
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

export async function runInWorkers(ops: readonly Op[], serviceNs: Float64Array, simOptions: SimOptions, specs: string[], threads: number): Promise<StrategyResult[]> {
  const packed = packOps(ops);
  const results: (StrategyResult | undefined)[] = new Array(specs.length);
  const workerUrl = new URL('./worker.js', import.meta.url);
  let next = 0;
  let failure: Error | undefined;
  const runWorker = (): Promise<void> => new Promise((resolve) => {
    const w = new Worker(workerUrl, { workerData: { packed, serviceNs, simOptions }, resourceLimits: { maxYoungGenerationSizeMb: 48, maxOldGenerationSizeMb: 8192 } });
    const feed = (): void => {
      if (failure !== undefined || next >= specs.length) {
        void w.terminate().then(() => resolve());
        return;
      }
      const i = next++;
      w.postMessage({ index: i, spec: specs[i] });
    };
    w.on('message', (m: { index: number; result?: StrategyResult; error?: { message: string; exitCode?: number } }) => {
      if (m.error !== undefined) {
        failure ??= m.error.exitCode !== undefined ? new LockreplayError(m.error.message, m.error.exitCode as never) : new Error(m.error.message);
      } else {
        results[m.index] = m.result;
      }
      feed();
    });
    w.on('error', (err) => {
      failure ??= err;
      resolve();
    });
    feed();
  });
  await Promise.all(Array.from({ length: threads }, runWorker));
  if (failure !== undefined) throw failure;
  if (results.some((r) => r === undefined)) throw new LockreplayError('a worker thread ended without its results', ExitCode.internal);
  return results as StrategyResult[];
}
