/**
 * A deadlock report's blockers, asked of every blocked task at once: each lock's blockersOfMany
 * (requests queued alike share one list) against its blockersOf, kept as the reference, after
 * random acquires, releases and retries; and the wait-for graph's descriptions made from them
 * (describeBlockedTasks) against describeBlocked, one task at a time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LockMode, type LockPrimitive, type LockRequest, Mutex, RwSem } from '../../../src/locks/primitives.js';
import { LinuxRwSem } from '../../../src/locks/linux-rwsem.js';
import { ListRangeLock } from '../../../src/locks/list-range.js';
import { RangeLock } from '../../../src/locks/range-lock.js';
import { TwoStateLock } from '../../../src/locks/two-state.js';
import { describeBlocked, describeBlockedTasks } from '../../../src/engine/wait-for.js';
import { type Task, TaskState } from '../../../src/engine/sim-types.js';

type Action =
  | { do: 'acquire'; task: number; mode: LockMode; start: number; length: number; toEof: boolean }
  | { do: 'release'; pick: number }
  | { do: 'retry'; pick: number; nowNs: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ do: fc.constant('acquire' as const), task: fc.integer({ min: 0, max: 11 }), mode: fc.constantFrom<LockMode>('S', 'X'), start: fc.integer({ min: 0, max: 30 }), length: fc.integer({ min: 1, max: 10 }), toEof: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('retry' as const), pick: fc.nat(), nowNs: fc.integer({ min: 0, max: 20_000_000 }) }) },
);

/** every kind of lock a plan can name, and the policies that change their blockers */
const LOCKS: [string, () => LockPrimitive][] = [
  ['mutex', () => new Mutex()],
  ['rwsem fifo', () => new RwSem('fifo')],
  ['rwsem reader-pref', () => new RwSem('reader-pref')],
  ['rwsem linux', () => new LinuxRwSem()],
  ['range fifo (indexed from 4 present)', () => new RangeLock('fifo', 4)],
  ['range fifo', () => new RangeLock('fifo')],
  ['range reader-pref', () => new RangeLock('reader-pref')],
  ['range nested-shared-ok', () => new RangeLock('nested-shared-ok')],
  ['list-range', () => new ListRangeLock()],
  ['list-range exclusive only', () => new ListRangeLock(true)],
  ['two-state', () => new TwoStateLock()],
];

const request = (task: number, mode: LockMode, start: number, end: number, nowNs: number): LockRequest => ({ task, mode, start, end, granted: false, blockers: 0, requestedNs: nowNs, grantedNs: 0, spinning: false, woken: false });

/** runs the actions on a lock; returns every request made (granted, waiting and released) */
function run(lock: LockPrimitive, actions: Action[]): LockRequest[] {
  const made: LockRequest[] = [];
  const present = new Set<LockRequest>();
  let nowNs = 0;
  for (const a of actions) {
    nowNs += 1000;
    if (a.do === 'acquire') {
      const r = request(a.task, a.mode, a.start, a.toEof ? Infinity : a.start + a.length, nowNs);
      made.push(r);
      present.add(r);
      lock.acquire(r);
    } else if (a.do === 'release') {
      const granted = [...present].filter((r) => r.granted);
      if (granted.length === 0) continue;
      const r = granted[a.pick % granted.length];
      present.delete(r);
      lock.release(r, nowNs);
    } else if (lock.retry !== undefined) {
      const woken = [...present].filter((r) => r.woken && !r.granted);
      if (woken.length > 0) lock.retry(woken[a.pick % woken.length], nowNs + a.nowNs);
    }
  }
  return made;
}

function agree(lock: LockPrimitive, made: LockRequest[]): void {
  const answers = lock.blockersOfMany!(made);
  expect(answers).toHaveLength(made.length);
  made.forEach((r, i) => {
    const p = answers[i];
    if (p !== undefined) expect(p.list.slice(0, p.length)).toEqual(lock.blockersOf(r));
  });
}

describe('blockersOfMany', () => {
  it('gives each request the blockers blockersOf gives it, for every kind of lock, after random acquires, releases and retries', () => {
    for (const [name, make] of LOCKS) {
      fc.assert(fc.property(fc.array(action, { maxLength: 80 }), (actions) => {
        const lock = make();
        const made = run(lock, actions);
        // (and a request it never saw)
        agree(lock, [...made, request(99, 'X', 0, Infinity, 0), request(98, 'S', 3, 7, 0)]);
      }), { numRuns: 300, seed: name.length });
    }
  });

  it('answers every waiter of a FIFO queue with a prefix of one shared list (the report walks it once)', () => {
    const cases: [LockPrimitive, LockMode[]][] = [
      [new Mutex(), ['X', 'X', 'X']],
      [new RwSem('fifo'), ['X', 'S', 'X', 'S']],
      [new LinuxRwSem(), ['X', 'X', 'S']],
      [new RangeLock('fifo', 4), ['X', 'X', 'S', 'X', 'S', 'X']],
      [new TwoStateLock(), ['S', 'X', 'X']],
      [new ListRangeLock(), ['X', 'X', 'X']],
    ];
    for (const [lock, modes] of cases) {
      const reqs = [...modes, ...modes, ...modes].map((m, i) => request(i, m, 0, 100, i));
      for (const r of reqs) lock.acquire(r);
      const waiting = reqs.filter((r) => !r.granted);
      expect(waiting.length).toBeGreaterThan(3);
      const answers = lock.blockersOfMany!(waiting);
      expect(answers.every((p) => p !== undefined)).toBe(true);
      // as many lists as modes at most: every waiter of a mode shares one
      expect(new Set(answers.map((p) => p!.list)).size).toBeLessThanOrEqual(2);
      agree(lock, reqs);
    }
  });
});

/** blocked tasks, each waiting on a request of `locks`, as the engine keeps them */
function tasksOn(made: { lock: LockPrimitive; req: LockRequest }[], taskCount: number): Task[] {
  const tasks: Task[] = [];
  for (let i = 0; i < taskCount; i++) {
    tasks.push({
      index: i, pid: 1000 + i, comm: `t${i}`, state: TaskState.OnCpu, waitSinceNs: i, waitingFor: undefined,
      top: { opRef: { id: i, kind: 'write', file: 'f' }, below: undefined, held: [] },
    } as unknown as Task);
  }
  // a task waits for its last request, granted or not (a task waiting for a CPU may have one too)
  for (const { lock, req } of made) {
    const t = tasks[req.task];
    t.waitingFor = { req: Object.assign(req, { lock }), step: { type: 'acquire', lockClass: 'range', key: 'f', spec: { kind: 'range' }, mode: req.mode, start: req.start, end: req.end, tag: 0 } } as never;
    t.state = req.granted ? TaskState.WaitCpu : TaskState.WaitLock;
  }
  return tasks;
}

describe('describeBlockedTasks', () => {
  it('describes every task as describeBlocked does, tasks on several locks of every kind, some with requests on one lock twice', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: LOCKS.length - 1 }), fc.array(action, { maxLength: 60 })), { minLength: 1, maxLength: 3 }), (runs) => {
      const made: { lock: LockPrimitive; req: LockRequest }[] = [];
      for (const [which, actions] of runs) {
        const lock = LOCKS[which][1]();
        for (const req of run(lock, actions)) made.push({ lock, req });
      }
      const tasks = tasksOn(made, 12);
      const listed = [...tasks].reverse();
      expect(describeBlockedTasks(listed, tasks)).toEqual(listed.map((t) => describeBlocked(t, tasks)));
    }), { numRuns: 1500 });
  });

  it('names the first 16 of 3,000 tasks queued ahead and counts them, in one walk of the queue', () => {
    const lock = new RangeLock('fifo');
    const made = Array.from({ length: 3000 }, (_, i) => ({ lock: lock as LockPrimitive, req: request(i, i % 3 === 0 ? 'S' : 'X', 0, 4096, i) }));
    for (const m of made) lock.acquire(m.req);
    const tasks = tasksOn(made, made.length);
    let asked = 0;
    const blockersOf = lock.blockersOf.bind(lock);
    lock.blockersOf = (r) => (asked++, blockersOf(r));
    const described = describeBlockedTasks(tasks, tasks);
    expect(asked).toBe(0);
    lock.blockersOf = blockersOf;
    expect(described).toEqual(tasks.map((t) => describeBlocked(t, tasks)));
    const last = described[2999];
    expect(last.waitsForCount).toBe(2999);
    expect(last.waitsFor).toEqual(Array.from({ length: 16 }, (_, j) => 1000 + j));
    // a shared request waits only for the exclusive ones ahead
    expect(described[2997].waitsForCount).toBe(1998);
  });
});
