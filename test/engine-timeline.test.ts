import { describe, expect, it } from 'vitest';
import { simulate, type SimOptions } from '../src/engine/simulator.js';
import type { Op, OpKind } from '../src/model/op.js';
import { createStrategy } from '../src/strategies/index.js';
import { acquire, release, underOneLock, WORK_ALL, WORK_ONLY } from '../src/strategies/plan-helpers.js';
import { DEFAULT_COSTS, type LockSpec, type Strategy, ZERO_COSTS } from '../src/strategies/types.js';

const US = 1000;
const F = '7:0:133';

/** Builds ops in issue order; times in µs. */
function ops(list: { pid: number; kind: OpKind; t: number; dur: number; off: number; len: number; file?: string; parent?: number }[]): Op[] {
  return list.map((o, id) => ({
    id, tsNs: o.t * US, durNs: o.dur * US, pid: o.pid, proc: `pid:${o.pid}`, comm: `t${o.pid}`, file: o.file ?? F,
    kind: o.kind, offset: o.off, lengthBytes: o.len, line: id + 1, ...(o.parent !== undefined ? { parent: o.parent } : {}),
  }));
}

function run(list: Op[], strategy: string, opts: Partial<SimOptions> = {}) {
  const service = Float64Array.from(list.map((o) => o.durNs ?? 0));
  const sim = simulate(list, service, createStrategy(strategy), { mode: 'closed', timeScale: 1, cpus: 8, pageSizeBytes: 4096, costs: ZERO_COSTS, ...opts });
  // [start, end, lockWait] per op in µs
  const o = sim.outcomes;
  return { sim, t: list.map((_, i) => [o.startNs[i] / US, o.endNs[i] / US, o.lockWaitNs[i] / US]) };
}

describe('exact timelines per strategy', () => {
  const twoWriters = ops([
    { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
    { pid: 2, kind: 'write', t: 0, dur: 10, off: 65536, len: 4096 },
  ]);

  it('two buffered writers on disjoint pages run concurrently under range-lock and page-lock', () => {
    for (const s of ['range-lock', 'page-lock', 'none']) {
      expect(run(twoWriters, s).t).toEqual([[0, 10, 0], [0, 10, 0]]);
    }
  });

  it('... and serialise under i-mutex: the second waits from 0 to 10 µs', () => {
    const { t, sim } = run(twoWriters, 'i-mutex');
    expect(t).toEqual([[0, 10, 0], [0, 20, 10]]);
    expect(sim.lockStats.get('i_mutex')).toMatchObject({ acquisitions: 2, contentions: 1, waitTotalNs: 10 * US, waitMaxNs: 10 * US, holdTotalNs: 20 * US });
  });

  it('a punch over a page being faulted waits under range-lock, not under page-lock once past the page', () => {
    const list = ops([
      { pid: 1, kind: 'fault-read', t: 0, dur: 10, off: 4096, len: 4096 },
      { pid: 2, kind: 'punch', t: 2, dur: 5, off: 0, len: 8192 },
    ]);
    expect(run(list, 'range-lock').t).toEqual([[0, 10, 0], [2, 15, 8]]);
    // page-lock: the punch locks page 0 (free, 2.5 µs of work), then waits for page 1 until the fault ends at 10
    expect(run(list, 'page-lock').t).toEqual([[0, 10, 0], [2, 12.5, 5.5]]);
    expect(run(list, 'none').t).toEqual([[0, 10, 0], [2, 7, 0]]);
  });

  it('a shared request behind a queued overlapping exclusive one waits (FIFO); reader-pref lets it pass', () => {
    const list = ops([
      { pid: 1, kind: 'read', t: 0, dur: 10, off: 0, len: 8192 },
      { pid: 2, kind: 'punch', t: 1, dur: 5, off: 0, len: 4096 },
      { pid: 3, kind: 'read', t: 2, dur: 3, off: 0, len: 4096 },
    ]);
    expect(run(list, 'range-lock').t).toEqual([[0, 10, 0], [1, 15, 9], [2, 18, 13]]);
    expect(run(list, 'range-lock:fairness=reader-pref').t).toEqual([[0, 10, 0], [1, 15, 9], [2, 5, 0]]);
    // a shared request that does not overlap the queued exclusive range is not held up
    const disjoint = ops([
      { pid: 1, kind: 'read', t: 0, dur: 10, off: 0, len: 8192 },
      { pid: 2, kind: 'punch', t: 1, dur: 5, off: 0, len: 4096 },
      { pid: 3, kind: 'read', t: 2, dur: 3, off: 4096, len: 4096 },
    ]);
    expect(run(disjoint, 'range-lock').t).toEqual([[0, 10, 0], [1, 15, 9], [2, 5, 0]]);
  });

  it('closed mode keeps the think time after a delayed op; open mode keeps the trace schedule', () => {
    const list = ops([
      { pid: 9, kind: 'write', t: 0, dur: 50, off: 0, len: 4096 },
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 1, kind: 'write', t: 100, dur: 10, off: 0, len: 4096 },
    ]);
    // pid 1's first write waits for pid 9's i_mutex until 50, ends 60; think time 90 → second at 150
    const closed = run(list, 'i-mutex');
    expect(closed.t).toEqual([[0, 50, 0], [0, 60, 50], [150, 160, 0]]);
    const open = run(list, 'i-mutex', { mode: 'open', timeScale: 1 });
    expect(open.t).toEqual([[0, 50, 0], [0, 60, 50], [100, 110, 0]]);
    // open mode at 0.5x: the second write is due at 50 but its task is busy until 60: it starts late
    const fast = run(list, 'i-mutex', { mode: 'open', timeScale: 0.5 });
    expect(fast.t).toEqual([[0, 50, 0], [0, 60, 50], [60, 70, 0]]);
    expect(fast.sim.outcomes.intendedNs[2]).toBe(50 * US);
  });

  it('open mode: a late task still spends the user-space time the trace shows before its next op, when too short to be a sleep', () => {
    const list = ops([
      { pid: 9, kind: 'write', t: 0, dur: 50, off: 0, len: 4096 },
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      // 5 µs after the first one's recorded end: fio's own work between two calls
      { pid: 1, kind: 'write', t: 15, dur: 10, off: 0, len: 4096 },
      // 100 µs after the second's: a sleep (longer than the 50 µs timer slack)
      { pid: 1, kind: 'write', t: 125, dur: 10, off: 0, len: 4096 },
    ]);
    // the first waits for pid 9's i_mutex until 50 and ends at 60: the second is late, and starts
    // 5 µs later, not at once; the third is on time
    expect(run(list, 'i-mutex', { mode: 'open', timeScale: 1 }).t).toEqual([[0, 50, 0], [0, 60, 50], [65, 75, 0], [125, 135, 0]]);
    // at 0.25x the third is late too: its gap was a sleep, which a late task skips
    const fast = run(list, 'i-mutex', { mode: 'open', timeScale: 0.25 });
    expect(fast.t).toEqual([[0, 50, 0], [0, 60, 50], [65, 75, 0], [75, 85, 0]]);
    expect(fast.sim.outcomes.intendedNs[2]).toBe(3.75 * US);
    // closed mode keeps every recorded gap whatever its length (think time)
    expect(run(list, 'i-mutex').t).toEqual([[0, 50, 0], [0, 60, 50], [65, 75, 0], [175, 185, 0]]);
  });

  it('time after an op\'s plan (a read fault\'s retry) holds none of its locks: a punch takes the invalidate lock meanwhile', () => {
    const list = ops([
      { pid: 1, kind: 'fault-read', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'punch', t: 1, dur: 5, off: 65536, len: 4096 },
    ]);
    // the whole fault under MMAPLOCK shared: the punch waits for it until 10
    expect(run(list, 'linux:xfs').t).toEqual([[0, 10, 0], [1, 15, 9]]);
    // its last 4 µs after its plan: the punch has MMAPLOCK at 6; the fault still ends at 10
    expect(run(list, 'linux:xfs', { afterPlanNs: Float64Array.from([4 * US, 0]) }).t).toEqual([[0, 10, 0], [1, 11, 5]]);
    // (never more than the op's service time)
    expect(run(list, 'linux:xfs', { afterPlanNs: Float64Array.from([40 * US, 0]) }).t).toEqual([[0, 10, 0], [1, 6, 0]]);
  });

  it('the CPU model bounds how many ops work at once', () => {
    const { t, sim } = run(twoWriters, 'none', { cpus: 1 });
    expect(t).toEqual([[0, 10, 0], [0, 20, 0]]);
    expect(sim.cpuWaitTotalNs).toBe(10 * US);
  });

  it('direct IO, fsync and writeback wait for the device asleep: their work does not occupy a CPU', () => {
    for (const kind of ['dio-read', 'dio-write', 'fsync', 'writeback'] as const) {
      const list = ops([
        { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
        { pid: 2, kind, t: 0, dur: 10, off: 65536, len: 4096 },
        { pid: 3, kind: 'write', t: 1, dur: 10, off: 1 << 20, len: 4096 },
      ]);
      const { t, sim } = run(list, 'none', { cpus: 1 });
      // the IO runs 0-10 beside writer 1; writer 3 waits for writer 1's CPU (1-10)
      expect(t, kind).toEqual([[0, 10, 0], [0, 10, 0], [1, 20, 0]]);
      expect(sim.cpuWaitTotalNs, kind).toBe(9 * US);
      expect(sim.cpuBusyNs, kind).toBe(20 * US);
    }
  });

  it('an op\'s time asleep, where the capture measured it, runs off the CPUs after its CPU time, whatever its kind', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 0, dur: 10, off: 65536, len: 4096 },
    ]);
    // writer 1 slept 60% of its time (its page, its log...): 0-4 on the CPU, 4-10 asleep; writer 2 (no
    // measure: its kind's rule, on a CPU) has the CPU from 4
    const asleep = run(list, 'none', { cpus: 1, offCpuFraction: Float64Array.from([0.6, NaN]) });
    expect(asleep.t).toEqual([[0, 10, 0], [0, 14, 0]]);
    expect([asleep.sim.cpuWaitTotalNs, asleep.sim.cpuBusyNs]).toEqual([4 * US, 14 * US]);
    // a direct read the capture saw on its CPU throughout (a cached or synchronous completion) holds the CPU
    const dio = ops([
      { pid: 1, kind: 'dio-read', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 0, dur: 10, off: 65536, len: 4096 },
    ]);
    expect(run(dio, 'none', { cpus: 1, offCpuFraction: Float64Array.from([0, NaN]) }).t).toEqual([[0, 10, 0], [0, 20, 0]]);
    // without a measure (or out of [0, 1]) each kind keeps its rule
    expect(run(dio, 'none', { cpus: 1 }).t).toEqual([[0, 10, 0], [0, 10, 0]]);
    expect(run(dio, 'none', { cpus: 1, offCpuFraction: Float64Array.from([1.5, -1]) }).t).toEqual([[0, 10, 0], [0, 10, 0]]);
  });

  it('a child fault runs inside its parent at its recorded position', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 1 << 20, len: 4096 },
      { pid: 1, kind: 'fault-read', t: 4, dur: 2, off: 0, len: 4096, parent: 0 },
    ]);
    // parent's own work = 10 - 2 = 8 µs; the child starts after 4 µs of it
    expect(run(list, 'range-lock').t).toEqual([[0, 10, 0], [4, 6, 0]]);
  });
});

describe('lock operation costs', () => {
  it('every acquire and release charges CPU time; a contended acquire also pays a wakeup', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
    ]);
    const { t } = run(list, 'i-mutex', { costs: DEFAULT_COSTS, spin: false });
    const a = DEFAULT_COSTS.atomicNs / US;
    const w = DEFAULT_COSTS.wakeupNs / US;
    // writer 1: acquire (work + atomic), release (+atomic, charged after the release)
    expect(t[0]).toEqual([0, 10 + 2 * a, 0]);
    // writer 2 is granted at writer 1's release (10 + a), then pays acquire + wakeup + release
    expect(t[1][0]).toBe(0);
    expect(t[1][1]).toBeCloseTo(10 + a + 10 + a + w + a, 6);
    expect(t[1][2]).toBeCloseTo(10 + a, 6);
    // with optimistic spinning (the default) writer 2 spins on its CPU while writer 1 runs and has
    // the lock a cache-line transfer after the release, with no wakeup
    const spun = run(list, 'i-mutex', { costs: DEFAULT_COSTS }).t;
    const m = DEFAULT_COSTS.cacheMissNs / US;
    expect(spun[1][1]).toBeCloseTo(10 + a + m + 10 + a + a, 6);
    expect(spun[1][2]).toBeCloseTo(10 + a + m, 6);
  });

  it('an op whose work is asleep still pays its lock costs on a CPU, before it sleeps', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'dio-write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 3, kind: 'write', t: 5, dur: 10, off: 0, len: 4096, file: 'other' },
    ]);
    const { t, sim } = runWith(list, createStrategy('i-mutex'), { cpus: 1, costs: { ...ZERO_COSTS, wakeupNs: 2000 }, spin: false, mmapLock: false });
    // the direct write waits for i_mutex until 10; its wakeup needs the CPU, which writer 3 queued for
    // first (at 5): it runs 20 → 22, then the IO 22 → 32 asleep
    expect(t[1]).toEqual([0, 32, 10, 10]);
    expect(t[2]).toEqual([5, 20, 0, 5]);
    expect(sim.cpuBusyNs).toBe(22 * US);
  });
});

/** a strategy that takes one lock of `spec` in `mode` (by op kind) around all the work */
function oneLock(spec: LockSpec, modeOf: (op: Op) => 'S' | 'X' = () => 'X'): Strategy {
  return {
    name: `one-${spec.kind}`, summary: '', source: 'test', rules: [], options: {},
    plan: (op) => underOneLock(acquire('L', op.file, spec, modeOf(op), 0, Infinity, 0)),
  };
}

function runWith(list: Op[], strategy: Strategy, opts: Partial<SimOptions>) {
  const service = Float64Array.from(list.map((o) => o.durNs ?? 0));
  const sim = simulate(list, service, strategy, { mode: 'closed', timeScale: 1, cpus: 2, pageSizeBytes: 4096, costs: ZERO_COSTS, ...opts });
  const o = sim.outcomes;
  return { sim, t: list.map((_, i) => [o.startNs[i] / US, o.endNs[i] / US, o.lockWaitNs[i] / US, o.cpuWaitNs[i] / US]) };
}

describe('spinning (only the cost under test is non-zero)', () => {
  const costs = { ...ZERO_COSTS, cacheMissNs: 100, wakeupNs: 2000 };
  // two tasks want the lock at 0; a third op needs a CPU at 1 (2 CPUs)
  const three = ops([
    { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
    { pid: 2, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
    { pid: 3, kind: 'read', t: 1, dur: 5, off: 0, len: 4096, file: 'other' },
  ]);
  const spinOnlyOnF = (spec: LockSpec): Strategy => {
    const s = oneLock(spec);
    return { ...s, plan: (op, ctx) => (op.file === F ? s.plan(op, ctx) : WORK_ONLY) };
  };

  it('a spinlock waiter keeps its CPU busy and has the lock one cacheMissNs after the release, with no wakeup', () => {
    const { t, sim } = runWith(three, spinOnlyOnF({ kind: 'spinlock' }), { costs });
    expect(t[0]).toEqual([0, 10, 0, 0]);
    // spins 0 → 10, the cache line comes over by 10.1, works 10.1 → 20.1 on the same CPU
    expect(t[1]).toEqual([0, 20.1, 10.1, 0]);
    // both CPUs are busy (one working, one spinning): the third op waits for task 1's CPU at 10
    expect(t[2]).toEqual([1, 15, 0, 9]);
    expect(sim.lockStats.get('L')).toMatchObject({ acquisitions: 2, contentions: 1, spins: 1, spinNs: 10_100, waitTotalNs: 10_100 });
    expect(sim.spinNs).toBe(10_100);
    expect(sim.cpuBusyNs).toBe(10_000 + 10_100 + 10_000 + 5_000);
  });

  it('the same waiter on a sleeping mutex with --spin off gives up its CPU and pays a wakeup', () => {
    const { t, sim } = runWith(three, spinOnlyOnF({ kind: 'mutex' }), { costs, spin: false });
    expect(t[1]).toEqual([0, 22, 10, 0]);
    expect(t[2]).toEqual([1, 6, 0, 0]);
    expect(sim.lockStats.get('L')).toMatchObject({ contentions: 1, spins: 0, spinNs: 0 });
    expect(sim.spinNs).toBe(0);
  });

  it('an optimistic spinner on a mutex whose owner runs pays no wakeup, its CPU busy meanwhile', () => {
    const { t, sim } = runWith(three.slice(0, 2), spinOnlyOnF({ kind: 'mutex' }), { costs });
    expect(t[1]).toEqual([0, 20.1, 10.1, 0]);
    expect(sim.lockStats.get('L')).toMatchObject({ spins: 1, spinNs: 10_100 });
    expect(sim.cpuBusyNs).toBe(10_000 + 10_100 + 10_000);
  });

  it('... and yields its CPU to a task that needs one (need_resched), then sleeps and pays the wakeup', () => {
    const { t, sim } = runWith(three, spinOnlyOnF({ kind: 'mutex' }), { costs });
    expect(t[2]).toEqual([1, 6, 0, 0]);
    expect(t[1]).toEqual([0, 22, 10, 0]);
    expect(sim.lockStats.get('L')).toMatchObject({ spins: 1, spinNs: 1_000 });
  });

  it('a waiter whose owner sleeps on its device (a direct IO in flight) sleeps and pays a wakeup', () => {
    const list = ops([
      { pid: 1, kind: 'dio-write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
    ]);
    const { t, sim } = runWith(list, oneLock({ kind: 'mutex' }), { costs, mmapLock: false });
    expect(t[1]).toEqual([0, 22, 10, 0]);
    expect(sim.lockStats.get('L')).toMatchObject({ spins: 0, spinNs: 0 });
  });

  it('... and so does a waiter whose owner the capture saw asleep (a write waiting for its page or the log)', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
    ]);
    const { t, sim } = runWith(list, oneLock({ kind: 'mutex' }), { costs, mmapLock: false, offCpuFraction: Float64Array.from([1, 0]) });
    expect(t[1]).toEqual([0, 22, 10, 0]);
    expect(sim.lockStats.get('L')).toMatchObject({ spins: 0, spinNs: 0 });
    // half asleep: the waiter spins while the owner runs (0-5), then sleeps, and pays the wakeup
    const half = runWith(list, oneLock({ kind: 'mutex' }), { costs, mmapLock: false, offCpuFraction: Float64Array.from([0.5, 0]) });
    expect(half.t[1]).toEqual([0, 22, 10, 0]);
    expect(half.sim.lockStats.get('L')).toMatchObject({ spins: 1, spinNs: 5_000 });
  });

  it('a spinner whose owner stops running goes to sleep then, and pays the wakeup', () => {
    // owner 1 takes L, then waits for M (held by a direct IO of task 3): task 2 spins on L until then
    const list = ops([
      { pid: 3, kind: 'dio-write', t: 0, dur: 20, off: 0, len: 4096 },
      { pid: 1, kind: 'write', t: 1, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 3, dur: 10, off: 0, len: 4096 },
    ]);
    const s: Strategy = {
      name: 'two-locks', summary: '', source: 'test', rules: [], options: {},
      plan: (op) => (op.kind === 'dio-write' ? underOneLock(acquire('M', 'm', { kind: 'mutex' }, 'X', 0, Infinity, 0))
        : op.pid === 1 ? [acquire('L', 'l', { kind: 'mutex' }, 'X', 0, Infinity, 0), { type: 'work', fraction: 0.5 }, acquire('M', 'm', { kind: 'mutex' }, 'X', 0, Infinity, 1), { type: 'work', fraction: 0.5 }, release(1), release(0)]
          : underOneLock(acquire('L', 'l', { kind: 'mutex' }, 'X', 0, Infinity, 0))),
    };
    const { t, sim } = runWith(list, s, { costs, cpus: 4, mmapLock: false });
    // task 1 works 1 → 6, then sleeps on M until task 3's IO ends at 20 (14 µs of lock wait), pays
    // a wakeup, works 22 → 27
    expect(t[1]).toEqual([1, 27, 14, 0]);
    // task 2 spins 3 → 6 while task 1 runs, then sleeps; granted at 27, wakes 2 µs later: 29 → 39
    expect(t[2]).toEqual([3, 39, 24, 0]);
    expect(sim.lockStats.get('L')).toMatchObject({ spins: 1, spinNs: 3_000 });
  });

  it('rwsem readers never spin; a writer spins on a running writer owner', () => {
    const rw = (second: 'read' | 'write') => ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: second, t: 0, dur: 10, off: 0, len: 4096 },
    ]);
    const strategy = oneLock({ kind: 'rwsem', fairness: 'fifo' }, (op) => (op.kind === 'read' ? 'S' : 'X'));
    expect(runWith(rw('read'), strategy, { costs }).t[1]).toEqual([0, 22, 10, 0]);
    expect(runWith(rw('write'), strategy, { costs }).t[1]).toEqual([0, 20.1, 10.1, 0]);
  });
});

describe('think time with the kernel\'s waits removed', () => {
  it('closed mode counts think time from the trace\'s end of the previous op, not from its shortened service', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 1, kind: 'write', t: 15, dur: 2, off: 0, len: 4096 },
    ]);
    // the first op waited 4 µs for a lock in the trace: its service is 6 µs; the task thought 5 µs
    const service = Float64Array.from([6 * US, 2 * US]);
    const sim = simulate(list, service, createStrategy('none'), { mode: 'closed', timeScale: 1, cpus: 2, pageSizeBytes: 4096, costs: ZERO_COSTS, traceDurNs: Float64Array.from([10 * US, 2 * US]) });
    expect([sim.outcomes.startNs[1] / US, sim.outcomes.endNs[1] / US]).toEqual([11, 13]);
    // without the trace's durations the removed wait would come back as think time
    const naive = simulate(list, service, createStrategy('none'), { mode: 'closed', timeScale: 1, cpus: 2, pageSizeBytes: 4096, costs: ZERO_COSTS });
    expect(naive.outcomes.startNs[1] / US).toBe(15);
  });
});

describe('spinning: regressions', () => {
  it('a spinlock holder that spins on a mutex and then yields keeps its CPU, so the spinlock\'s waiters cannot wedge every CPU', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 1, dur: 10, off: 0, len: 4096 },
      { pid: 3, kind: 'write', t: 2, dur: 10, off: 0, len: 4096 },
      { pid: 4, kind: 'write', t: 3, dur: 10, off: 0, len: 4096 },
    ]);
    const M: LockSpec = { kind: 'mutex' };
    const S: LockSpec = { kind: 'spinlock' };
    const strategy: Strategy = {
      name: 'spin-then-mutex', summary: '', source: 'test', rules: [], options: {},
      plan: (op) => (op.pid === 1 ? underOneLock(acquire('M', 'm', M, 'X', 0, Infinity, 0))
        : op.pid === 2 ? [acquire('S', 's', S, 'X', 0, Infinity, 0), acquire('M', 'm', M, 'X', 0, Infinity, 1), WORK_ALL, release(1), release(0)]
          : underOneLock(acquire('S', 's', S, 'X', 0, Infinity, 0))),
    };
    for (const spin of [true, false]) {
      const { sim } = runWith(list, strategy, { costs: { ...ZERO_COSTS, cacheMissNs: 100 }, spin, mmapLock: false });
      expect(sim.stalled, `spin ${spin}`).toBeUndefined();
      expect(sim.completed).toBe(4);
    }
  });
});

describe('direct IO pins its user buffer after it flushes its range (get_user_pages under mmap_lock S)', () => {
  /** ops of one process (one mmap_lock), in issue order; times in µs */
  function sameProc(list: { pid: number; kind: OpKind; t: number; dur: number; off: number; len: number; file?: string; parent?: number }[]): Op[] {
    return ops(list).map((o) => ({ ...o, proc: 'tgid:400', file: o.kind === 'munmap' ? 'tgid:400' : o.file }));
  }
  // a direct write of [0, 64K) whose first 30 µs are the flush of its range (a child writeback, as
  // __iomap_dio_rw flushes before it pins), a fault of another thread of the process on page 4 at
  // 10 µs, a munmap of the process at 20 µs
  const flushWindow = sameProc([
    { pid: 401, kind: 'dio-write', t: 0, dur: 100, off: 0, len: 65536 },
    { pid: 401, kind: 'writeback', t: 0, dur: 30, off: 0, len: 65536, parent: 0 },
    { pid: 402, kind: 'fault-read', t: 10, dur: 10, off: 16384, len: 4096 },
    { pid: 403, kind: 'munmap', t: 20, dur: 5, off: 0, len: 4096 },
  ]);

  it('scenario B in the flush window: the IO holds its range X, the fault holds mmap_lock S and waits for the range, the munmap queues for X, and the pinning at 30 µs queues behind it', () => {
    for (const s of ['range-lock', 'range-lock:fairness=reader-pref', 'range-lock:fairness=nested-shared-ok', 'range-lock:prefault=true', 'range-lock:buffered=page']) {
      const { sim } = run(flushWindow, s);
      expect([s, sim.stalled?.reason, sim.stalled?.atNs]).toEqual([s, 'cycle', 30 * US]);
      expect(sim.stalled?.cycle.map((b) => [b.pid, b.kind, b.lockClass, b.mode, b.sinceNs, b.waitsFor])).toEqual([
        [401, 'dio-write', 'mmap_lock', 'S', 30 * US, [403]],
        [403, 'munmap', 'mmap_lock', 'X', 20 * US, [402]],
        [402, 'fault-read', 'range', 'S', 10 * US, [401]],
      ]);
    }
    // the same cycle through the other locks a direct IO holds while it flushes
    for (const [s, cls] of [['i-mutex', 'i_mutex'], ['list-rl', 'list_range'], ['two-state', 'pagecache_add_block']]) {
      const { sim } = run(flushWindow, s);
      expect([s, sim.stalled?.reason, sim.stalled?.atNs, sim.stalled?.cycle.map((b) => [b.pid, b.lockClass])]).toEqual([s, 'cycle', 30 * US, [[401, 'mmap_lock'], [403, 'mmap_lock'], [402, cls]]]);
    }
    // btrfs-extent flushes and pins before it takes its extent bits (its children step comes first): no cycle
    expect(run(flushWindow, 'btrfs-extent').sim.stalled).toBeUndefined();
    // without the munmap, the fault waits for the IO and nothing closes
    const noMunmap = flushWindow.slice(0, 3);
    expect(run(noMunmap, 'range-lock').t).toEqual([[0, 100, 0], [0, 30, 0], [10, 110, 90]]);
  });

  it('the pinning comes at the end of the flush: a munmap holding mmap_lock X from 25 to 35 µs delays it to 35 µs', () => {
    const list = sameProc([
      { pid: 401, kind: 'dio-write', t: 0, dur: 100, off: 0, len: 65536 },
      { pid: 401, kind: 'writeback', t: 0, dur: 30, off: 0, len: 65536, parent: 0 },
      { pid: 403, kind: 'munmap', t: 25, dur: 10, off: 0, len: 4096 },
    ]);
    // flush 0 → 30, mmap_lock S waited for from 30 to 35, then the IO's own 70 µs
    expect(run(list, 'none').t).toEqual([[0, 105, 5], [0, 30, 0], [25, 35, 0]]);
    expect(run(list, 'linux:xfs').t).toEqual([[0, 105, 5], [0, 30, 0], [25, 35, 0]]);
    // without mmap_lock nothing waits
    expect(run(list, 'none', { mmapLock: false }).t).toEqual([[0, 100, 0], [0, 30, 0], [25, 35, 0]]);
  });

  it('a child fault of a direct IO (its get_user_pages faulting a mapped buffer) keeps its recorded position in the work, after the pinning', () => {
    // flush 0 → 30, pinning waits for the munmap's X until 35, then the own work (60 µs) with the
    // fault 20 µs into it (recorded at 50 µs: 50 - 30 of flush), so at 55 → 65, and the IO ends at 105
    const list = sameProc([
      { pid: 401, kind: 'dio-read', t: 0, dur: 100, off: 0, len: 65536 },
      { pid: 401, kind: 'writeback', t: 0, dur: 30, off: 0, len: 65536, parent: 0 },
      { pid: 401, kind: 'fault-read', t: 50, dur: 10, off: 0, len: 4096, file: 'other', parent: 0 },
      { pid: 403, kind: 'munmap', t: 25, dur: 10, off: 0, len: 4096 },
    ]);
    expect(run(list, 'none').t).toEqual([[0, 105, 5], [0, 30, 0], [55, 65, 0], [25, 35, 0]]);
    // the buffer maps the IO's own range: under range-lock the fault at 50 µs asks for range S inside the IO's X
    const self = sameProc([
      { pid: 201, kind: 'dio-write', t: 0, dur: 100, off: 0, len: 16384 },
      { pid: 201, kind: 'fault-read', t: 50, dur: 10, off: 8192, len: 4096, parent: 0 },
    ]);
    const { sim } = run(self, 'range-lock');
    expect([sim.stalled?.atNs, sim.stalled?.cycle.map((b) => [b.pid, b.kind, b.lockClass, b.mode])]).toEqual([50 * US, [[201, 'fault-read', 'range', 'S']]]);
  });
});

describe('kara-2013 pins a direct IO\'s buffer before it takes the range (the RFC locks in dio_bio_submit(), after get_user_pages)', () => {
  function proc(list: { pid: number; kind: OpKind; t: number; dur: number; off: number; len: number; file?: string; parent?: number; proc: string }[]): Op[] {
    return ops(list).map((o, i) => ({ ...o, proc: list[i].proc, file: o.kind === 'munmap' ? list[i].proc : o.file }));
  }

  it('a direct write whose buffer maps its own range faults it in first: no 1-task cycle', () => {
    const self = proc([
      { pid: 201, kind: 'dio-write', t: 0, dur: 100, off: 0, len: 16384, proc: 'tgid:200' },
      { pid: 201, kind: 'fault-read', t: 50, dur: 10, off: 8192, len: 4096, parent: 0, proc: 'tgid:200' },
    ]);
    // the fault runs first (0 → 10, its page range around the insertion), then the pinning and the range: 10 → 100
    const { sim, t } = run(self, 'kara-2013');
    expect(sim.stalled).toBeUndefined();
    expect(t).toEqual([[0, 100, 0], [0, 10, 0]]);
    expect(sim.lockStats.get('mapping_range')).toMatchObject({ acquisitions: 2, contentions: 0 });
  });

  it('two direct writes whose buffers map each other\'s file fault before locking: no cross-file cycle', () => {
    const cross = proc([
      { pid: 201, kind: 'dio-write', t: 0, dur: 100, off: 0, len: 16384, file: 'a', proc: 'tgid:200' },
      { pid: 301, kind: 'dio-write', t: 1, dur: 100, off: 0, len: 16384, file: 'b', proc: 'tgid:300' },
      { pid: 201, kind: 'fault-read', t: 50, dur: 10, off: 8192, len: 4096, file: 'b', parent: 0, proc: 'tgid:200' },
      { pid: 301, kind: 'fault-read', t: 51, dur: 10, off: 8192, len: 4096, file: 'a', parent: 1, proc: 'tgid:300' },
    ]);
    const { sim, t } = run(cross, 'kara-2013');
    expect(sim.stalled).toBeUndefined();
    expect(t).toEqual([[0, 100, 0], [1, 101, 0], [0, 10, 0], [1, 11, 0]]);
    // range-lock holds each range across its IO's faults: the cycle forms at 51 µs
    expect(run(cross, 'range-lock').sim.stalled?.cycle.map((b) => b.pid)).toEqual([301, 201]);
  });

  it('scenario B behind a punch: the direct write pinned before it queued for the range, so the munmap only waits', () => {
    const list = proc([
      { pid: 301, kind: 'punch', t: 0, dur: 100, off: 0, len: 65536, proc: 'tgid:300' },
      { pid: 401, kind: 'dio-write', t: 10, dur: 40, off: 0, len: 65536, proc: 'tgid:400' },
      { pid: 402, kind: 'fault-read', t: 20, dur: 10, off: 16384, len: 4096, proc: 'tgid:400' },
      { pid: 403, kind: 'munmap', t: 30, dur: 5, off: 0, len: 4096, proc: 'tgid:400' },
    ]);
    const { sim, t } = run(list, 'kara-2013');
    expect(sim.stalled).toBeUndefined();
    // the IO waits for the punch's range (10 → 100), the fault for both (FIFO, 20 → 140), the munmap for the fault's mmap_lock S (30 → 150)
    expect(t).toEqual([[0, 100, 0], [10, 140, 90], [20, 150, 120], [30, 155, 120]]);
    // range-lock pins after its range: the 3-task cycle
    expect(run(list, 'range-lock').sim.stalled?.cycle.map((b) => b.pid)).toEqual([401, 403, 402]);
  });
});

describe('CPU model preempt-none: a task keeps its CPU from its op\'s start until it sleeps or the op ends', () => {
  const both = (list: Op[], strategy: Strategy, opts: Partial<SimOptions>) => ({
    perSegment: runWith(list, strategy, opts),
    preemptNone: runWith(list, strategy, { ...opts, cpuModel: 'preempt-none' }),
  });
  const lockOnF = (spec: LockSpec): Strategy => {
    const s = oneLock(spec);
    return { ...s, plan: (op, ctx) => (op.file === F ? s.plan(op, ctx) : WORK_ONLY) };
  };

  it('the default is per-segment', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 1, kind: 'fault-read', t: 4, dur: 2, off: 0, len: 4096, parent: 0 },
      { pid: 2, kind: 'write', t: 1, dur: 5, off: 0, len: 4096, file: 'other' },
    ]);
    const s = createStrategy('linux:xfs');
    expect(runWith(list, s, { cpus: 1, cpuModel: 'per-segment' })).toEqual(runWith(list, s, { cpus: 1 }));
    // (and this scenario tells the models apart: the default is not preempt-none)
    expect(runWith(list, s, { cpus: 1, cpuModel: 'preempt-none' })).not.toEqual(runWith(list, s, { cpus: 1 }));
  });

  it('a child fault runs on its parent\'s CPU: a task queued for one meanwhile waits for the whole op', () => {
    // 1 CPU: the write's own work is 8 µs, 4 before the fault (2 µs) and 4 after; task 2 wants a CPU at 1
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 1, kind: 'fault-read', t: 4, dur: 2, off: 0, len: 4096, parent: 0 },
      { pid: 2, kind: 'write', t: 1, dur: 5, off: 0, len: 4096, file: 'other' },
    ]);
    const { perSegment, preemptNone } = both(list, createStrategy('none'), { cpus: 1, mmapLock: false });
    // per-segment: the write gives its CPU up at 4; task 2 runs 4 → 9, the fault 9 → 11 (its CPU wait),
    // the write's rest 11 → 15
    expect(perSegment.t).toEqual([[0, 15, 0, 0], [4, 11, 0, 5], [1, 9, 0, 3]]);
    // preempt-none: the write, its fault and the rest of it run 0 → 10; task 2 has the CPU at 10
    expect(preemptNone.t).toEqual([[0, 10, 0, 0], [4, 6, 0, 0], [1, 15, 0, 9]]);
    expect([perSegment.sim.cpuBusyNs, preemptNone.sim.cpuBusyNs]).toEqual([15 * US, 15 * US]);
  });

  it('the release\'s cost runs on the CPU the op worked on, before a task queued for one', () => {
    // 1 CPU, 1 µs per atomic: task 1 holds L around 10 µs of work; task 2 (no lock) wants a CPU at 1
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 1, dur: 5, off: 0, len: 4096, file: 'other' },
    ]);
    const { perSegment, preemptNone } = both(list, lockOnF({ kind: 'mutex' }), { cpus: 1, costs: { ...ZERO_COSTS, atomicNs: 1000 }, mmapLock: false });
    // per-segment: acquire's atomic + work 0 → 11, release at 11, task 2 runs 11 → 16, the release's atomic 16 → 17
    expect(perSegment.t).toEqual([[0, 17, 0, 5], [1, 16, 0, 10]]);
    // preempt-none: task 1 runs 0 → 12 (its release's atomic 11 → 12); task 2 runs 12 → 17
    expect(preemptNone.t).toEqual([[0, 12, 0, 0], [1, 17, 0, 11]]);
  });

  it('an op that starts while every CPU is busy waits for a CPU before it tries its lock', () => {
    // 1 CPU: task 1 holds mutex L 0 → 10 on it; task 2 wants L at 2
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 2, dur: 5, off: 0, len: 4096 },
    ]);
    const { perSegment, preemptNone } = both(list, lockOnF({ kind: 'mutex' }), { cpus: 1, costs: { ...ZERO_COSTS, wakeupNs: 2000 }, mmapLock: false });
    // per-segment: task 2 queues on L at 2 with no CPU to spin on, sleeps, is granted at 10 and pays
    // the wakeup: 10 → 17
    expect(perSegment.t).toEqual([[0, 10, 0, 0], [2, 17, 8, 0]]);
    expect(perSegment.sim.lockStats.get('L')).toMatchObject({ contentions: 1, spins: 0 });
    // preempt-none: task 2 runs nothing before it has a CPU (10, task 1's op has ended): L is free then
    expect(preemptNone.t).toEqual([[0, 10, 0, 0], [2, 15, 0, 8]]);
    expect(preemptNone.sim.lockStats.get('L')).toMatchObject({ contentions: 0, spins: 0 });
  });

  it('a task back from its work asleep needs a CPU again before its next step (its release)', () => {
    // 1 CPU: a direct write holds L over its IO 0 → 10; task 2 (no lock) runs on the CPU 1 → 21; task 3 wants L at 12
    const list = ops([
      { pid: 1, kind: 'dio-write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 1, dur: 20, off: 0, len: 4096, file: 'other' },
      { pid: 3, kind: 'dio-write', t: 12, dur: 3, off: 0, len: 4096 },
    ]);
    const { perSegment, preemptNone } = both(list, lockOnF({ kind: 'mutex' }), { cpus: 1, mmapLock: false });
    // per-segment: the IO's end releases L at 10, on no CPU; task 3 takes it at 12 and does its IO 12 → 15
    expect(perSegment.t).toEqual([[0, 10, 0, 0], [1, 21, 0, 0], [12, 15, 0, 0]]);
    expect(perSegment.sim.lockStats.get('L')).toMatchObject({ contentions: 0, holdTotalNs: 13 * US });
    // preempt-none: the direct write, woken at 10, waits for the CPU task 2 holds until its op ends
    // at 21, then releases L; task 3 queued for the CPU at 12 behind it, takes L at 21, IO 21 → 24
    expect(preemptNone.t).toEqual([[0, 21, 0, 11], [1, 21, 0, 0], [12, 24, 0, 9]]);
    expect(preemptNone.sim.lockStats.get('L')).toMatchObject({ contentions: 0, holdTotalNs: 24 * US });
  });

  it('a writer the Linux rwsem woke to compete runs on, on the CPU of its wakeup, once it has the lock', () => {
    // 2 CPUs, no spinning: writer 1 holds the rwsem 0 → 10; writer 2 sleeps on it from 1; tasks 3
    // and 4 (no lock) want a CPU at 11
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 1, dur: 10, off: 0, len: 4096 },
      { pid: 3, kind: 'write', t: 11, dur: 5, off: 0, len: 4096, file: 'other' },
      { pid: 4, kind: 'write', t: 11, dur: 5, off: 0, len: 4096, file: 'other' },
    ]);
    const { perSegment, preemptNone } = both(list, lockOnF({ kind: 'rwsem', fairness: 'linux' }), { cpus: 2, costs: { ...ZERO_COSTS, wakeupNs: 2000 }, spin: false, mmapLock: false });
    // writer 2 is woken at 10 and runs its wakeup 10 → 12 on the CPU writer 1 left; the lock is free:
    // it has it at 12 (11 µs of lock wait). Per-segment it gives that CPU up to task 4 (12 → 17) and
    // works on task 3's when it comes free at 16: 16 → 26
    expect(perSegment.t).toEqual([[0, 10, 0, 0], [1, 26, 11, 4], [11, 16, 0, 0], [11, 17, 0, 1]]);
    // preempt-none: it works on at once, 12 → 22; task 4 has task 3's CPU at 16
    expect(preemptNone.t).toEqual([[0, 10, 0, 0], [1, 22, 11, 0], [11, 16, 0, 0], [11, 21, 0, 5]]);
  });

  it('... and then, on its CPU, spins on the running owner where it slept, lock queued on no CPU', () => {
    // 2 CPUs: task 1 holds mutex L 0 → 10 on one; task 3 (no lock) runs 0 → 5 on the other; task 2 wants L at 2
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 3, kind: 'write', t: 0, dur: 5, off: 0, len: 4096, file: 'other' },
      { pid: 2, kind: 'write', t: 2, dur: 5, off: 0, len: 4096 },
    ]);
    const { perSegment, preemptNone } = both(list, lockOnF({ kind: 'mutex' }), { cpus: 2, costs: { ...ZERO_COSTS, cacheMissNs: 100, wakeupNs: 2000 }, mmapLock: false });
    // per-segment: at 2 no CPU is free: task 2 sleeps on L, is granted at 10, wakes (2 µs) and works 10 → 17
    expect(perSegment.t[2]).toEqual([2, 17, 8, 0]);
    expect(perSegment.sim.lockStats.get('L')).toMatchObject({ contentions: 1, spins: 0 });
    // preempt-none: task 2 has a CPU at 5 (task 3's op ended), finds L held by a running owner and
    // spins 5 → 10, has L a cache-line transfer later (10.1) and works 10.1 → 15.1
    expect(preemptNone.t[2]).toEqual([2, 15.1, 5.1, 3]);
    expect(preemptNone.sim.lockStats.get('L')).toMatchObject({ contentions: 1, spins: 1, spinNs: 5_100 });
  });

  // woken tasks first: a task that needs a CPU because it woke queues ahead of tasks starting an op

  it('a task back from its work asleep runs before an op that queued for a CPU earlier', () => {
    // 1 CPU: a direct write holds L over its IO 0 → 10; task 2 (no lock) runs on the CPU 1 → 21;
    // task 3 (no lock) starts an op of 3 µs at 5 and queues for the CPU; the direct write wakes at 10
    const list = ops([
      { pid: 1, kind: 'dio-write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 1, dur: 20, off: 0, len: 4096, file: 'other' },
      { pid: 3, kind: 'write', t: 5, dur: 3, off: 0, len: 4096, file: 'other' },
    ]);
    const { perSegment, preemptNone } = both(list, lockOnF({ kind: 'mutex' }), { cpus: 1, mmapLock: false });
    // per-segment: the IO's end releases L at 10, on no CPU; task 3 runs 21 → 24
    expect(perSegment.t).toEqual([[0, 10, 0, 0], [1, 21, 0, 0], [5, 24, 0, 16]]);
    // preempt-none: the direct write needs the CPU to release L; woken, it has it at 21, ahead of
    // task 3 (queued at 5 to start its op), releases L and ends; task 3 runs 21 → 24
    expect(preemptNone.t).toEqual([[0, 21, 0, 11], [1, 21, 0, 0], [5, 24, 0, 16]]);
    expect(preemptNone.sim.lockStats.get('L')).toMatchObject({ holdTotalNs: 21 * US });
  });

  it('a waiter granted the lock it slept for runs before ops that queued for a CPU before its wake', () => {
    // 2 CPUs, no spinning: task 1 holds L 0 → 10 on one CPU; task 2 wants L at 1 and sleeps; task 3
    // (no lock) runs 2 → 32 on the other CPU; tasks 4 and 5 (no lock, 3 µs) start at 5 and 6 and queue
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 1, dur: 5, off: 0, len: 4096 },
      { pid: 3, kind: 'write', t: 2, dur: 30, off: 0, len: 4096, file: 'other' },
      { pid: 4, kind: 'write', t: 5, dur: 3, off: 0, len: 4096, file: 'other' },
      { pid: 5, kind: 'write', t: 6, dur: 3, off: 0, len: 4096, file: 'other' },
    ]);
    const { perSegment, preemptNone } = both(list, lockOnF({ kind: 'mutex' }), { cpus: 2, spin: false, mmapLock: false });
    // at 10 task 1's op ends and its CPU goes to task 4 (10 → 13); task 2, granted L at 10, queues
    // for a CPU. Per-segment (one FIFO queue): task 5 (queued at 6) runs 13 → 16, task 2 16 → 21
    expect(perSegment.t).toEqual([[0, 10, 0, 0], [1, 21, 9, 6], [2, 32, 0, 0], [5, 13, 0, 5], [6, 16, 0, 7]]);
    // preempt-none, woken first: task 2 runs 13 → 18, task 5 18 → 21
    expect(preemptNone.t).toEqual([[0, 10, 0, 0], [1, 18, 9, 3], [2, 32, 0, 0], [5, 13, 0, 5], [6, 21, 0, 12]]);
  });

  it('a writer the Linux rwsem woke to compete runs its wakeup before ops that queued earlier', () => {
    // as above on a Linux rwsem, 2 µs per wakeup: writer 2 is woken at 10 to compete and queues for a
    // CPU to run its wakeup
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 4096 },
      { pid: 2, kind: 'write', t: 1, dur: 10, off: 0, len: 4096 },
      { pid: 3, kind: 'write', t: 2, dur: 30, off: 0, len: 4096, file: 'other' },
      { pid: 4, kind: 'write', t: 5, dur: 3, off: 0, len: 4096, file: 'other' },
      { pid: 5, kind: 'write', t: 6, dur: 3, off: 0, len: 4096, file: 'other' },
    ]);
    const { perSegment, preemptNone } = both(list, lockOnF({ kind: 'rwsem', fairness: 'linux' }), { cpus: 2, costs: { ...ZERO_COSTS, wakeupNs: 2000 }, spin: false, mmapLock: false });
    // per-segment (one FIFO queue): task 5 runs 13 → 16; writer 2's wakeup 16 → 18, it has the rwsem
    // (17 µs of lock wait) and works 18 → 28
    expect(perSegment.t).toEqual([[0, 10, 0, 0], [1, 28, 17, 6], [2, 32, 0, 0], [5, 13, 0, 5], [6, 16, 0, 7]]);
    // preempt-none, woken first: its wakeup 13 → 15, its work 15 → 25; task 5 25 → 28
    expect(preemptNone.t).toEqual([[0, 10, 0, 0], [1, 25, 14, 3], [2, 32, 0, 0], [5, 13, 0, 5], [6, 28, 0, 19]]);
  });

  it('woken tasks are served in the order they queued, as are the others', () => {
    // 1 CPU: two direct writes on other files do their IO 0 → 4 and 0.2 → 3.2, then 1 µs on a CPU
    // after their plan (the second wakes first); task 3 holds the CPU 0.5 → 20; tasks 4 and 5 (1 µs)
    // start at 2 and 2.5
    const list = ops([
      { pid: 1, kind: 'dio-write', t: 0, dur: 5, off: 0, len: 4096, file: 'a' },
      { pid: 2, kind: 'dio-write', t: 0.2, dur: 4, off: 0, len: 4096, file: 'b' },
      { pid: 3, kind: 'write', t: 0.5, dur: 19.5, off: 0, len: 4096, file: 'other' },
      { pid: 4, kind: 'write', t: 2, dur: 1, off: 0, len: 4096, file: 'other' },
      { pid: 5, kind: 'write', t: 2.5, dur: 1, off: 0, len: 4096, file: 'other' },
    ]);
    const afterPlanNs = Float64Array.from([US, US, 0, 0, 0]);
    const { perSegment, preemptNone } = both(list, createStrategy('none'), { cpus: 1, mmapLock: false, afterPlanNs });
    // from 20: per-segment (one FIFO queue) 4, 5, 2 (woke at 3.2), 1 (woke at 4); preempt-none,
    // woken first, 2, 1, then 4, 5
    expect(perSegment.t.map((r) => r[1])).toEqual([24, 23, 20, 21, 22]);
    expect(preemptNone.t.map((r) => r[1])).toEqual([22, 21, 20, 23, 24]);
  });
});
