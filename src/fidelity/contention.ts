/**
 * Observed against predicted contention, per lock class and op kind: the contended acquisitions the
 * kernel recorded (lock:contention_* events, attributed to the op they happened in) beside the
 * contended acquisitions of a replay of the same ops under the strategy (closed or open mode), with the
 * recorded waits removed from the service times (they are what is being predicted).
 */
import type { ObservedLock, Op } from '../model/op.js';
import { PAGE_SIZE_BYTES } from '../model/op.js';
import type { Strategy } from '../strategies/types.js';
import type { TaskWakes } from '../engine/sim-types.js';
import { serviceTimes } from '../engine/service-model.js';
import { type CpuModel, simulate } from '../engine/simulator.js';
import { attributeWaits, removeObservedWaits } from '../replay/observed-waits.js';
import { faultRetries } from '../replay/fault-retry.js';
import { offCpuShares } from '../replay/off-cpu.js';
import type { ContentionRow, FidelityMode, WaitDistribution } from '../model/fidelity.js';
export type { ContentionRow, WaitDistribution } from '../model/fidelity.js';



/** the strategy's lock class names as the kernel's */
export function kernelClassOf(lockClass: string): string | undefined {
  if (lockClass === 'iolock' || lockClass === 'i_rwsem') return 'IOLOCK';
  if (lockClass === 'mmaplock' || lockClass === 'invalidate_lock') return 'MMAPLOCK';
  if (lockClass === 'mmap_lock') return 'mmap_lock';
  return undefined;
}

const COMPARED = ['IOLOCK', 'MMAPLOCK', 'mmap_lock'];

function distribution(waits: number[]): WaitDistribution {
  const sorted = [...waits].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  const at = (p: number): number => (sorted.length === 0 ? 0 : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]));
  return { count: sorted.length, p50Ns: at(0.5), p99Ns: at(0.99), meanNs: sorted.length === 0 ? 0 : Math.round(total / sorted.length), totalNs: Math.round(total) };
}

/**
 * Re-anchored replays: the trace cut into windows of `windowNs` by issue time, each replayed on its
 * own from the recorded times with the half window before it as a warm-up (its ops replayed, not
 * counted), so a wait the replay gets wrong shifts the later ops of its task for one window at most.
 * A child op goes with its parent.
 */
export function anchoredWindows(ops: readonly Op[], windowNs: number): { ops: number[]; counts: (i: number) => boolean }[] {
  if (!(windowNs > 0) || ops.length === 0) return [];
  const indexOfId = new Map<number, number>();
  ops.forEach((o, i) => indexOfId.set(o.id, i));
  const issueNs = ops.map((o) => (o.parent === undefined ? o.tsNs : ops[indexOfId.get(o.parent) ?? 0].tsNs));
  const order = ops.map((_, i) => i).sort((a, b) => issueNs[a] - issueNs[b] || a - b);
  const first = issueNs[order[0]];
  const warmNs = windowNs / 2;
  const out: { ops: number[]; counts: (i: number) => boolean }[] = [];
  let lo = 0;
  let next = 0;
  while (next < order.length) {
    // the window that holds the next op not counted yet (windows without ops are skipped)
    const from = first + Math.floor((issueNs[order[next]] - first) / windowNs) * windowNs;
    const to = from + windowNs;
    while (lo < order.length && issueNs[order[lo]] < from - warmNs) lo++;
    let hi = next;
    while (hi < order.length && issueNs[order[hi]] < to) hi++;
    const sel = order.slice(lo, hi).sort((a, b) => a - b);
    out.push({ ops: sel, counts: (i) => issueNs[i] >= from && issueNs[i] < to });
    next = hi;
  }
  return out;
}

/** `ops[sel]` as a trace of their own: ids 0.. in order, parents renumbered */
function renumbered(ops: readonly Op[], sel: number[]): Op[] {
  const at = new Map<number, number>();
  sel.forEach((i, k) => at.set(ops[i].id, k));
  return sel.map((i, k) => {
    const o: Op = { ...ops[i], id: k };
    if (o.parent !== undefined) {
      const p = at.get(o.parent);
      if (p === undefined) delete o.parent;
      else o.parent = p;
    }
    return o;
  });
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : Math.round((a / b) * 1000) / 1000;
}

/**
 * `waits`: the contention records; `locks`: every observed lock event (the read faults' retries
 * are found from their mmap_lock events, the ops' time asleep from the sched-sleep records). Returns
 * the rows, how many faults' retries were replayed after their locks, and how many ops' time asleep
 * was replayed off the CPUs.
 */
export function compareContention(ops: Op[], waits: ObservedLock[], strategy: Strategy, cpus: number, wakeLatencyNs?: Float64Array, mode: FidelityMode = 'closed', locks: readonly ObservedLock[] = waits, taskWakeLatency?: ReadonlyMap<number, TaskWakes>, anchorNs?: number, cpuModel: CpuModel = 'per-segment'): { rows: ContentionRow[]; faultRetries: number; offCpuOps: number } {
  // IOLOCK and MMAPLOCK waits are told apart by the task's xfs_ilock before them: a trace without
  // any (another filesystem) has the kernel's inode-lock waits under no class, and comparing the
  // replay's with none would show contention the kernel did not have
  const xfs = locks.some((l) => l.event === 'xfs_ilock');
  // without them (ext4, btrfs) the import classes the inode's i_rwsem by where its waits are (a write's
  // or direct read's first lock, and waits on that lock once so named): IOLOCK is compared then, MMAPLOCK not
  const iolock = xfs || waits.some((w) => w.caller === 'IOLOCK');
  const comparedClass = (cls: string): boolean => xfs || cls === 'mmap_lock' || (iolock && cls === 'IOLOCK');
  const observed = new Map<string, number[]>();
  const predicted = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, key: string, ns: number): void => {
    let list = m.get(key);
    if (list === undefined) m.set(key, (list = []));
    list.push(ns);
  };
  const at = attributeWaits(ops, waits);
  waits.forEach((w, k) => {
    // (the observed side as the predicted: without xfs_ilock, a read fault's wait right after its
    // mm_filemap_fault is still classed MMAPLOCK, the mapping's invalidate_lock, but the other
    // waits on that lock are not, and a row of them against no prediction compared nothing)
    if (at[k] < 0 || !COMPARED.includes(w.caller) || !comparedClass(w.caller)) return;
    add(observed, `${w.caller}\u0000${ops[at[k]].kind}`, w.waitNs ?? 0);
  });
  const service = serviceTimes(ops, PAGE_SIZE_BYTES);
  const traceDurNs = Float64Array.from(service.ns);
  removeObservedWaits(ops, service.ns, waits, false);
  // a read fault's retry (after its page was read) holds no invalidate lock
  const retries = faultRetries(ops, locks, service.ns, PAGE_SIZE_BYTES);
  // each op's own time asleep (the capture's sched-sleep records) is replayed off the CPUs
  const offCpu = offCpuShares(ops, service.ns, locks, waits, false);
  const replay = (sel: number[] | undefined, counted: (i: number) => boolean): void => {
    const pick = (a: Float64Array | undefined): Float64Array | undefined => (a === undefined || sel === undefined ? a : Float64Array.from(sel, (i) => a[i]));
    simulate(sel === undefined ? ops : renumbered(ops, sel), pick(service.ns) as Float64Array, strategy, {
      mode, timeScale: 1, cpus, pageSizeBytes: PAGE_SIZE_BYTES, traceDurNs: pick(traceDurNs), wakeLatencyNs, taskWakeLatency, afterPlanNs: retries.faults > 0 ? pick(retries.afterPlanNs) : undefined, offCpuFraction: pick(offCpu.share), ...(cpuModel !== 'per-segment' ? { cpuModel } : {}),
      onLockWait: (lockClass, k, waitNs, spun) => {
        // the kernel traces an rwsem's or mutex's contention when the waiter goes to sleep; an
        // optimistic spinner that gets the lock is not in its contention events
        const i = sel === undefined ? k : sel[k];
        const cls = kernelClassOf(lockClass);
        if (cls !== undefined && comparedClass(cls) && !spun && counted(i)) add(predicted, `${cls}\u0000${ops[i].kind}`, waitNs);
      },
    });
  };
  if (anchorNs === undefined) replay(undefined, () => true);
  else for (const w of anchoredWindows(ops, anchorNs)) replay(w.ops, w.counts);
  const keys = [...new Set([...observed.keys(), ...predicted.keys()])].sort((a, b) => {
    const [ca, ka] = a.split('\u0000');
    const [cb, kb] = b.split('\u0000');
    return COMPARED.indexOf(ca) - COMPARED.indexOf(cb) || (ka < kb ? -1 : ka > kb ? 1 : 0);
  });
  const rows = keys.map((key) => {
    const [lockClass, kind] = key.split('\u0000');
    const o = distribution(observed.get(key) ?? []);
    const p = distribution(predicted.get(key) ?? []);
    return { lockClass, kind, observed: o, predicted: p, countRatio: o.count === 0 ? null : ratio(p.count, o.count), meanRatio: o.count === 0 || p.count === 0 ? null : ratio(p.meanNs, o.meanNs) };
  });
  return { rows, faultRetries: retries.faults, offCpuOps: offCpu.summary.ops };
}
