/**
 * The wake-ups a capture with sched events shows (`sched-wake` records: sched_wakeup → the task's
 * next sched_switch), kept for the lock waits they ended: a wake of task P inside one of P's
 * contended acquisitions (lock:contention_begin → contention_end). Replaying each sleeping
 * waiter's wake with its own task's latency at that time (SimOptions.taskWakeLatency) puts into the
 * prediction what the pooled release → wait-end gaps (wake-latency.ts) cannot: a woken writer's
 * latency (its gaps show only the races it won), the slow wakes of a task whose CPU its waker held,
 * the moments the machine was busy.
 */
import type { ObservedLock } from '../model/op.js';
import type { TaskWakes } from '../engine/sim-types.js';
import { partitionPoint } from '../util/search.js';
import { latencySummary } from './wake-latency.js';

export interface TaskWakeLatency {
  byPid: Map<number, TaskWakes>;
  /** wakes kept (inside a lock wait of their task) */
  wakes: number;
  tasks: number;
  p50Ns: number;
  p90Ns: number;
  meanNs: number;
}

/** The wakes inside their task's contended acquisitions, per task in time order. */
export function taskWakeLatency(locks: readonly ObservedLock[]): TaskWakeLatency {
  // each task's lock waits as [begin, end], in end order (the records come in time order)
  const waits = new Map<number, { beginNs: number[]; endNs: number[] }>();
  for (const l of locks) {
    if (l.event !== 'contention' || l.waitNs === undefined) continue;
    let w = waits.get(l.pid);
    if (w === undefined) waits.set(l.pid, (w = { beginNs: [], endNs: [] }));
    w.beginNs.push(l.tsNs - l.waitNs);
    w.endNs.push(l.tsNs);
  }
  const lists = new Map<number, { wokenNs: number[]; latencyNs: number[] }>();
  const all: number[] = [];
  for (const l of locks) {
    if (l.event !== 'sched-wake' || l.waitNs === undefined) continue;
    const w = waits.get(l.pid);
    if (w === undefined) continue;
    const wokenNs = l.tsNs - l.waitNs;
    // the first wait ending at or after the wakeup: the one it falls in, if any (a task's waits do
    // not overlap)
    const k = partitionPoint(w.endNs.length, (i) => w.endNs[i] < wokenNs);
    if (k === w.endNs.length || w.beginNs[k] > wokenNs) continue;
    let list = lists.get(l.pid);
    if (list === undefined) lists.set(l.pid, (list = { wokenNs: [], latencyNs: [] }));
    list.wokenNs.push(wokenNs);
    list.latencyNs.push(l.waitNs);
    all.push(l.waitNs);
  }
  const byPid = new Map<number, TaskWakes>();
  for (const [pid, list] of lists) {
    // in wakeup order (records come in switch-in order; the sort is stable)
    const order = list.wokenNs.map((_, i) => i).sort((a, b) => list.wokenNs[a] - list.wokenNs[b]);
    byPid.set(pid, { wokenNs: Float64Array.from(order, (i) => list.wokenNs[i]), latencyNs: Float64Array.from(order, (i) => list.latencyNs[i]) });
  }
  return { byPid, wakes: all.length, tasks: byPid.size, ...latencySummary(all) };
}
