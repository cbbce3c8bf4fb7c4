/**
 * The wake-up latency a capture shows: for each contended IOLOCK or MMAPLOCK acquisition (a
 * lock:contention_end), the gap from the last release of that lock class by another task
 * (xfs_iunlock, traced just after the up_read/up_write that woke the waiter) to the end of the
 * wait, when the gap is within the wait. It is the time a woken waiter takes to run again and take
 * the lock: scheduler latency, idle-state exit, a lost race. Replaying with these gaps as the
 * engine's wake-up latency (SimOptions.wakeLatencyNs, taken in turn) puts the kernel's timing of
 * wake-ups into the prediction, measured from the same capture rather than chosen.
 */
import type { ObservedLock } from '../model/op.js';

export interface WakeLatency {
  /** the gaps in trace order, ns */
  samplesNs: Float64Array;
  p50Ns: number;
  p90Ns: number;
  meanNs: number;
}

const CLASS_FLAG: Record<string, RegExp> = { IOLOCK: /IOLOCK/, MMAPLOCK: /MMAPLOCK/ };

export function measureWakeLatency(locks: readonly ObservedLock[]): WakeLatency {
  const gaps: number[] = [];
  // the last release of each class by each task, updated in trace order
  const lastRelease = new Map<string, { tsNs: number; pid: number }[]>();
  for (const l of locks) {
    if (l.event === 'xfs_iunlock') {
      for (const [cls, flag] of Object.entries(CLASS_FLAG)) {
        if (!flag.test(l.mode)) continue;
        let list = lastRelease.get(cls);
        if (list === undefined) lastRelease.set(cls, (list = []));
        // keep the latest two releases by distinct tasks: enough to find one by another task
        if (list.length > 0 && list[list.length - 1].pid === l.pid) list[list.length - 1] = { tsNs: l.tsNs, pid: l.pid };
        else list.push({ tsNs: l.tsNs, pid: l.pid });
        if (list.length > 2) list.shift();
      }
      continue;
    }
    if (l.event !== 'contention' || CLASS_FLAG[l.caller] === undefined || l.waitNs === undefined) continue;
    const list = lastRelease.get(l.caller) ?? [];
    for (let k = list.length - 1; k >= 0; k--) {
      if (list[k].pid === l.pid) continue;
      const gap = l.tsNs - list[k].tsNs;
      if (gap >= 0 && gap <= l.waitNs) gaps.push(gap);
      break;
    }
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  return {
    samplesNs: Float64Array.from(gaps),
    p50Ns: at(0.5),
    p90Ns: at(0.9),
    meanNs: sorted.length === 0 ? 0 : Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}
