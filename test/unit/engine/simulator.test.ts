/**
 * The simulator, in-process, on hand-built ops and plans: every outcome column, the lock statistics,
 * the schedule log, the mmap_lock the engine adds, child ops, cost steps, deadlock reports.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type SimOptions } from '../../../src/engine/simulator.js';
import type { ScheduleLog } from '../../../src/engine/schedule-log.js';
import type { Op, OpKind } from '../../../src/model/op.js';
import { acquire, release, underOneLock, WORK_ALL, WORK_ONLY } from '../../../src/strategies/plan-helpers.js';
import { type LockSpec, type Step, type Strategy, ZERO_COSTS } from '../../../src/strategies/types.js';

const US = 1000;
const F = '7:0:133';
const MUTEX: LockSpec = { kind: 'mutex' };

interface OpIn { pid: number; kind?: OpKind; t: number; dur: number; off?: number; len?: number; file?: string; parent?: number; proc?: string }
function ops(list: OpIn[]): Op[] {
  return list.map((o, id) => ({
    id, tsNs: o.t * US, durNs: o.dur * US, pid: o.pid, proc: o.proc ?? `pid:${o.pid}`, comm: `t${o.pid}`, file: o.file ?? F,
    kind: o.kind ?? 'write', offset: o.off ?? 0, lengthBytes: o.len ?? 4096, line: id + 1, ...(o.parent !== undefined ? { parent: o.parent } : {}),
  }));
}
function strategy(plan: (op: Op) => readonly Step[], name = 'test'): Strategy {
  return { name, summary: '', source: 'test', rules: [], options: {}, plan };
}
const BASE: SimOptions = { mode: 'closed', timeScale: 1, cpus: 4, pageSizeBytes: 4096, costs: ZERO_COSTS, mmapLock: false, spin: false };
function sim(list: Op[], s: Strategy, opts: Partial<SimOptions> = {}, service?: number[]) {
  const ns = Float64Array.from(service ?? list.map((o) => o.durNs ?? 0));
  return simulate(list, ns, s, { ...BASE, ...opts });
}
const us = (a: Float64Array): number[] => [...a].map((v) => (v < 0 ? v : v / US));
const mutexOn = (key: (op: Op) => string = (o) => o.file): Strategy => strategy((o) => underOneLock(acquire('L', key(o), MUTEX, 'X', 0, Infinity, 0)));

class Recorder implements ScheduleLog {
  events: string[] = [];
  lockWait(op: number, cls: string, mode: string, s: number, e: number, from: number, to: number, spun: boolean): void {
    this.events.push(`wait ${op} ${cls} ${mode} [${s},${e}) ${from / US}-${to / US}${spun ? ' spun' : ''}`);
  }
  lockHold(op: number, cls: string, mode: string, s: number, e: number, from: number, to: number): void {
    this.events.push(`hold ${op} ${cls} ${mode} [${s},${e}) ${from / US}-${to / US}`);
  }
  cpuWait(op: number, from: number, to: number): void {
    this.events.push(`cpu ${op} ${from / US}-${to / US}`);
  }
  wake(from: number, to: number, at: number): void {
    this.events.push(`wake ${from}->${to} ${at / US}`);
  }
}

describe('outcome columns', () => {
  it('three writers on one mutex: intended, start, end, waits, sections, activation order', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 10 },
      { pid: 2, t: 2, dur: 5 },
      { pid: 3, t: 3, dur: 1 },
    ]);
    const r = sim(list, mutexOn());
    const o = r.outcomes;
    expect(us(o.intendedNs)).toEqual([0, 2, 3]);
    expect(us(o.startNs)).toEqual([0, 2, 3]);
    expect(us(o.endNs)).toEqual([10, 15, 16]);
    expect(us(o.lockWaitNs)).toEqual([0, 8, 12]);
    expect(us(o.cpuWaitNs)).toEqual([0, 0, 0]);
    expect(us(o.activeNs)).toEqual([0, 10, 15]);
    expect(us(o.workEndNs)).toEqual([10, 15, 16]);
    expect([...o.activeOrder]).toEqual([0, 1, 2]);
    expect(o.activeCount).toBe(3);
    expect([...o.done]).toEqual([1, 1, 1]);
    expect(r.completed).toBe(3);
    expect(r.makespanNs).toBe(16 * US);
    expect(r.cpuBusyNs).toBe(16 * US);
    expect(r.cpuWaitTotalNs).toBe(0);
    expect(r.spinNs).toBe(0);
    expect(r.stalled).toBeUndefined();
    expect(r.lockStats.get('L')).toEqual({ acquisitions: 3, contentions: 2, waitTotalNs: 20 * US, waitMaxNs: 12 * US, holdTotalNs: 16 * US, spins: 0, spinNs: 0 });
  });

  it('the activation order follows activeNs, not op index; ops that never work stay at -1', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 10, file: 'a' },
      { pid: 2, t: 1, dur: 2, file: 'a' },
      { pid: 3, t: 2, dur: 3, file: 'b' },
    ]);
    const r = sim(list, mutexOn());
    expect([...r.outcomes.activeOrder]).toEqual([0, 2, 1]);
    expect(us(r.outcomes.activeNs)).toEqual([0, 10, 2]);
    // a plan with no work step: no critical section
    const none = sim(ops([{ pid: 1, t: 0, dur: 5 }]), strategy(() => [acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0), release(0)]));
    expect(us(none.outcomes.activeNs)).toEqual([-1]);
    expect(us(none.outcomes.workEndNs)).toEqual([-1]);
    expect(none.outcomes.activeCount).toBe(0);
    expect(us(none.outcomes.endNs)).toEqual([0]);
    expect(none.completed).toBe(1);
  });

  it('makespan runs from the first issue to the last end; no ops give 0', () => {
    const list = ops([
      { pid: 1, t: 100, dur: 10 },
      { pid: 2, t: 150, dur: 10 },
    ]);
    const r = sim(list, strategy(() => WORK_ONLY));
    // times are relative to the first op: 0 and 50
    expect(us(r.outcomes.startNs)).toEqual([0, 50]);
    expect(r.makespanNs).toBe(60 * US);
    const empty = simulate([], new Float64Array(0), strategy(() => WORK_ONLY), BASE);
    expect(empty.makespanNs).toBe(0);
    expect(empty.completed).toBe(0);
    expect(empty.outcomes.activeCount).toBe(0);
  });

  it('reuses the outcome arrays of an earlier run of the same length, reset', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 0, dur: 4 }]);
    const first = sim(list, mutexOn());
    const ns = Float64Array.from([3 * US, 4 * US]);
    const second = simulate(list, ns, strategy(() => WORK_ONLY), BASE, undefined, first.outcomes);
    expect(second.outcomes).toBe(first.outcomes);
    expect(us(second.outcomes.endNs)).toEqual([3, 4]);
    expect(us(second.outcomes.lockWaitNs)).toEqual([0, 0]);
    expect(us(second.outcomes.activeNs)).toEqual([0, 0]);
    // a different length: fresh arrays
    const other = simulate(list.slice(0, 1), ns.subarray(0, 1), strategy(() => WORK_ONLY), BASE, undefined, first.outcomes);
    expect(other.outcomes).not.toBe(first.outcomes);
    // a stale activeNs/lockWait is not kept in a reset
    const third = simulate(list, ns, strategy(() => [acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0), release(0)]), BASE, undefined, first.outcomes);
    expect(us(third.outcomes.activeNs)).toEqual([-1, -1]);
    expect(third.outcomes.activeCount).toBe(0);
  });
});

describe('closed and open mode', () => {
  it('closed: the next op issues after the previous one ends plus the think time in the trace', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 10 },
      { pid: 1, t: 30, dur: 10 },
      { pid: 1, t: 35, dur: 1 },
    ]);
    // service 20 µs for the first op; without the trace's durations, think time is measured from
    // the end the service gives: 30 - (0 + 20) = 10 µs → issues at 30
    const r = sim(list, strategy(() => WORK_ONLY), {}, [20 * US, 10 * US, 1 * US]);
    expect(us(r.outcomes.intendedNs)).toEqual([0, 30, 40]);
    expect(us(r.outcomes.startNs)).toEqual([0, 30, 40]);
    // an op that overlaps the previous one in the trace has no think time (not negative)
    expect(us(r.outcomes.endNs)).toEqual([20, 40, 41]);
    // with the trace's durations (10, 10, 1): think 20 µs → 40; the third overlaps → at its end, 50
    const t = sim(list, strategy(() => WORK_ONLY), { traceDurNs: Float64Array.from([10 * US, 10 * US, US]) }, [20 * US, 10 * US, 1 * US]);
    expect(us(t.outcomes.intendedNs)).toEqual([0, 40, 50]);
    expect(us(t.outcomes.endNs)).toEqual([20, 50, 51]);
  });

  it('open: due at the trace timestamp × timeScale; a busy task starts late and its intended time stays', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 10 },
      { pid: 1, t: 4, dur: 10 },
      { pid: 1, t: 100, dur: 10 },
    ]);
    const r = sim(list, strategy(() => WORK_ONLY), { mode: 'open', timeScale: 2 });
    expect(us(r.outcomes.intendedNs)).toEqual([0, 8, 200]);
    expect(us(r.outcomes.startNs)).toEqual([0, 10, 200]);
    expect(us(r.outcomes.endNs)).toEqual([10, 20, 210]);
  });
});

describe('CPUs', () => {
  it('one CPU: FIFO queue, the waits counted per op and in total, logged', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 10, file: 'a' },
      { pid: 2, t: 1, dur: 10, file: 'b' },
      { pid: 3, t: 2, dur: 10, file: 'c' },
    ]);
    const log = new Recorder();
    const r = sim(list, strategy(() => WORK_ONLY), { cpus: 1, log });
    expect(us(r.outcomes.endNs)).toEqual([10, 20, 30]);
    expect(us(r.outcomes.cpuWaitNs)).toEqual([0, 9, 18]);
    expect(r.cpuWaitTotalNs).toBe(27 * US);
    expect(r.cpuBusyNs).toBe(30 * US);
    expect(us(r.outcomes.activeNs)).toEqual([0, 1, 2]);
    expect(log.events).toEqual(['cpu 1 1-10', 'cpu 2 2-20']);
  });

  it('cpus below 1 count as one', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'a' }, { pid: 2, t: 0, dur: 10, file: 'b' }]);
    expect(us(sim(list, strategy(() => WORK_ONLY), { cpus: 0 }).outcomes.endNs)).toEqual([10, 20]);
    expect(us(sim(list, strategy(() => WORK_ONLY), { cpus: 2 }).outcomes.endNs)).toEqual([10, 10]);
  });

  it('a CPU wait of 0 is not logged', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'a' }, { pid: 2, t: 10, dur: 10, file: 'b' }]);
    const log = new Recorder();
    sim(list, strategy(() => WORK_ONLY), { cpus: 1, log });
    expect(log.events).toEqual([]);
  });
});

describe('the schedule log and the lock-wait callback', () => {
  it('logs holds, waits and wake-ups with their ranges and times', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 4, dur: 6 }]);
    const log = new Recorder();
    const waits: string[] = [];
    const s = strategy(() => underOneLock(acquire('R', 'k', { kind: 'range', fairness: 'fifo' }, 'X', 4096, 8192, 3)));
    const r = sim(list, s, { log, onLockWait: (cls, op, ns, spun) => waits.push(`${cls} ${op} ${ns / US} ${spun}`) });
    expect(log.events).toEqual([
      'hold 0 R X [4096,8192) 0-10',
      'wake 0->1 10',
      'wait 1 R X [4096,8192) 4-10',
      'hold 1 R X [4096,8192) 10-16',
    ]);
    expect(waits).toEqual(['R 1 6 false']);
    expect(r.lockStats.get('R')?.holdTotalNs).toBe(16 * US);
  });

  it('a spinlock wait is logged as spun and reported to the callback as spun', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 2, dur: 5 }]);
    const log = new Recorder();
    const waits: string[] = [];
    const s = strategy(() => underOneLock(acquire('S', 'k', { kind: 'spinlock' }, 'X', 0, Infinity, 0)));
    const r = sim(list, s, { log, costs: { ...ZERO_COSTS, cacheMissNs: 500 }, onLockWait: (cls, op, ns, spun) => waits.push(`${cls} ${op} ${ns} ${spun}`) });
    expect(waits).toEqual(['S 1 8500 true']);
    expect(log.events).toContain('wait 1 S X [0,Infinity) 2-10.5 spun');
    expect(us(r.outcomes.endNs)).toEqual([10, 15.5]);
    expect(r.lockStats.get('S')).toEqual({ acquisitions: 2, contentions: 1, waitTotalNs: 8500, waitMaxNs: 8500, holdTotalNs: 15_000, spins: 1, spinNs: 8500 });
    expect(r.spinNs).toBe(8500);
    expect(r.cpuBusyNs).toBe(15 * US + 8500);
  });
});

describe('spinlocks and CPUs', () => {
  const SPIN: LockSpec = { kind: 'spinlock' };
  it('spin_lock() needs a CPU: with none free the task queues for one, then takes the lock on it', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'a' }, { pid: 2, t: 1, dur: 5, file: 'b' }]);
    const plan = (o: Op): readonly Step[] => (o.pid === 2 ? underOneLock(acquire('S', 'k', SPIN, 'X', 0, Infinity, 0)) : WORK_ONLY);
    const r = sim(list, strategy(plan), { cpus: 1 });
    expect(us(r.outcomes.startNs)).toEqual([1 - 1, 1]);
    expect(us(r.outcomes.endNs)).toEqual([10, 15]);
    expect(us(r.outcomes.cpuWaitNs)).toEqual([0, 9]);
    expect(us(r.outcomes.lockWaitNs)).toEqual([0, 0]);
    expect(r.cpuBusyNs).toBe(15 * US);
    expect(r.lockStats.get('S')).toMatchObject({ acquisitions: 1, contentions: 0, spins: 0 });
  });

  it('a spinlock holder keeps its CPU between its steps: a task waiting for a CPU gets it only after the release', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'a' }, { pid: 2, t: 1, dur: 4, file: 'b' }]);
    // task 1: spinlock, half its work, a lock wait-free mutex, the other half, releases
    const plan = (o: Op): readonly Step[] => (o.pid === 1
      ? [acquire('S', 'k', SPIN, 'X', 0, Infinity, 0), { type: 'work', fraction: 0.5 }, acquire('M', 'm', MUTEX, 'X', 0, Infinity, 1), { type: 'work', fraction: 0.5 }, release(1), release(0)]
      : WORK_ONLY);
    const r = sim(list, strategy(plan), { cpus: 1 });
    expect(us(r.outcomes.endNs)).toEqual([10, 14]);
    expect(us(r.outcomes.cpuWaitNs)).toEqual([0, 9]);
    // without the spinlock, the first task gives up the CPU after its first half: the second runs 5 → 9
    const plain = sim(list, strategy((o) => (o.pid === 1 ? [{ type: 'work', fraction: 0.5 }, { type: 'work', fraction: 0.5 }] : WORK_ONLY)), { cpus: 1 });
    expect(us(plain.outcomes.endNs)).toEqual([14, 9]);
  });

  it('a spinning waiter granted the lock has it a cache-line transfer later, and then holds the spinlock on its CPU', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 4 }, { pid: 3, t: 2, dur: 1, file: 'x' }]);
    const plan = (o: Op): readonly Step[] => (o.pid === 3 ? WORK_ONLY : underOneLock(acquire('S', 'k', SPIN, 'X', 0, Infinity, 0)));
    const r = sim(list, strategy(plan), { cpus: 2, costs: { ...ZERO_COSTS, cacheMissNs: 1000 } });
    // task 2 spins 1 → 10 on the second CPU, has the lock at 11, works to 15; task 3 waits for a CPU until 10
    expect(us(r.outcomes.endNs)).toEqual([10, 15, 11]);
    expect(us(r.outcomes.lockWaitNs)).toEqual([0, 10, 0]);
    expect(us(r.outcomes.cpuWaitNs)).toEqual([0, 0, 8]);
    expect(r.lockStats.get('S')).toEqual({ acquisitions: 2, contentions: 1, waitTotalNs: 10 * US, waitMaxNs: 10 * US, holdTotalNs: 14 * US, spins: 1, spinNs: 10 * US });
    expect(r.spinNs).toBe(10 * US);
  });
});

describe('optimistic spinning', () => {
  it('a writer spins on an rwsem\'s single running writer; not on its own hold, not on readers', () => {
    const RW: LockSpec = { kind: 'rwsem', fairness: 'fifo' };
    const costs = { ...ZERO_COSTS, cacheMissNs: 100, wakeupNs: 1000 };
    const mk = (modes: ('S' | 'X')[]) => strategy((o) => underOneLock(acquire('L', 'k', RW, modes[o.pid - 1], 0, Infinity, 0)));
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 10 }]);
    const xx = sim(list, mk(['X', 'X']), { costs, spin: true });
    expect(xx.lockStats.get('L')).toMatchObject({ spins: 1, spinNs: 9100 });
    expect(us(xx.outcomes.endNs)).toEqual([10, 20.1]);
    const sx = sim(list, mk(['S', 'X']), { costs, spin: true });
    expect(sx.lockStats.get('L')).toMatchObject({ spins: 0, spinNs: 0 });
    expect(us(sx.outcomes.endNs)).toEqual([10, 21]);
    const xs = sim(list, mk(['X', 'S']), { costs, spin: true });
    expect(xs.lockStats.get('L')).toMatchObject({ spins: 0 });
    expect(us(xs.outcomes.endNs)).toEqual([10, 21]);
    // a mutex in any mode: spins
    const m = sim(list, strategy(() => underOneLock(acquire('L', 'k', MUTEX, 'S', 0, Infinity, 0))), { costs, spin: true });
    expect(m.lockStats.get('L')).toMatchObject({ spins: 1 });
    // a range lock never spins
    const rl = sim(list, strategy(() => underOneLock(acquire('L', 'k', { kind: 'range', fairness: 'fifo' }, 'X', 0, 10, 0))), { costs, spin: true });
    expect(rl.lockStats.get('L')).toMatchObject({ spins: 0 });
    expect(us(rl.outcomes.endNs)).toEqual([10, 21]);
  });

  it('a task that takes a mutex it already holds waits for itself: a cycle of one, no spinning', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }]);
    const r = sim(list, strategy(() => [acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0), acquire('L', 'k', MUTEX, 'X', 0, Infinity, 1), WORK_ALL, release(1), release(0)]), { spin: true });
    expect(r.lockStats.get('L')).toMatchObject({ spins: 0, contentions: 1 });
    expect(r.stalled?.reason).toBe('cycle');
    expect(r.stalled?.cycle.map((b) => b.pid)).toEqual([1]);
  });
});

describe('lock instances and kinds', () => {
  it('each (class, key) is one lock, whatever keys came between', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'a' }, { pid: 2, t: 1, dur: 2, file: 'b' }, { pid: 3, t: 2, dur: 2, file: 'a' }]);
    const r = sim(list, mutexOn());
    expect(us(r.outcomes.endNs)).toEqual([10, 3, 12]);
    expect(us(r.outcomes.lockWaitNs)).toEqual([0, 0, 8]);
  });

  it('list-range and two-state specs make those locks', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 2 }, { pid: 3, t: 2, dur: 2 }]);
    // two-state: the block state (X) is shared among its requests; the add state (S) waits for it
    const two = sim(list, strategy((o) => underOneLock(acquire('P', 'k', { kind: 'two-state' }, o.pid === 3 ? 'S' : 'X', 0, Infinity, 0))));
    expect(us(two.outcomes.endNs)).toEqual([10, 3, 12]);
    // list-range: no queue, shared ranges pass a sleeping exclusive one
    const lr = sim(list, strategy((o) => underOneLock(acquire('R', 'k', { kind: 'list-range', exclusiveOnly: false }, o.pid === 2 ? 'X' : 'S', 0, 100, 0))));
    expect(us(lr.outcomes.endNs)).toEqual([10, 12, 4]);
    // exclusive-only: shared requests exclude each other
    const ex = sim(list, strategy((o) => underOneLock(acquire('R', 'k', { kind: 'list-range', exclusiveOnly: true }, 'S', 0, 100, 0))));
    expect(us(ex.outcomes.endNs)).toEqual([10, 12, 14]);
    // a range lock of reader-pref fairness: a shared request passes the waiting exclusive one
    const rp = sim(list, strategy((o) => underOneLock(acquire('R', 'k', { kind: 'range', fairness: 'reader-pref' }, o.pid === 2 ? 'X' : 'S', 0, 100, 0))));
    expect(us(rp.outcomes.endNs)).toEqual([10, 12, 4]);
    // an rwsem of reader-pref fairness, likewise
    const rw = sim(list, strategy((o) => underOneLock(acquire('R', 'k', { kind: 'rwsem', fairness: 'reader-pref' }, o.pid === 2 ? 'X' : 'S', 0, Infinity, 0))));
    expect(us(rw.outcomes.endNs)).toEqual([10, 12, 4]);
    const fifo = sim(list, strategy((o) => underOneLock(acquire('R', 'k', { kind: 'rwsem', fairness: 'fifo' }, o.pid === 2 ? 'X' : 'S', 0, Infinity, 0))));
    expect(us(fifo.outcomes.endNs)).toEqual([10, 12, 14]);
  });

  it('a release names the latest acquire of its tag, wherever it is among the held locks', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 2 }]);
    const plan = (o: Op): readonly Step[] => (o.pid === 1
      ? [acquire('A', 'k', MUTEX, 'X', 0, Infinity, 5), acquire('B', 'k', MUTEX, 'X', 0, Infinity, 6), { type: 'work', fraction: 0.5 }, release(5), { type: 'work', fraction: 0.5 }, release(6)]
      : underOneLock(acquire('A', 'k', MUTEX, 'X', 0, Infinity, 0)));
    const r = sim(list, strategy(plan));
    // A is released half-way: the second task has it at 5
    expect(us(r.outcomes.endNs)).toEqual([10, 7]);
    expect(() => sim(ops([{ pid: 1, t: 0, dur: 1 }]), strategy(() => [acquire('A', 'k', MUTEX, 'X', 0, Infinity, 1), release(2), release(1)]))).toThrow('release of tag 2, which no acquire of this op holds');
  });

  it('a mutex holder gives up its CPU between steps (only a spinlock holder keeps it)', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'a' }, { pid: 2, t: 1, dur: 4, file: 'b' }]);
    const r = sim(list, strategy((o) => (o.pid === 1 ? [acquire('M', 'm', MUTEX, 'X', 0, Infinity, 0), { type: 'work', fraction: 0.5 }, { type: 'work', fraction: 0.5 }, release(0)] : WORK_ONLY)), { cpus: 1 });
    expect(us(r.outcomes.endNs)).toEqual([14, 9]);
  });

  it('a waiter with no CPU to spin on sleeps', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 2 }]);
    const r = sim(list, mutexOn(), { cpus: 1, spin: true, costs: { ...ZERO_COSTS, cacheMissNs: 100, wakeupNs: 1000 } });
    expect(r.lockStats.get('L')).toMatchObject({ spins: 0, spinNs: 0 });
    expect(us(r.outcomes.endNs)).toEqual([10, 13]);
  });

  it('munmap takes mmap_lock exclusively: it waits for a fault of its process', () => {
    const list = ops([{ pid: 1, kind: 'fault-read', t: 0, dur: 10, proc: 'P' }, { pid: 2, kind: 'munmap', t: 1, dur: 2, proc: 'P' }]);
    expect(us(sim(list, strategy(() => WORK_ONLY), { mmapLock: true }).outcomes.endNs)).toEqual([10, 12]);
  });

  it('a cost after the work is not work: the critical section ends with the work; a zero cost needs no CPU', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'a' }, { pid: 2, t: 1, dur: 2, file: 'b' }]);
    const r = sim(list, strategy((o) => (o.pid === 1 ? [WORK_ALL, { type: 'cost', baseNs: 500 }] : [{ type: 'cost', baseNs: 0 }, acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0), release(0)])), { cpus: 1 });
    expect(us(r.outcomes.workEndNs)).toEqual([10, -1]);
    expect(us(r.outcomes.endNs)).toEqual([10.5, 1]);
    expect(us(r.outcomes.cpuWaitNs)).toEqual([0, 0]);
  });
});

describe('lock costs', () => {
  it('acquire and release atomics are charged with the next work or at the end; a sleeper pays the wakeup', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 10 }]);
    const costs = { ...ZERO_COSTS, atomicNs: 100, wakeupNs: 1000 };
    const r = sim(list, mutexOn(), { costs });
    // op 0: 100 (acquire) + 10 µs, release at 10.1, its 100 ns after: ends 10.2
    // op 1: granted at 10.1, 100 + 1000 + 10 µs of work → releases at 21.2, ends 21.3
    expect(us(r.outcomes.endNs)).toEqual([10.2, 21.3]);
    expect(us(r.outcomes.lockWaitNs)).toEqual([0, 9.1]);
    expect(r.cpuBusyNs).toBe(10_200 + 11_200);
  });
});

describe('the mmap_lock the engine adds', () => {
  it('faults take their process\'s mmap_lock shared around the whole plan; mmap and munmap exclusive', () => {
    const list = ops([
      { pid: 1, kind: 'fault-read', t: 0, dur: 10, proc: 'P' },
      { pid: 2, kind: 'mmap', t: 1, dur: 2, proc: 'P' },
      { pid: 3, kind: 'fault-write', t: 2, dur: 3, proc: 'P' },
      { pid: 4, kind: 'munmap', t: 3, dur: 1, proc: 'Q' },
    ]);
    const r = sim(list, strategy(() => WORK_ONLY), { mmapLock: true });
    // the mmap waits for the read fault; the write fault queues behind the waiting writer (rwsem FIFO)
    expect(us(r.outcomes.endNs)).toEqual([10, 12, 15, 4]);
    expect(r.lockStats.get('mmap_lock')).toMatchObject({ acquisitions: 4, contentions: 2 });
    const off = sim(list, strategy(() => WORK_ONLY), { mmapLock: false });
    expect(us(off.outcomes.endNs)).toEqual([10, 3, 5, 4]);
    expect(off.lockStats.has('mmap_lock')).toBe(false);
    // the default is on
    const def = simulate(list, Float64Array.from(list.map((o) => o.durNs as number)), strategy(() => WORK_ONLY), { mode: 'closed', timeScale: 1, cpus: 4, pageSizeBytes: 4096, costs: ZERO_COSTS, spin: false });
    expect(us(def.outcomes.endNs)).toEqual([10, 12, 15, 4]);
  });

  it('direct IO takes it shared after the strategy\'s locks, just before its work; a plan without work gets none', () => {
    const list = ops([
      { pid: 1, kind: 'mmap', t: 0, dur: 10, proc: 'P' },
      { pid: 2, kind: 'dio-read', t: 1, dur: 2, proc: 'P' },
      { pid: 3, kind: 'dio-write', t: 1, dur: 2, proc: 'P', file: 'other' },
    ]);
    const log = new Recorder();
    const r = sim(list, strategy((o) => (o.kind === 'mmap' ? WORK_ONLY : underOneLock(acquire('L', o.file, MUTEX, 'X', 0, Infinity, 0)))), { mmapLock: true, log });
    expect(us(r.outcomes.endNs)).toEqual([10, 12, 12]);
    // the strategy lock was taken at 1, before the mmap_lock wait
    expect(log.events).toContain('hold 1 L X [0,Infinity) 1-12');
    expect(log.events).toContain('wait 1 mmap_lock S [0,Infinity) 1-10');
    expect(log.events).toContain('hold 1 mmap_lock S [0,Infinity) 10-10');
    const noWork = sim(list, strategy((o) => (o.kind === 'mmap' ? WORK_ONLY : [acquire('L', o.file, MUTEX, 'X', 0, Infinity, 0), release(0)])), { mmapLock: true });
    expect(us(noWork.outcomes.endNs)).toEqual([10, 1, 1]);
    expect(noWork.lockStats.get('mmap_lock')?.acquisitions).toBe(1);
    // buffered IO takes no mmap_lock
    const buffered = sim(ops([{ pid: 1, kind: 'mmap', t: 0, dur: 10, proc: 'P' }, { pid: 2, kind: 'read', t: 1, dur: 2, proc: 'P' }, { pid: 3, kind: 'write', t: 1, dur: 2, proc: 'P' }]), strategy(() => WORK_ONLY), { mmapLock: true });
    expect(us(buffered.outcomes.endNs)).toEqual([10, 3, 3]);
  });
});

describe('child ops', () => {
  it('children run at their recorded positions in the parent\'s own work', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 20, off: 1 << 20 },
      { pid: 1, kind: 'fault-read', t: 3, dur: 2, parent: 0 },
      { pid: 1, kind: 'fault-read', t: 10, dur: 4, parent: 0 },
    ]);
    const r = sim(list, strategy(() => WORK_ONLY));
    // own work 20 - 6 = 14: child 1 after 3 µs, child 2 after 10 - 2 = 8 µs of own work
    expect(us(r.outcomes.startNs)).toEqual([0, 3, 10]);
    expect(us(r.outcomes.endNs)).toEqual([20, 5, 14]);
    expect(us(r.outcomes.intendedNs)).toEqual([0, 3, 10]);
    expect(r.completed).toBe(3);
    expect(r.cpuBusyNs).toBe(20 * US);
  });

  it('a child recorded before its parent runs first; one recorded past the parent\'s own work runs at its end', () => {
    const list = ops([
      { pid: 1, t: 5, dur: 10 },
      { pid: 1, kind: 'fault-read', t: 1, dur: 2, parent: 0 },
      { pid: 1, kind: 'fault-read', t: 1000, dur: 3, parent: 0 },
    ]);
    const r = sim(list, strategy(() => WORK_ONLY));
    // own 10 - 5 = 5 µs; child 1 at position 0; child 2 at min(5, ...) = 5, after all the own work
    // (and after child 1's 2 µs)
    expect(us(r.outcomes.startNs)).toEqual([0, 0, 7]);
    expect(us(r.outcomes.endNs)).toEqual([10, 2, 10]);
    // children whose service exceeds the parent's leave it no own work
    const big = ops([
      { pid: 1, t: 0, dur: 4 },
      { pid: 1, kind: 'fault-read', t: 1, dur: 6, parent: 0 },
    ]);
    expect(us(sim(big, strategy(() => WORK_ONLY)).outcomes.endNs)).toEqual([6, 6]);
  });

  it('positions never go back: a child listed later but timed earlier runs after the one before it', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 20 },
      { pid: 1, kind: 'fault-read', t: 10, dur: 1, parent: 0 },
      { pid: 1, kind: 'fault-read', t: 2, dur: 1, parent: 0 },
    ]);
    const r = sim(list, strategy(() => WORK_ONLY));
    // own 18; child 1 at 10; child 2 at max(0, 2 - 0 - 1) = 1, pushed to 10
    expect(us(r.outcomes.startNs)).toEqual([0, 10, 11]);
  });

  it('a children step runs every child there, in order; a plan without work runs them at its end', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 10 },
      { pid: 1, kind: 'fault-read', t: 5, dur: 2, parent: 0 },
      { pid: 1, kind: 'fault-read', t: 6, dur: 1, parent: 0 },
    ]);
    const first = strategy((o) => (o.kind === 'write' ? [{ type: 'children' }, ...underOneLock(acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0))] : WORK_ONLY));
    const r = sim(list, first);
    expect(us(r.outcomes.startNs)).toEqual([0, 0, 2]);
    expect(us(r.outcomes.endNs)).toEqual([10, 2, 3]);
    // the parent's critical section starts after the children
    expect(us(r.outcomes.activeNs)).toEqual([3, 0, 2]);
    expect([...r.outcomes.activeOrder]).toEqual([1, 2, 0]);
    const noWork = strategy((o) => (o.kind === 'write' ? [acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0), release(0)] : WORK_ONLY));
    const n = sim(list, noWork);
    expect(us(n.outcomes.startNs)).toEqual([0, 0, 2]);
    expect(us(n.outcomes.endNs)).toEqual([3, 2, 3]);
    // a children step with no children is passed
    const alone = sim(ops([{ pid: 1, t: 0, dur: 4 }]), strategy(() => [{ type: 'children' }, WORK_ALL]));
    expect(us(alone.outcomes.endNs)).toEqual([4]);
  });

  it('a child of a child runs inside it; parents found through ids that are not indices', () => {
    const list: Op[] = ops([
      { pid: 1, t: 0, dur: 10 },
      { pid: 1, kind: 'fault-read', t: 2, dur: 4 },
      { pid: 1, kind: 'fault-read', t: 3, dur: 1 },
    ]).map((o, i) => ({ ...o, id: 10 + i, ...(i === 1 ? { parent: 10 } : i === 2 ? { parent: 11 } : {}) }));
    const r = sim(list, strategy(() => WORK_ONLY));
    // parent own 6: child at 2; its own 3: grandchild at 1 → 3..4
    expect(us(r.outcomes.startNs)).toEqual([0, 2, 3]);
    expect(us(r.outcomes.endNs)).toEqual([10, 6, 4]);
  });
});

describe('cost steps', () => {
  it('a cost runs on a CPU outside the op\'s work; its walk counts the named lock\'s holders and waiters', () => {
    const list = ops([
      { pid: 1, t: 0, dur: 10 },
      { pid: 2, t: 1, dur: 10 },
      { pid: 3, t: 2, dur: 10 },
    ]);
    const R: LockSpec = { kind: 'range', fairness: 'fifo' };
    const plan = (o: Op): readonly Step[] => o.pid === 3
      ? [{ type: 'cost', baseNs: 100, perNodeNs: 1000, nodesOf: { lockClass: 'R', key: 'k' } }, WORK_ALL]
      : underOneLock(acquire('R', 'k', R, 'X', 0, 10, 0));
    const r = sim(list, strategy(plan));
    // at 2: one holder and one waiter → 100 + 2 × 1000 ns of cost before the work
    expect(us(r.outcomes.endNs)).toEqual([10, 20, 14.1]);
    expect(us(r.outcomes.activeNs)[2]).toBe(4.1);
    expect(r.cpuBusyNs).toBe(32_100);
    // logNodes: (1 + R)·log2(R + 2) with R = 2 → 3 × 2 = 6 nodes
    const logPlan = (o: Op): readonly Step[] => o.pid === 3
      ? [{ type: 'cost', baseNs: 0, perNodeNs: 1000, nodesOf: { lockClass: 'R', key: 'k' }, logNodes: true }, WORK_ALL]
      : underOneLock(acquire('R', 'k', R, 'X', 0, 10, 0));
    expect(us(sim(list, strategy(logPlan)).outcomes.endNs)[2]).toBe(18);
    // a lock that does not exist (yet), or another key: no nodes; no perNodeNs: none charged
    const missing = (o: Op): readonly Step[] => o.pid === 3
      ? [{ type: 'cost', baseNs: 500, perNodeNs: 1000, nodesOf: { lockClass: 'R', key: 'other' } }, { type: 'cost', baseNs: 0, perNodeNs: 1000, nodesOf: { lockClass: 'nope', key: 'k' } }, { type: 'cost', baseNs: 250, nodesOf: { lockClass: 'R', key: 'k' } }, WORK_ALL]
      : underOneLock(acquire('R', 'k', R, 'X', 0, 10, 0));
    expect(us(sim(list, strategy(missing)).outcomes.endNs)[2]).toBe(12.75);
    // a mutex's nodes are its holders only (no waiting count)
    const M = (o: Op): readonly Step[] => o.pid === 3
      ? [{ type: 'cost', baseNs: 0, perNodeNs: 1000, nodesOf: { lockClass: 'M', key: 'k' } }, WORK_ALL]
      : underOneLock(acquire('M', 'k', MUTEX, 'X', 0, Infinity, 0));
    expect(us(sim(list, strategy(M)).outcomes.endNs)[2]).toBe(13);
  });

  it('a zero cost takes no CPU segment; the owed atomics go with a cost', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }]);
    const costs = { ...ZERO_COSTS, atomicNs: 100 };
    const r = sim(list, strategy(() => [acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0), { type: 'cost', baseNs: 0 }, WORK_ALL, release(0)]), { costs });
    expect(us(r.outcomes.endNs)).toEqual([10.2]);
    expect(us(r.outcomes.activeNs)).toEqual([0.1]);
    const zero = sim(list, strategy(() => [{ type: 'cost', baseNs: 0 }, WORK_ALL]));
    expect(us(zero.outcomes.activeNs)).toEqual([0]);
    expect(zero.cpuBusyNs).toBe(10 * US);
    const rounded = sim(list, strategy(() => [{ type: 'cost', baseNs: 0.4 }, WORK_ALL]));
    expect(us(rounded.outcomes.activeNs)).toEqual([0]);
  });
});

describe('work shares', () => {
  it('a plan\'s work fractions split the service time; a release between them ends the section only at the last work', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 10 }]);
    const plan = (): readonly Step[] => [acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0), { type: 'work', fraction: 0.3 }, release(0), { type: 'work', fraction: 0.7 }];
    const r = sim(list, strategy(plan));
    expect(us(r.outcomes.endNs)).toEqual([10, 13]);
    expect(us(r.outcomes.lockWaitNs)).toEqual([0, 2]);
    expect(us(r.outcomes.workEndNs)).toEqual([10, 13]);
    expect(us(r.outcomes.activeNs)).toEqual([0, 3]);
    expect(r.outcomes.activeCount).toBe(2);
    expect([...r.outcomes.activeOrder]).toEqual([0, 1]);
    expect(r.lockStats.get('L')?.holdTotalNs).toBe(6 * US);
  });

  it('fractions are rounded to whole ns', () => {
    const r = sim(ops([{ pid: 1, t: 0, dur: 0.01 }]), strategy(() => [{ type: 'work', fraction: 1 / 3 }, { type: 'work', fraction: 1 / 3 }]));
    expect(r.outcomes.endNs[0]).toBe(6);
  });
});

describe('deadlocks', () => {
  it('an ABBA cycle is found when the second task blocks, and reported with both tasks in wait order', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'f' }, { pid: 2, t: 1, dur: 10, file: 'g' }]);
    const plan = (o: Op): readonly Step[] => {
      const [a, b] = o.pid === 1 ? ['A', 'B'] : ['B', 'A'];
      return [acquire(a, 'k', MUTEX, 'X', 0, Infinity, 0), { type: 'work', fraction: 0.5 }, acquire(b, 'k', MUTEX, 'X', 0, Infinity, 1), { type: 'work', fraction: 0.5 }, release(1), release(0)];
    };
    const r = sim(list, strategy(plan));
    expect(r.completed).toBe(0);
    expect(r.stalled?.reason).toBe('cycle');
    expect(r.stalled?.atNs).toBe(6 * US);
    expect(r.stalled?.cycle).toEqual([
      { pid: 2, comm: 't2', opId: 1, kind: 'write', file: 'g', lockClass: 'A', lockKey: 'k', mode: 'X', start: 0, end: Infinity, sinceNs: 6 * US, waitsFor: [1], waitsForCount: 1 },
      { pid: 1, comm: 't1', opId: 0, kind: 'write', file: 'f', lockClass: 'B', lockKey: 'k', mode: 'X', start: 0, end: Infinity, sinceNs: 5 * US, waitsFor: [2], waitsForCount: 1 },
    ]);
    expect(r.stalled?.blocked.map((b) => b.pid)).toEqual([1, 2]);
    expect([...r.outcomes.done]).toEqual([0, 0]);
  });

  it('a task blocked on a lock nobody releases, with no cycle, is a stall', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 2 }, { pid: 3, t: 2, dur: 2, file: 'x' }]);
    // task 1 takes L twice (a mutex): it waits for itself... which is a cycle of one. Use a lock held by a finished op instead: no.
    const plan = (o: Op): readonly Step[] => (o.pid === 1 ? [acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0), WORK_ALL, acquire('L', 'k', MUTEX, 'X', 0, Infinity, 1), release(1), release(0)]
      : o.pid === 2 ? underOneLock(acquire('L', 'k', MUTEX, 'X', 0, Infinity, 0)) : WORK_ONLY);
    const r = sim(list, strategy(plan));
    expect(r.completed).toBe(1);
    expect(r.stalled?.reason).toBe('cycle');
    expect(r.stalled?.cycle.map((b) => b.pid)).toEqual([1]);
    expect(r.stalled?.cycle[0].waitsFor).toEqual([1, 2]);
    expect(r.stalled?.cycle[0].waitsForCount).toBe(2);
  });

  it('a FIFO range lock deadlock found only at the end (no cycle when the last task blocked) is reported as a stall with its cycle', () => {
    // task 1 holds S [0,10) and later wants S [0,10) again; task 2 queued X [0,10) in between
    const R: LockSpec = { kind: 'range', fairness: 'fifo' };
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 1, dur: 10 }]);
    const plan = (o: Op): readonly Step[] => (o.pid === 1
      ? [acquire('R', 'k', R, 'S', 0, 10, 0), { type: 'work', fraction: 0.5 }, acquire('R', 'k', R, 'S', 0, 10, 1), { type: 'work', fraction: 0.5 }, release(1), release(0)]
      : underOneLock(acquire('R', 'k', R, 'X', 0, 10, 0)));
    const r = sim(list, strategy(plan));
    expect(r.stalled?.reason).toBe('cycle');
    expect(r.stalled?.cycle.map((b) => [b.pid, b.mode, b.waitsFor])).toEqual([[1, 'S', [2]], [2, 'X', [1]]]);
  });

  it('a stall without a cycle: a waiter behind a lock its holder never releases because the holder waits for a CPU... (no such state): blocked tasks with nothing left to happen', () => {
    // a spinlock holder that then waits on a mutex held by a sleeping-forever task is a cycle too;
    // the stall report path is exercised with a lock held across ops of an earlier task that ended
    // in a deadlock between two others
    const list = ops([{ pid: 1, t: 0, dur: 10, file: 'f' }, { pid: 2, t: 1, dur: 10, file: 'g' }, { pid: 3, t: 2, dur: 1, file: 'h' }]);
    const plan = (o: Op): readonly Step[] => {
      if (o.pid === 3) return underOneLock(acquire('A', 'k', MUTEX, 'X', 0, Infinity, 0));
      const [a, b] = o.pid === 1 ? ['A', 'B'] : ['B', 'A'];
      return [acquire(a, 'k', MUTEX, 'X', 0, Infinity, 0), { type: 'work', fraction: 0.5 }, acquire(b, 'k', MUTEX, 'X', 0, Infinity, 1), { type: 'work', fraction: 0.5 }, release(1), release(0)];
    };
    const r = sim(list, strategy(plan));
    expect(r.stalled?.reason).toBe('cycle');
    // the third task waits for A behind task 2 (FIFO): blocked, not in the cycle
    expect(r.stalled?.blocked.map((b) => [b.pid, b.lockClass, b.waitsFor])).toEqual([[1, 'B', [2]], [2, 'A', [1, 3]], [3, 'A', [1]]]);
  });
});

describe('invariants: messages', () => {
  const fail = (list: Op[], s: Strategy, service?: number[], opts: Partial<SimOptions> = {}): string => {
    try {
      sim(list, s, opts, service);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  const one = ops([{ pid: 1, t: 0, dur: 10 }]);

  it('name the strategy, the op, the step and what broke', () => {
    expect(fail(one, strategy(() => [WORK_ALL, release(7)], 'S1'))).toBe('internal error in the replay engine: strategy S1, op 0 (write, line 1), step 1 of 2 (release): release of tag 7, which no acquire of this op holds');
    expect(fail(one, strategy(() => [acquire('L', 'k', MUTEX, 'X', 0, Infinity, 4), WORK_ALL], 'S2'))).toBe('internal error in the replay engine: strategy S2, op 0 (write, line 1), after its last step (2): the op completes holding 1 lock(s) its plan did not release (the last: L X [0, Infinity), tag 4)');
    expect(fail(one, strategy(() => [{ type: 'work', fraction: 0 }]))).toBe('internal error in the replay engine: strategy test, op 0 (write, line 1), step 0 of 1 (work): work fraction 0 is not in (0, 1]');
    expect(fail(one, strategy(() => [{ type: 'work', fraction: 1.5 }]))).toContain('work fraction 1.5 is not in (0, 1]');
    expect(fail(one, strategy(() => [{ type: 'work', fraction: 1 }]))).toBe('no error');
    expect(fail(one, strategy(() => [acquire('L', 'k', MUTEX, 'X', 5, 5, 0), WORK_ALL, release(0)]))).toContain('step 0 of 3 (acquire): acquire of L names an empty or invalid range [5, 5)');
    expect(fail(one, strategy(() => [{ type: 'cost', baseNs: -1 }]))).toContain('step 0 of 1 (cost): cost of -1 ns is not a finite number >= 0');
    expect(fail(one, strategy(() => [{ type: 'cost', baseNs: Infinity }]))).toContain('cost of Infinity ns');
    expect(fail(one, strategy(() => WORK_ONLY), [-5])).toBe('internal error in the replay engine: strategy test, op 0 (write, line 1), before its plan: service time -5 ns is not a finite number >= 0');
    expect(fail(one, strategy(() => WORK_ONLY), [Infinity])).toContain('service time Infinity ns');
    expect(fail(one, strategy(() => WORK_ONLY), [0])).toBe('no error');
    const back = ops([{ pid: 1, t: 5, dur: 1 }, { pid: 2, t: 0, dur: 1 }]);
    expect(fail(back, strategy(() => WORK_ONLY), undefined, { mode: 'open' })).toMatch(/^internal error in the replay engine: strategy test, op 1 \(write, line 2\), before its plan: virtual time -5000 ns is not finite or goes back \(from 0 ns\)$/);
  });

  it('a loop past the event budget', () => {
    const list = ops([{ pid: 1, t: 0, dur: 10 }, { pid: 2, t: 0, dur: 10 }]);
    expect(fail(list, mutexOn(), undefined, { eventsPerStep: 0 })).toBe('internal error in the replay engine: strategy test, op 0 (write, line 1), before its plan: the run took more than 0 events per op and plan step (0): a loop');
    // one op of one step: 2 events (issue, CPU done) within 1 × (1 op + 1 step): exactly at the bound
    expect(fail(list.slice(0, 1), strategy(() => WORK_ONLY), undefined, { eventsPerStep: 1 })).toBe('no error');
    // two ops on a mutex: 5 events within 1 × (2 + 6)
    expect(fail(list, mutexOn(), undefined, { eventsPerStep: 1 })).toBe('no error');
  });
});
