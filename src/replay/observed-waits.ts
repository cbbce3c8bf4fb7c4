/**
 * The kernel's own lock waits inside the replayed ops (contention records of the import): which op
 * each happened in, and the service times without them. An op's observed duration already contains
 * the waits the recorded kernel imposed; replaying it under a strategy adds the strategy's waits on
 * top, so every strategy, `none` included, would inherit the recorded contention. The waits on locks
 * a strategy models (IOLOCK / i_rwsem, MMAPLOCK / invalidate_lock, mmap_lock) are removed from the
 * op's service time (and from its enclosing ops'); waits on locks no strategy replaces (ILOCK, other
 * spinlocks, unknown) stay part of the op's cost.
 */
import { type ObservedLock, type Op, OP_KINDS } from '../model/op.js';
import type { OpColumns } from '../model/op-columns.js';
import { columnsOf } from '../engine/op-table.js';
import type { ObservedWaitSummary } from '../model/result.js';
import { partitionPoint } from '../util/search.js';
export type { ObservedWaitSummary } from '../model/result.js';

/** the wait classes a strategy models: their waits belong to the recorded strategy, not to the op */
export const MODELLED_WAIT_CLASSES: ReadonlySet<string> = new Set(['IOLOCK', 'MMAPLOCK', 'mmap_lock']);


/**
 * For each wait, the index of the innermost op of its task whose observed span contains the wait's
 * start, or -1. Ops are in issue-time order (a child after its parent).
 */
export function attributeWaits(source: readonly Op[] | OpColumns, waits: readonly ObservedLock[]): Int32Array {
  const c = columnsOf(source);
  const { tsNs, durNs } = c;
  const byPid = new Map<number, number[]>();
  for (let i = 0; i < c.n; i++) {
    if (durNs[i] !== durNs[i]) continue;
    let list = byPid.get(c.pid[i]);
    if (list === undefined) byPid.set(c.pid[i], (list = []));
    list.push(i);
  }
  const out = new Int32Array(waits.length).fill(-1);
  waits.forEach((w, k) => {
    const list = byPid.get(w.pid);
    if (list === undefined) return;
    const startNs = w.tsNs - (w.waitNs ?? 0);
    // the last op that started at or before the wait
    const lo = partitionPoint(list.length, (i) => tsNs[list[i]] <= startNs);
    // walk back to the innermost op that contains it (a child that ended before it gives way to its parent)
    for (let j = lo - 1, steps = 0; j >= 0 && steps < 64; j--, steps++) {
      const i = list[j];
      if (tsNs[i] + durNs[i] >= startNs) {
        out[k] = i;
        return;
      }
      if (!c.hasParent(i)) return;
    }
  });
  return out;
}

/**
 * Removes the modelled-class waits from the service times of the ops they happened in and of those
 * ops' parents (in place), unless `keep`. Returns what was found and removed.
 */
export function removeObservedWaits(source: readonly Op[] | OpColumns, serviceNs: Float64Array, waits: readonly ObservedLock[], keep: boolean): ObservedWaitSummary {
  // (most traces have no contention events: no per-op index is built for them)
  if (waits.length === 0) return { waits: 0, attributed: 0, removedNs: 0, keptNs: 0, byKind: {}, kept: keep };
  const c = columnsOf(source);
  const at = attributeWaits(c, waits);
  const indexOfId = new Map<number, number>();
  for (let i = 0; i < c.n; i++) indexOfId.set(c.idOf(i), i);
  const summary: ObservedWaitSummary = { waits: waits.length, attributed: 0, removedNs: 0, keptNs: 0, byKind: {}, kept: keep };
  waits.forEach((w, k) => {
    const i = at[k];
    if (i < 0) return;
    summary.attributed++;
    if (keep || !MODELLED_WAIT_CLASSES.has(w.caller)) {
      summary.keptNs += w.waitNs ?? 0;
      return;
    }
    // the recorded kernel's optimistic spin before the wait (its writers spin on the owner or on
    // the readers before sleeping) is that kernel's contention too, not the op's work
    const spinNs = w.spinNs ?? 0;
    const waitNs = (w.waitNs ?? 0) + spinNs;
    if (spinNs > 0) summary.spinNs = (summary.spinNs ?? 0) + spinNs;
    const kind = OP_KINDS[c.kind[i]];
    const row = summary.byKind[kind] ?? (summary.byKind[kind] = { waits: 0, removedNs: 0 });
    row.waits++;
    row.removedNs += waitNs;
    summary.removedNs += waitNs;
    // the op and every op enclosing it
    for (let j: number | undefined = i, depth = 0; j !== undefined && depth < 16; depth++) {
      serviceNs[j] = Math.max(0, serviceNs[j] - waitNs);
      const parent = c.parentOf(j);
      j = parent !== parent ? undefined : indexOfId.get(parent);
    }
  });
  const sorted: ObservedWaitSummary['byKind'] = {};
  for (const kind of Object.keys(summary.byKind).sort()) sorted[kind] = summary.byKind[kind];
  summary.byKind = sorted;
  return summary;
}
