/**
 * How much of each op's service time its task spent asleep, off the CPUs: waiting for its IO, for a
 * page or a lock no strategy replaces, for the log. A capture with the scheduler's events says so
 * (`sched-sleep` records: a task's sched_switch away in a sleeping state → its next switch in), and
 * the replay then runs that share of the op's work asleep instead of on a CPU: it takes no CPU, and
 * an owner asleep is not spun on (docs/costs.md). Without such records every op keeps its kind's
 * rule: direct IO, fsync and writeback asleep throughout, every other kind on a CPU.
 *
 * An op's share counts its own time only: a sleep inside one of the kernel's lock waits that was
 * taken out of its service time (observed-waits.ts) is no part of it, nor is a sleep inside one of
 * its child ops (which has a share of its own).
 */
import { OP_KINDS, type ObservedLock, type Op } from '../model/op.js';
import { columnsOf } from '../engine/op-table.js';
import type { OpColumns } from '../model/op-columns.js';
import type { OffCpuSummary } from '../model/result.js';
import { partitionPoint } from '../util/search.js';
import { MODELLED_WAIT_CLASSES } from './observed-waits.js';
export type { OffCpuSummary } from '../model/result.js';

/** intervals of one task, sorted by start and not overlapping: [from, to) in ns */
interface Intervals {
  from: number[];
  to: number[];
}

function byPid(records: readonly ObservedLock[], wanted: (l: ObservedLock) => boolean): Map<number, Intervals> {
  const out = new Map<number, Intervals>();
  for (const l of records) {
    if (!wanted(l) || l.waitNs === undefined) continue;
    let iv = out.get(l.pid);
    if (iv === undefined) out.set(l.pid, (iv = { from: [], to: [] }));
    iv.from.push(l.tsNs - l.waitNs);
    iv.to.push(l.tsNs);
  }
  for (const iv of out.values()) {
    // (records come in the order they ended: a task's sleeps and waits do not overlap, but be sure)
    let sorted = true;
    for (let k = 1; k < iv.from.length && sorted; k++) sorted = iv.from[k] >= iv.from[k - 1];
    if (!sorted) {
      const order = iv.from.map((_, k) => k).sort((x, y) => iv.from[x] - iv.from[y] || iv.to[x] - iv.to[y]);
      iv.from = order.map((k) => iv.from[k]);
      iv.to = order.map((k) => iv.to[k]);
    }
  }
  return out;
}

/** the time of `iv` inside [a, b) */
function overlapNs(iv: Intervals | undefined, a: number, b: number): number {
  if (iv === undefined || !(b > a)) return 0;
  let sum = 0;
  // (the first interval that ends after a)
  for (let k = partitionPoint(iv.to.length, (j) => iv.to[j] <= a); k < iv.to.length && iv.from[k] < b; k++) {
    sum += Math.min(b, iv.to[k]) - Math.max(a, iv.from[k]);
  }
  return sum;
}

/** the sleep of `sleeps` inside [a, b), less what of it falls inside `removed` */
function asleepNs(sleeps: Intervals, removed: Intervals | undefined, a: number, b: number): number {
  if (!(b > a)) return 0;
  let sum = 0;
  for (let k = partitionPoint(sleeps.to.length, (j) => sleeps.to[j] <= a); k < sleeps.to.length && sleeps.from[k] < b; k++) {
    const lo = Math.max(a, sleeps.from[k]);
    const hi = Math.min(b, sleeps.to[k]);
    sum += hi - lo - overlapNs(removed, lo, hi);
  }
  return sum;
}

/**
 * Per op, the share of its own service time (`serviceNs`, the kernel's modelled `waits` already taken
 * out unless `keptWaits`) its task slept (`sleepRecords`): NaN for an op of a task without sched-sleep records, or
 * without an observed duration or own service time.
 */
export function offCpuShares(source: readonly Op[] | OpColumns, serviceNs: Float64Array, sleepRecords: readonly ObservedLock[], waits: readonly ObservedLock[], keptWaits: boolean): { share: Float64Array | undefined; summary: OffCpuSummary } {
  const summary: OffCpuSummary = { ops: 0, asleepNs: 0, byKind: {} };
  const c = columnsOf(source);
  const sleeps = byPid(sleepRecords, (l) => l.event === 'sched-sleep');
  if (sleeps.size === 0) return { share: undefined, summary };
  const removed = keptWaits ? new Map<number, Intervals>() : byPid(waits, (l) => l.event === 'contention' && MODELLED_WAIT_CLASSES.has(l.caller));
  const { tsNs, durNs } = c;
  const asleep = new Float64Array(c.n).fill(NaN);
  const ownNs = Float64Array.from(serviceNs);
  const indexOfId = new Map<number, number>();
  for (let i = 0; i < c.n; i++) indexOfId.set(c.idOf(i), i);
  for (let i = 0; i < c.n; i++) {
    const s = sleeps.get(c.pid[i]);
    if (s === undefined || durNs[i] !== durNs[i]) continue;
    asleep[i] = asleepNs(s, removed.get(c.pid[i]), tsNs[i], tsNs[i] + durNs[i]);
  }
  // a child's sleep and service are its own, not its parent's
  for (let i = 0; i < c.n; i++) {
    const parentId = c.parentOf(i);
    if (parentId !== parentId) continue;
    const p = indexOfId.get(parentId);
    if (p === undefined) continue;
    ownNs[p] -= serviceNs[i];
    if (asleep[i] === asleep[i] && asleep[p] === asleep[p]) asleep[p] -= asleep[i];
  }
  const share = new Float64Array(c.n).fill(NaN);
  for (let i = 0; i < c.n; i++) {
    if (asleep[i] !== asleep[i] || !(ownNs[i] > 0)) continue;
    const ns = Math.min(ownNs[i], Math.max(0, asleep[i]));
    share[i] = ns / ownNs[i];
    summary.ops++;
    summary.asleepNs += ns;
    const kind = OP_KINDS[c.kind[i]];
    const row = summary.byKind[kind] ?? (summary.byKind[kind] = { ops: 0, asleepNs: 0, serviceNs: 0 });
    row.ops++;
    row.asleepNs += ns;
    row.serviceNs += ownNs[i];
  }
  const sorted: OffCpuSummary['byKind'] = {};
  for (const kind of Object.keys(summary.byKind).sort()) sorted[kind] = summary.byKind[kind];
  summary.byKind = sorted;
  return { share: summary.ops > 0 ? share : undefined, summary };
}
