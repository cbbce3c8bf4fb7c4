/**
 * A page fault that reads its page is retried: filemap_fault starts the read and waits for the
 * folio with the invalidate lock (XFS: MMAPLOCK) held shared, returns VM_FAULT_RETRY having
 * released it, and the fault runs again to map the page (trace-formats.md §7: the fault-around
 * after the filemap fault). With per-VMA locks the first attempt takes no mmap_lock, so the retry is
 * the fault's mmap_lock acquisition: from its mmap_lock_start_locking to the fault's end, the task
 * holds no invalidate lock. That part of the fault's service time runs after its plan.
 */
import type { ObservedLock, Op } from '../model/op.js';
import { partitionPoint } from '../util/search.js';

export interface FaultRetries {
  /** per op: ns of the fault's retry, after its locks (0 for other ops) */
  afterPlanNs: Float64Array;
  /** faults with a retry */
  faults: number;
}

/**
 * The retries of the read faults that read their page (exact-page faults: the ones a strategy
 * locks the invalidate lock for), from the tasks' mmap_lock_start events inside them; within
 * `serviceNs` (the faults' service times).
 */
export function faultRetries(ops: readonly Op[], locks: readonly ObservedLock[], serviceNs: Float64Array, pageSizeBytes: number): FaultRetries {
  const afterPlanNs = new Float64Array(ops.length);
  const out: FaultRetries = { afterPlanNs, faults: 0 };
  const starts = new Map<number, number[]>();
  for (const l of locks) {
    if (l.event !== 'mmap_lock_start') continue;
    let list = starts.get(l.pid);
    if (list === undefined) starts.set(l.pid, (list = []));
    list.push(l.tsNs);
  }
  if (starts.size === 0) return out;
  for (const list of starts.values()) list.sort((a, b) => a - b);
  const hasChildren = new Set<number>();
  for (const o of ops) if (o.parent !== undefined) hasChildren.add(o.parent);
  ops.forEach((op, i) => {
    if (op.kind !== 'fault-read' || op.lengthBytes > pageSizeBytes || op.durNs === undefined || op.parent !== undefined || hasChildren.has(op.id)) return;
    const list = starts.get(op.pid);
    if (list === undefined) return;
    const endNs = op.tsNs + op.durNs;
    // the last mmap_lock acquisition inside the fault, after its start
    const k = partitionPoint(list.length, (j) => list[j] <= endNs) - 1;
    if (k < 0 || list[k] <= op.tsNs) return;
    const retryNs = endNs - list[k];
    if (!(retryNs > 0 && retryNs <= serviceNs[i])) return;
    afterPlanNs[i] = retryNs;
    out.faults++;
  });
  return out;
}
