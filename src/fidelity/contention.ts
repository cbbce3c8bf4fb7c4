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
import { simulate } from '../engine/simulator.js';
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

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : Math.round((a / b) * 1000) / 1000;
}

/**
 * `waits`: the contention records; `locks`: every observed lock event (the read faults' retries
 * are found from their mmap_lock events, the ops' time asleep from the sched-sleep records). Returns
 * the rows, how many faults' retries were replayed after their locks, and how many ops' time asleep
 * was replayed off the CPUs.
 */
export function compareContention(ops: Op[], waits: ObservedLock[], strategy: Strategy, cpus: number, wakeLatencyNs?: Float64Array, mode: FidelityMode = 'closed', locks: readonly ObservedLock[] = waits, taskWakeLatency?: ReadonlyMap<number, TaskWakes>): { rows: ContentionRow[]; faultRetries: number; offCpuOps: number } {
  const observed = new Map<string, number[]>();
  const predicted = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, key: string, ns: number): void => {
    let list = m.get(key);
    if (list === undefined) m.set(key, (list = []));
    list.push(ns);
  };
  const at = attributeWaits(ops, waits);
  waits.forEach((w, k) => {
    if (at[k] < 0 || !COMPARED.includes(w.caller)) return;
    add(observed, `${w.caller}\u0000${ops[at[k]].kind}`, w.waitNs ?? 0);
  });
  const service = serviceTimes(ops, PAGE_SIZE_BYTES);
  const traceDurNs = Float64Array.from(service.ns);
  removeObservedWaits(ops, service.ns, waits, false);
  // a read fault's retry (after its page was read) holds no invalidate lock
  const retries = faultRetries(ops, locks, service.ns, PAGE_SIZE_BYTES);
  // each op's own time asleep (the capture's sched-sleep records) is replayed off the CPUs
  const offCpu = offCpuShares(ops, service.ns, locks, waits, false);
  simulate(ops, service.ns, strategy, {
    mode, timeScale: 1, cpus, pageSizeBytes: PAGE_SIZE_BYTES, traceDurNs, wakeLatencyNs, taskWakeLatency, afterPlanNs: retries.faults > 0 ? retries.afterPlanNs : undefined, offCpuFraction: offCpu.share,
    onLockWait: (lockClass, opIndex, waitNs, spun) => {
      // the kernel traces an rwsem's or mutex's contention when the waiter goes to sleep; an
      // optimistic spinner that gets the lock is not in its contention events
      const cls = kernelClassOf(lockClass);
      if (cls !== undefined && !spun) add(predicted, `${cls}\u0000${ops[opIndex].kind}`, waitNs);
    },
  });
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
