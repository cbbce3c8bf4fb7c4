/**
 * The wait-for graph: who a blocked task waits for (its lock's holders and earlier conflicting
 * waiters), the cycle searches (when a task blocks, and over every blocked task when nothing is left
 * to happen), and the description of a blocked task.
 *
 * Every search walks the graph with explicit stacks, not recursion: a chain of thousands of tasks,
 * each queued behind the next, is a path as deep as the chain.
 */
import type { Op } from '../model/op.js';
import type { BlockedTask } from '../model/result.js';
import type { BlockerPrefix, LockPrimitive, LockRequest } from '../locks/primitives.js';
import { type Frame, type Held, type Task, TaskState } from './sim-types.js';
import { partitionPoint } from '../util/search.js';

/**
 * How many of the tasks a blocked task waits for its description names (`waitsFor`);
 * `waitsForCount` counts them all. Thousands of tasks queued on one lock each wait for every one
 * ahead: naming them all made a report quadratic in the queue's length.
 */
export const WAITS_FOR_SHOWN = 16;

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

/**
 * The tasks a blocked task waits for (the holders and earlier conflicting waiters of its lock),
 * each once, in the order its lock names their requests.
 */
function waitsFor(t: Task, tasks: Task[]): Task[] {
  const w = t.waitingFor;
  // (a waiter granted its lock and not yet running again waits for nobody)
  if (w === undefined || t.state !== TaskState.WaitLock || w.req.granted) return [];
  return blockerTasks(w.req, tasks);
}

/** the tasks of the requests a request's lock says block it, each once, in the lock's order */
function blockerTasks(req: Held, tasks: Task[]): Task[] {
  const out: Task[] = [];
  const stamp = nextStamp(tasks.length);
  for (const r of req.lock.blockersOf(req)) {
    if (stamps[r.task] === stamp) continue;
    stamps[r.task] = stamp;
    out.push(tasks[r.task]);
  }
  return out;
}

/**
 * Marks for counting each task once among a lock's blockers (thousands each, in a long queue: no
 * Set per call): the number of the last call that met each task, by its index.
 */
let stamps = new Float64Array(0);
let lastStamp = 0;

/** a new call's mark, with room for every task */
function nextStamp(taskCount: number): number {
  if (stamps.length < taskCount) stamps = new Float64Array(taskCount);
  return ++lastStamp;
}

/** the blocked tasks a task waits for, by index: the edges a cycle can run along */
function blockedSuccessors(t: Task, tasks: Task[]): number[] {
  const out: number[] = [];
  for (const n of waitsFor(t, tasks)) if (n.state === TaskState.WaitLock) out.push(n.index);
  return out;
}

/**
 * A cycle through `start` in the wait-for graph, as the list of tasks in wait order, or undefined.
 * A depth-first search that never enters a task twice (one that could not lead back to `start`
 * once cannot later either).
 */
export function findCycle(start: Task, tasks: Task[]): Task[] | undefined {
  const path: Task[] = [start];
  const edges: Task[][] = [waitsFor(start, tasks)];
  const nextEdge: number[] = [0];
  const visited = new Set<Task>([start]);
  while (path.length > 0) {
    const top = path.length - 1;
    const list = edges[top];
    if (nextEdge[top] === list.length) {
      path.pop();
      edges.pop();
      nextEdge.pop();
      continue;
    }
    const next = list[nextEdge[top]++];
    if (next === start) return path;
    if (visited.has(next) || next.state !== TaskState.WaitLock) continue;
    visited.add(next);
    path.push(next);
    edges.push(waitsFor(next, tasks));
    nextEdge.push(0);
  }
  return undefined;
}

/**
 * The first of `blocked` (in their order) that lies on a wait-for cycle, or undefined: the tasks on
 * cycles are those in a strongly connected component of more than one task, and those that wait for
 * themselves (on a lock they hold under another request). One pass of Tarjan's algorithm over the
 * blocked tasks, so the stall report costs the graph's size once, not once per blocked task; and
 * the graph is the one of `WaitGraph` (below), whose size is the blocked tasks and their locks'
 * shared lists, not every task each waits for. The search stops once the first of `blocked` found
 * on a cycle has its answer.
 */
export function firstOnCycle(blocked: Task[], tasks: Task[]): Task | undefined {
  const g = new WaitGraph(tasks);
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const cyclic = new Set<number>();
  let counter = 0;
  /** blocked[0, settled) have their answer, and none of them is on a cycle */
  let settled = 0;
  for (let i = 0; i < blocked.length; i++) {
    const root = blocked[i];
    if (!index.has(root.index) && root.state === TaskState.WaitLock) search(root.index);
    // the stack is empty: every task visited so far, blocked[0..i] among them, has its answer
    // (a task not waiting on a lock is on no cycle), so the first of them on a cycle is the one to
    // report, and the search need not go on
    for (; settled <= i; settled++) if (cyclic.has(blocked[settled].index)) return blocked[settled];
  }
  return undefined;

  function search(root: number): void {
    const path: number[] = [];
    const edges: number[][] = [];
    const nextEdge: number[] = [];
    const enter = (v: number): void => {
      index.set(v, counter);
      low.set(v, counter);
      counter++;
      stack.push(v);
      onStack.add(v);
      path.push(v);
      edges.push(g.successors(v));
      nextEdge.push(0);
    };
    enter(root);
    while (path.length > 0) {
      const top = path.length - 1;
      const v = path[top];
      const list = edges[top];
      if (nextEdge[top] < list.length) {
        const next = list[nextEdge[top]++];
        // (a task that waits on a lock it holds under another request: a cycle of one)
        if (next === v) cyclic.add(v);
        else if (!index.has(next)) enter(next);
        else if (onStack.has(next)) low.set(v, Math.min(low.get(v) as number, index.get(next) as number));
        continue;
      }
      path.pop();
      edges.pop();
      nextEdge.pop();
      if (path.length > 0) {
        const parent = path[path.length - 1];
        low.set(parent, Math.min(low.get(parent) as number, low.get(v) as number));
      }
      if (low.get(v) === index.get(v)) {
        // v roots a component: pop it; more than one node in it is a cycle through each of its
        // tasks (a task and the list nodes it reaches itself through: it waits for itself)
        const from = stack.lastIndexOf(v);
        const component = stack.splice(from);
        for (const c of component) onStack.delete(c);
        if (component.length > 1) for (const c of component) if (g.isTask(c)) cyclic.add(c);
      }
    }
  }
}

/**
 * The wait-for graph among blocked tasks, with the same paths between tasks as the one of
 * blockedSuccessors, made small: a task whose lock answers its blockers as a prefix of a list it
 * shares with others (LockPrimitive.blockersOfMany) has one edge, to the node of that prefix; the
 * node of a list's first k requests has an edge to the node of its first k - 1 and one to the task
 * of its k-th request (if that task waits on a lock). Thousands of tasks queued on one lock, each
 * behind every one ahead, are then a graph of a few edges each, where each had an edge to every task
 * ahead. Other tasks have their edges as blockedSuccessors gives them. Nodes: the tasks by index,
 * then the lists' prefixes.
 */
class WaitGraph {
  /** each lock's waiting requests: their tasks, until the lock is first met */
  private readonly pending = new Map<LockPrimitive, Task[]>();
  /** per task met: the prefix node it has an edge to (-1: none), or undefined: its edges are blockedSuccessors' */
  private readonly prefixOf = new Map<number, number>();
  /** the lists, and the node of each one's first request (its prefix of length 1) */
  private readonly lists: { list: readonly LockRequest[]; first: number }[] = [];
  private nodes: number;

  constructor(private readonly tasks: Task[]) {
    this.nodes = tasks.length;
    for (const t of tasks) {
      const w = t.waitingFor;
      if (w === undefined || t.state !== TaskState.WaitLock || w.req.granted || w.req.lock.blockersOfMany === undefined) continue;
      let on = this.pending.get(w.req.lock);
      if (on === undefined) this.pending.set(w.req.lock, (on = []));
      on.push(t);
    }
  }

  isTask(v: number): boolean {
    return v < this.tasks.length;
  }

  successors(v: number): number[] {
    const tasks = this.tasks;
    if (v >= tasks.length) {
      // the prefix of length k + 1 of a list: its first k, and the task of its (k + 1)-th request
      const lists = this.lists;
      const l = lists[partitionPoint(lists.length, (i) => lists[i].first <= v) - 1];
      const k = v - l.first;
      const out: number[] = k > 0 ? [v - 1] : [];
      const t = tasks[l.list[k].task];
      if (t.state === TaskState.WaitLock) out.push(t.index);
      return out;
    }
    const t = tasks[v];
    const w = t.waitingFor;
    if (w === undefined || t.state !== TaskState.WaitLock || w.req.granted) return [];
    const lock = w.req.lock;
    if (lock.blockersOfMany !== undefined) {
      const waiting = this.pending.get(lock);
      if (waiting !== undefined) {
        this.pending.delete(lock);
        this.prefixesOf(lock, waiting);
      }
      const p = this.prefixOf.get(v);
      if (p !== undefined) return p < 0 ? [] : [p];
    }
    return blockedSuccessors(t, tasks);
  }

  /** the lock's answers for its waiting tasks: a node for each prefix of each shared list */
  private prefixesOf(lock: LockPrimitive, waiting: Task[]): void {
    const prefixes = (lock.blockersOfMany as NonNullable<LockPrimitive['blockersOfMany']>).call(lock, waiting.map((t) => (t.waitingFor as { req: Held }).req));
    const longest = new Map<readonly LockRequest[], number>();
    for (const p of prefixes) if (p !== undefined) longest.set(p.list, Math.max(longest.get(p.list) ?? 0, p.length));
    const first = new Map<readonly LockRequest[], number>();
    for (const [list, length] of longest) {
      if (length === 0) continue;
      first.set(list, this.nodes);
      this.lists.push({ list, first: this.nodes });
      this.nodes += length;
    }
    waiting.forEach((t, i) => {
      const p = prefixes[i];
      if (p === undefined) return;
      this.prefixOf.set(t.index, p.length === 0 ? -1 : (first.get(p.list) as number) + p.length - 1);
    });
  }
}

/**
 * A blocked task's description, its blockers asked of its lock alone: the reference
 * describeBlockedTasks agrees with (test/unit/engine/wait-for.test.ts).
 */
export function describeBlocked(t: Task, tasks: Task[]): BlockedTask {
  const w = t.waitingFor;
  const ahead = w === undefined ? [] : blockerTasks(w.req, tasks);
  return description(t, { shown: ahead.slice(0, WAITS_FOR_SHOWN).map((b) => b.pid), count: ahead.length });
}

/**
 * Each of `list`'s descriptions, as describeBlocked gives them: each lock is asked for the blockers
 * of all its requests among them at once (LockPrimitive.blockersOfMany), so that requests queued
 * alike share one walk of their blockers. Thousands of tasks queued on one lock, each behind every
 * one ahead, made a walk of its own for each quadratic in the queue's length (20,000: 18 s).
 */
export function describeBlockedTasks(list: readonly Task[], tasks: Task[]): BlockedTask[] {
  const ahead = aheadOfEach(list, tasks);
  return list.map((t, i) => description(t, ahead[i]));
}

/** the tasks a task waits for: the pids of the first WAITS_FOR_SHOWN, and how many */
interface Ahead {
  shown: number[];
  count: number;
}

function description(t: Task, ahead: Ahead): BlockedTask {
  const frame = t.top as Frame;
  // (the engine gives every blocked task's frame its Op before it describes them: simulator.ts)
  const op = frame.opRef as Op;
  const w = t.waitingFor;
  return {
    pid: t.pid, comm: t.comm, opId: op.id, kind: op.kind, file: op.file,
    lockClass: w?.step.lockClass ?? 'cpu', lockKey: w?.step.key ?? '', mode: w?.step.mode ?? '',
    start: w?.step.start ?? 0, end: w?.step.end ?? 0, sinceNs: t.waitSinceNs,
    waitsFor: ahead.shown, waitsForCount: ahead.count,
  };
}

/** what each of `list` waits for, by its lock's requests together */
function aheadOfEach(list: readonly Task[], tasks: Task[]): Ahead[] {
  const out: Ahead[] = [];
  // each lock's requests among them: their places in `list`
  const byLock = new Map<LockPrimitive, number[]>();
  for (let i = 0; i < list.length; i++) {
    out.push({ shown: [], count: 0 });
    const w = list[i].waitingFor;
    if (w === undefined) continue;
    let places = byLock.get(w.req.lock);
    if (places === undefined) byLock.set(w.req.lock, (places = []));
    places.push(i);
  }
  for (const [lock, places] of byLock) {
    const reqs = places.map((i) => (list[i].waitingFor as { req: Held }).req);
    const prefixes = lock.blockersOfMany?.(reqs);
    // the requests whose blockers are a prefix of each shared list
    const sharing = new Map<readonly LockRequest[], { place: number; length: number }[]>();
    for (let k = 0; k < places.length; k++) {
      const p: BlockerPrefix | undefined = prefixes?.[k];
      if (p === undefined) {
        const each = blockerTasks(reqs[k], tasks);
        out[places[k]] = { shown: each.slice(0, WAITS_FOR_SHOWN).map((b) => b.pid), count: each.length };
        continue;
      }
      let asks = sharing.get(p.list);
      if (asks === undefined) sharing.set(p.list, (asks = []));
      asks.push({ place: places[k], length: p.length });
    }
    for (const [shared, asks] of sharing) {
      let longest = 0;
      for (const a of asks) longest = Math.max(longest, a.length);
      // distinct[n]: the tasks among shared[0, n), each once; first: the pids of the first of them
      const distinct = new Int32Array(longest + 1);
      const first: number[] = [];
      const stamp = nextStamp(tasks.length);
      for (let n = 0; n < longest; n++) {
        const task = shared[n].task;
        distinct[n + 1] = distinct[n];
        if (stamps[task] === stamp) continue;
        stamps[task] = stamp;
        distinct[n + 1]++;
        if (first.length < WAITS_FOR_SHOWN) first.push(tasks[task].pid);
      }
      for (const a of asks) {
        const count = distinct[a.length];
        out[a.place] = { shown: first.slice(0, Math.min(count, WAITS_FOR_SHOWN)), count };
      }
    }
  }
  return out;
}
