/**
 * The wake-up latency a capture shows: for each contended IOLOCK or MMAPLOCK acquisition (a
 * lock:contention_end), the gap from the last release of that lock class by another task
 * (xfs_iunlock, traced just after the up_read/up_write that woke the waiter) to the end of the
 * wait, when the gap is within the wait. Replaying with these gaps as the engine's wake-up latency
 * (SimOptions.wakeLatencyNs, taken in turn) puts the kernel's timing of wake-ups into the
 * prediction, measured from the same capture rather than chosen.
 *
 * Only waits of rwsem readers are samples, when the capture has enough of them: a release hands the
 * lock to the waiting readers before it wakes them (rwsem_mark_wake), so a reader's gap is the
 * scheduler's wake-up latency alone, with no race in it. A woken writer has to compete for the lock
 * and shows up only when it won (a writer that lost to a reader or writer arriving meanwhile sleeps
 * again, and its next wake is the one measured): writers' gaps are the quick wakes only, and
 * replaying with them makes a woken writer win races the kernel's writers lost. With fewer than
 * MIN_READER_SAMPLES reader waits, every wait's gap is a sample.
 */
import type { ObservedLock } from '../model/op.js';

export interface WakeLatency {
  /** the gaps in trace order, ns */
  samplesNs: Float64Array;
  /** whose waits the samples are: readers' (granted on release), or every waiter's */
  waiters: 'readers' | 'all';
  p50Ns: number;
  p90Ns: number;
  meanNs: number;
}

/** reader waits needed to sample readers only */
export const MIN_READER_SAMPLES = 20;

const CLASS_FLAG: Record<string, RegExp> = { IOLOCK: /IOLOCK/, MMAPLOCK: /MMAPLOCK/ };

/** a contention record's waiter was a reader (lock:contention_begin flags READ) */
function isReaderWait(l: ObservedLock): boolean {
  return l.mode.split('|').includes('READ');
}

/** `choose`: `auto` samples readers when there are enough of them (the default), `all` every waiter (for comparison) */
export function measureWakeLatency(locks: readonly ObservedLock[], choose: 'auto' | 'all' = 'auto'): WakeLatency {
  const all: number[] = [];
  const readers: number[] = [];
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
      if (gap >= 0 && gap <= l.waitNs) {
        all.push(gap);
        if (isReaderWait(l)) readers.push(gap);
      }
      break;
    }
  }
  const waiters = choose === 'auto' && readers.length >= MIN_READER_SAMPLES ? 'readers' : 'all';
  const gaps = waiters === 'readers' ? readers : all;
  return { samplesNs: Float64Array.from(gaps), waiters, ...latencySummary(gaps) };
}

/** p50, p90 (the sorted values at floor(p·n)) and the rounded mean of latencies; 0s when there are none */
export function latencySummary(values: readonly number[]): { p50Ns: number; p90Ns: number; meanNs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  return { p50Ns: at(0.5), p90Ns: at(0.9), meanNs: sorted.length === 0 ? 0 : Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}
