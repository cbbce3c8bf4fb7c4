/**
 * The wait-for graph: who a blocked task waits for (its lock's holders and earlier conflicting
 * waiters), the cycle search run when a task blocks, and the description of a blocked task.
 */
import type { BlockedTask } from '../model/result.js';
import { type Frame, type Task, TaskState } from './sim-types.js';

/**
 * Whether a task that just blocked can have closed a wait-for cycle: only if some request waits on
 * a lock the task holds (nothing else can wait for it). Saves the graph search on most blocks.
 */
export function mayCloseCycle(task: Task): boolean {
  const waiting = task.waitingFor?.req;
  for (let f = task.top; f !== undefined; f = f.below) {
    for (const h of f.held) if (h !== waiting && h.granted && h.lock.hasWaiters()) return true;
  }
  return false;
}

/** The tasks a blocked task waits for (the holders and earlier conflicting waiters of its lock). */
function waitsFor(t: Task, tasks: Task[]): Task[] {
  const w = t.waitingFor;
  // (a waiter granted its lock and not yet running again waits for nobody)
  if (w === undefined || t.state !== TaskState.WaitLock || w.req.granted) return [];
  const out: Task[] = [];
  for (const r of w.req.lock.blockersOf(w.req)) {
    const other = tasks[r.task];
    if (!out.includes(other)) out.push(other);
  }
  return out;
}

/**
 * A cycle through `start` in the wait-for graph, as the list of tasks in wait order, or undefined.
 * Every blocked task waits on exactly one request, so the search is small.
 */
export function findCycle(start: Task, tasks: Task[]): Task[] | undefined {
  const path: Task[] = [];
  const onPath = new Set<Task>();
  const visited = new Set<Task>();
  const dfs = (t: Task): boolean => {
    path.push(t);
    onPath.add(t);
    visited.add(t);
    for (const next of waitsFor(t, tasks)) {
      if (next === start) return true;
      if (!visited.has(next) && next.state === TaskState.WaitLock && dfs(next)) return true;
    }
    path.pop();
    onPath.delete(t);
    return false;
  };
  return dfs(start) ? path : undefined;
}

export function describeBlocked(t: Task, tasks: Task[]): BlockedTask {
  const frame = t.top as Frame;
  const op = frame.opRef;
  const w = t.waitingFor;
  const waitsForPids = w === undefined ? [] : [...new Set(w.req.lock.blockersOf(w.req).map((r) => tasks[r.task].pid))];
  return {
    pid: t.pid, comm: t.comm, opId: op.id, kind: op.kind, file: op.file,
    lockClass: w?.step.lockClass ?? 'cpu', lockKey: w?.step.key ?? '', mode: w?.step.mode ?? '',
    start: w?.step.start ?? 0, end: w?.step.end ?? 0, sinceNs: t.waitSinceNs, waitsFor: waitsForPids,
  };
}
