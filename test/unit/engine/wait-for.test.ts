/**
 * The wait-for graph's searches (engine/wait-for.ts) on made-up tasks whose locks name their
 * blockers: against the recursive search they replaced (kept here as the reference), on random
 * graphs, and on chains deeper than a recursion could go.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeBlocked, findCycle, firstOnCycle, WAITS_FOR_SHOWN } from '../../../src/engine/wait-for.js';
import { type Task, TaskState } from '../../../src/engine/sim-types.js';

/** tasks 0..n-1; task i blocked on a lock whose blockersOf(i's request) names `edges[i]` (task indexes, repeats kept) */
function graph(edges: number[][], states: number[], asked = { calls: 0 }): Task[] {
  const tasks: Task[] = [];
  edges.forEach((to, i) => {
    const lock = { blockersOf: () => (asked.calls++, to.map((j) => ({ task: j }))) };
    const req = { task: i, granted: false, lock };
    tasks.push({
      index: i, pid: 1000 + i, comm: `t${i}`, state: states[i], waitSinceNs: i,
      top: { opRef: { id: i, kind: 'write', file: 'f' }, below: undefined, held: [] },
      waitingFor: { req, step: { lockClass: 'range', key: 'f', mode: 'X', start: 0, end: 4096 } },
    } as unknown as Task);
  });
  return tasks;
}

/** the search before: recursive, and run from every blocked task in turn */
function referenceCycle(start: Task, tasks: Task[]): Task[] | undefined {
  const succ = (t: Task): Task[] => {
    if (t.state !== TaskState.WaitLock) return [];
    const out: Task[] = [];
    for (const r of t.waitingFor!.req.lock.blockersOf(t.waitingFor!.req)) if (!out.includes(tasks[r.task])) out.push(tasks[r.task]);
    return out;
  };
  const path: Task[] = [];
  const visited = new Set<Task>();
  const dfs = (t: Task): boolean => {
    path.push(t);
    visited.add(t);
    for (const next of succ(t)) {
      if (next === start) return true;
      if (!visited.has(next) && next.state === TaskState.WaitLock && dfs(next)) return true;
    }
    path.pop();
    return false;
  };
  return dfs(start) ? path : undefined;
}

function referenceStall(blocked: Task[], tasks: Task[]): Task[] {
  for (const t of blocked) {
    const c = referenceCycle(t, tasks);
    if (c !== undefined) return c;
  }
  return [];
}

function stall(blocked: Task[], tasks: Task[]): Task[] {
  const first = firstOnCycle(blocked, tasks);
  return first === undefined ? [] : findCycle(first, tasks)!;
}

const pids = (ts: Task[] | undefined): number[] | undefined => ts?.map((t) => t.pid);

describe('wait-for graph', () => {
  it('finds the same cycles as the recursive search, from one task and over all blocked tasks (random graphs)', () => {
    const arb = fc.integer({ min: 1, max: 14 }).chain((n) => fc.record({
      edges: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 4 }), { minLength: n, maxLength: n }),
      states: fc.array(fc.constantFrom(TaskState.WaitLock, TaskState.WaitLock, TaskState.WaitLock, TaskState.WaitCpu, TaskState.OnCpu), { minLength: n, maxLength: n }),
    }));
    fc.assert(fc.property(arb, ({ edges, states }) => {
      const tasks = graph(edges, states);
      for (const t of tasks) expect(pids(findCycle(t, tasks))).toEqual(pids(referenceCycle(t, tasks)));
      const blocked = tasks.filter((t) => t.state === TaskState.WaitLock || t.state === TaskState.WaitCpu);
      expect(pids(stall(blocked, tasks))).toEqual(pids(referenceStall(blocked, tasks)));
    }), { numRuns: 3000 });
  });

  it('a task waiting on a lock it holds under another request is a cycle of one', () => {
    const tasks = graph([[1], [1]], [TaskState.WaitLock, TaskState.WaitLock]);
    expect(pids(findCycle(tasks[1], tasks))).toEqual([1001]);
    expect(pids(stall(tasks, tasks))).toEqual([1001]);
  });

  it('a chain of 100,000 tasks, each behind the next, closed into a cycle: no recursion to overflow', () => {
    const n = 100_000;
    const edges = Array.from({ length: n }, (_, i) => [(i + 1) % n]);
    const tasks = graph(edges, new Array(n).fill(TaskState.WaitLock));
    expect(findCycle(tasks[0], tasks)!.length).toBe(n);
    const cycle = stall(tasks, tasks);
    expect(cycle.length).toBe(n);
    expect(cycle[0].pid).toBe(1000);
    // open the chain: no cycle anywhere
    const open = graph(edges.map((e, i) => (i === n - 1 ? [] : e)), new Array(n).fill(TaskState.WaitLock));
    expect(findCycle(open[0], open)).toBeUndefined();
    expect(firstOnCycle(open, open)).toBeUndefined();
  });

  it('the stall report stops at the first blocked task on a cycle: 2,000 tasks queued behind a 2-task cycle, each waiting for every one ahead, are not searched', () => {
    const n = 2002;
    const edges = Array.from({ length: n }, (_, i) => (i === 0 ? [1] : i === 1 ? [0] : Array.from({ length: i }, (_, j) => j)));
    const asked = { calls: 0 };
    const tasks = graph(edges, new Array(n).fill(TaskState.WaitLock), asked);
    expect(pids(stall(tasks, tasks))).toEqual([1000, 1001]);
    // firstOnCycle asks tasks 0 and 1 for their blockers, findCycle asks them again
    expect(asked.calls).toBe(4);
    // queued ahead of the cycle in the blocked list, they are searched (and found on no cycle) first
    const behind = [...tasks.slice(2), tasks[0], tasks[1]];
    expect(firstOnCycle(behind, tasks)?.pid).toBe(1000);
  });

  it(`describes a task behind many by the first ${WAITS_FOR_SHOWN} it waits for and how many there are`, () => {
    const n = 3000;
    // task n-1 waits for every task before it, some named twice (a task with two requests ahead)
    const edges = Array.from({ length: n }, (_, i) => (i === n - 1 ? [...Array.from({ length: n - 1 }, (_, j) => j), 5, 7] : []));
    const tasks = graph(edges, new Array(n).fill(TaskState.WaitLock));
    const d = describeBlocked(tasks[n - 1], tasks);
    expect(d.waitsFor).toEqual(Array.from({ length: WAITS_FOR_SHOWN }, (_, j) => 1000 + j));
    expect(d.waitsForCount).toBe(n - 1);
    const small = graph([[2, 1, 2], [], []], [TaskState.WaitLock, TaskState.WaitLock, TaskState.WaitLock]);
    const few = describeBlocked(small[0], small);
    expect(few.waitsFor).toEqual([1002, 1001]);
    expect(few.waitsForCount).toBe(2);
  });
});
