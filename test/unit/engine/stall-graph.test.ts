/**
 * The stall report's cycle search (firstOnCycle) on real locks: over the small wait-for graph whose
 * tasks reach their lock's shared lists of blockers (blockersOfMany) through a node per prefix,
 * against the search over every task's own blockers it replaced (kept here as the reference), after
 * random acquires and releases on locks of every kind; and on thousands of tasks queued on one lock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LockMode, type LockPrimitive, type LockRequest, Mutex, RwSem } from '../../../src/locks/primitives.js';
import { LinuxRwSem } from '../../../src/locks/linux-rwsem.js';
import { ListRangeLock } from '../../../src/locks/list-range.js';
import { RangeLock } from '../../../src/locks/range-lock.js';
import { TwoStateLock } from '../../../src/locks/two-state.js';
import { findCycle, firstOnCycle } from '../../../src/engine/wait-for.js';
import { type Held, type Task, TaskState } from '../../../src/engine/sim-types.js';

/** the tasks a blocked task waits for, each once, those waiting on a lock: the graph's edges as they were */
function successors(t: Task, tasks: Task[]): Task[] {
  const w = t.waitingFor;
  if (w === undefined || t.state !== TaskState.WaitLock || w.req.granted) return [];
  const out: Task[] = [];
  for (const r of w.req.lock.blockersOf(w.req)) if (!out.includes(tasks[r.task])) out.push(tasks[r.task]);
  return out.filter((n) => n.state === TaskState.WaitLock);
}

/** firstOnCycle as it was: Tarjan's algorithm over every blocked task's own successors */
function referenceFirstOnCycle(blocked: Task[], tasks: Task[]): Task | undefined {
  const index = new Map<Task, number>();
  const low = new Map<Task, number>();
  const onStack = new Set<Task>();
  const stack: Task[] = [];
  const cyclic = new Set<Task>();
  let counter = 0;
  const visit = (t: Task): void => {
    index.set(t, counter);
    low.set(t, counter++);
    stack.push(t);
    onStack.add(t);
    for (const n of successors(t, tasks)) {
      if (n === t) cyclic.add(t);
      else if (!index.has(n)) {
        visit(n);
        low.set(t, Math.min(low.get(t)!, low.get(n)!));
      } else if (onStack.has(n)) low.set(t, Math.min(low.get(t)!, index.get(n)!));
    }
    if (low.get(t) === index.get(t)) {
      const component = stack.splice(stack.lastIndexOf(t));
      for (const c of component) onStack.delete(c);
      if (component.length > 1) for (const c of component) cyclic.add(c);
    }
  };
  for (const t of blocked) if (!index.has(t) && t.state === TaskState.WaitLock) visit(t);
  return blocked.find((t) => cyclic.has(t));
}

const LOCKS: (() => LockPrimitive)[] = [
  () => new Mutex(),
  () => new RwSem('fifo'),
  () => new RwSem('reader-pref'),
  () => new LinuxRwSem(),
  () => new RangeLock('fifo', 3),
  () => new RangeLock('fifo'),
  () => new RangeLock('nested-shared-ok'),
  () => new ListRangeLock(),
  () => new TwoStateLock(),
];

type Action = { do: 'acquire'; task: number; mode: LockMode; start: number; length: number } | { do: 'release'; pick: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ do: fc.constant('acquire' as const), task: fc.integer({ min: 0, max: 9 }), mode: fc.constantFrom<LockMode>('S', 'X'), start: fc.integer({ min: 0, max: 20 }), length: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('release' as const), pick: fc.nat() }) },
);

const request = (task: number, mode: LockMode, start: number, end: number): LockRequest => ({ task, mode, start, end, granted: false, blockers: 0, requestedNs: 0, grantedNs: 0, spinning: false, woken: false });

/** tasks 0..n-1, each waiting for its last request (granted: it waits for a CPU) */
function tasksOn(made: { lock: LockPrimitive; req: LockRequest }[], n: number, asleep: Set<number> = new Set()): Task[] {
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) {
    tasks.push({ index: i, pid: 1000 + i, comm: `t${i}`, state: TaskState.OnCpu, waitSinceNs: i, waitingFor: undefined, top: { opRef: { id: i, kind: 'write', file: 'f' }, below: undefined, held: [] } } as unknown as Task);
  }
  for (const { lock, req } of made) {
    const t = tasks[req.task];
    t.waitingFor = { req: Object.assign(req, { lock }) as unknown as Held, step: { type: 'acquire', lockClass: 'range', key: 'f', spec: { kind: 'range' }, mode: req.mode, start: req.start, end: req.end, tag: 0 } } as never;
    t.state = asleep.has(req.task) ? TaskState.Ready : req.granted ? TaskState.WaitCpu : TaskState.WaitLock;
  }
  return tasks;
}

describe('firstOnCycle over the shared lists of blockers', () => {
  it('finds the task the search over every task\'s own blockers finds, and the same cycle through it, on 1 to 3 locks of every kind after random acquires and releases', () => {
    const runs = fc.array(fc.tuple(fc.integer({ min: 0, max: LOCKS.length - 1 }), fc.array(action, { maxLength: 40 })), { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(runs, fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }), fc.boolean(), (locks, asleep, reversed) => {
      const made: { lock: LockPrimitive; req: LockRequest }[] = [];
      for (const [which, actions] of locks) {
        const lock = LOCKS[which]();
        const present: LockRequest[] = [];
        for (const a of actions) {
          if (a.do === 'acquire') {
            const r = request(a.task, a.mode, a.start, a.start + a.length);
            lock.acquire(r);
            present.push(r);
            made.push({ lock, req: r });
          } else {
            const granted = present.filter((r) => r.granted);
            if (granted.length === 0) continue;
            const r = granted[a.pick % granted.length];
            present.splice(present.indexOf(r), 1);
            lock.release(r, 0);
          }
        }
      }
      const tasks = tasksOn(made, 10, new Set(asleep));
      const blocked = tasks.filter((t) => t.state === TaskState.WaitLock || t.state === TaskState.WaitCpu);
      if (reversed) blocked.reverse();
      const first = firstOnCycle(blocked, tasks);
      expect(first?.pid).toBe(referenceFirstOnCycle(blocked, tasks)?.pid);
      if (first !== undefined) expect(findCycle(first, tasks)).toBeDefined();
    }), { numRuns: 3000 });
  });

  it('20,000 tasks queued on one range with nothing on a cycle, then 2 of them in one, listed last: no task is asked for its blockers alone (each was, and each answer was the queue ahead of it)', () => {
    const n = 20_000;
    for (const modes of [['X'], ['S', 'X']] as LockMode[][]) {
      const lock = new RangeLock('fifo');
      const made = Array.from({ length: n }, (_, i) => ({ lock: lock as LockPrimitive, req: request(i, modes[i % modes.length], 0, 4096) }));
      for (const m of made) lock.acquire(m.req);
      const tasks = tasksOn(made, n);
      let asked = 0;
      const blockersOf = lock.blockersOf.bind(lock);
      lock.blockersOf = (r) => (asked++, blockersOf(r));
      expect(firstOnCycle(tasks, tasks)).toBeUndefined();
      // the first one waits for a task that holds the range and waits on another lock, behind the second
      const other = new Mutex();
      const held = request(1, 'X', 0, 1);
      other.acquire(held);
      const waits = request(0, 'X', 0, 1);
      other.acquire(waits);
      const cycle = tasksOn([...made.slice(2), { lock: other, req: held }, { lock: lock as LockPrimitive, req: made[1].req }, { lock: other, req: waits }], n);
      // (task 0's range request is granted and held; task 1 waits on the range behind it)
      expect(made[0].req.granted).toBe(true);
      const behind = [...cycle.slice(2), cycle[0], cycle[1]];
      expect(firstOnCycle(behind, cycle)?.pid).toBe(1000);
      expect(asked).toBe(0);
    }
  }, 60_000);
});
