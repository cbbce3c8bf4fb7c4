import { describe, expect, it } from 'vitest';
import { DEFAULT_HZ, LinuxRwSem } from '../src/locks/linux-rwsem.js';
import { measureWakeLatency, MIN_READER_SAMPLES } from '../src/fidelity/wake-latency.js';
import { taskWakeLatency } from '../src/fidelity/task-wakes.js';
import { nearestUnusedWake, nearestWake, UnusedWakes } from '../src/engine/sim-state.js';
import { formatFidelity } from '../src/report/fidelity.js';
import type { FidelityReport } from '../src/model/fidelity.js';
import type { LockMode, LockRequest } from '../src/locks/primitives.js';
import { simulate, type SimOptions } from '../src/engine/simulator.js';
import { readerSpinThresholdNs } from '../src/engine/spinning.js';
import type { Op, OpKind } from '../src/model/op.js';
import { createStrategy } from '../src/strategies/index.js';
import { acquire, release, WORK_ALL } from '../src/strategies/plan-helpers.js';
import { type Strategy, ZERO_COSTS } from '../src/strategies/types.js';

function req(task: number, mode: LockMode, atNs = 0): LockRequest {
  return { task, mode, start: 0, end: Infinity, granted: false, blockers: 0, requestedNs: atNs, grantedNs: 0, spinning: false, woken: false };
}

describe('LinuxRwSem (kernel/locking/rwsem.c semantics)', () => {
  it('a reader steals a free lock past a sleeping writer, but queues when other readers hold it', () => {
    const l = new LinuxRwSem();
    const w0 = req(0, 'X');
    expect(l.acquire(w0)).toBe(true);
    const w1 = req(1, 'X');
    expect(l.acquire(w1)).toBe(false);
    // the release wakes the writer at the head without granting it
    expect(l.release(w0, 10)).toEqual([w1]);
    expect(w1.granted).toBe(false);
    expect(w1.woken).toBe(true);
    // before it runs, a reader takes the free lock (reader optimistic lock stealing)
    const r2 = req(2, 'S', 11);
    expect(l.acquire(r2)).toBe(true);
    // a second reader now finds readers holding it and a waiter: it queues (rcnt > 1)
    const r3 = req(3, 'S', 12);
    expect(l.acquire(r3)).toBe(false);
    // the woken writer loses the race and sleeps again, still first in the queue
    expect(l.retry(w1, 13)).toBe(false);
    expect(w1.woken).toBe(false);
    expect(l.blockersOf(w1)).toEqual([r2]);
    // the last reader out wakes it again; this time the lock is free when it runs
    expect(l.release(r2, 20)).toEqual([w1]);
    expect(l.retry(w1, 22)).toBe(true);
    expect(l.holders()).toEqual([w1]);
    // its release hands the lock to the queued reader directly
    expect(l.release(w1, 30)).toEqual([r3]);
    expect(r3.granted).toBe(true);
  });

  it('a writer steals a free lock past a woken writer', () => {
    const l = new LinuxRwSem();
    const a = req(0, 'X');
    const b = req(1, 'X');
    l.acquire(a);
    l.acquire(b);
    expect(l.release(a, 5)).toEqual([b]);
    const c = req(2, 'X', 6);
    expect(l.acquire(c)).toBe(true);
    expect(l.retry(b, 7)).toBe(false);
  });

  it('a spinning writer takes the lock at the release, ahead of the sleeping head (which is woken to lose)', () => {
    const l = new LinuxRwSem();
    const a = req(0, 'X');
    const sleeper = req(1, 'X');
    const spinner = req(2, 'X');
    l.acquire(a);
    l.acquire(sleeper);
    l.acquire(spinner);
    spinner.spinning = true;
    l.spinStarted(spinner);
    const out = l.release(a, 5);
    expect(out).toEqual([spinner, sleeper]);
    expect(spinner.granted).toBe(true);
    expect(sleeper.granted).toBe(false);
    expect(sleeper.woken).toBe(true);
  });

  it('a waiter\'s timeout is in jiffies (time_after(jiffies, jiffies at queueing + DIV_ROUND_UP(HZ, 250))): 4 to 8 ms at HZ 250, 4 to 5 ms at HZ 1000', () => {
    expect(DEFAULT_HZ).toBe(250);
    const l = new LinuxRwSem();
    // queued late in its tick (ticks of 4 ms at HZ 250): 4.1 ms later
    expect(l.timedOut(3_900_000, 7_999_999)).toBe(false);
    expect(l.timedOut(3_900_000, 8_000_000)).toBe(true);
    // queued early in its tick: 7.9 ms later
    expect(l.timedOut(4_100_000, 11_999_999)).toBe(false);
    expect(l.timedOut(4_100_000, 12_000_000)).toBe(true);
    const fast = new LinuxRwSem(1000);
    expect(fast.timedOut(500_000, 4_999_999)).toBe(false);
    expect(fast.timedOut(500_000, 5_000_000)).toBe(true);
    expect(createStrategy('linux:xfs:hz=1000').options).toEqual({ rwsem: 'linux', hz: 1000 });
    for (const bad of ['0', '99', '10001', 'x', '250.5']) expect(() => createStrategy(`linux:xfs:hz=${bad}`), bad).toThrow(/hz must be/);
  });

  it('a spinning writer takes the lock ahead of queued readers, until the head reader is past its timeout', () => {
    const l = new LinuxRwSem();
    const a = req(0, 'X');
    l.acquire(a);
    const r = req(1, 'S', 100);
    l.acquire(r);
    const s = req(2, 'X', 200);
    l.acquire(s);
    s.spinning = true;
    l.spinStarted(s);
    expect(l.release(a, 1000)).toEqual([s]);
    expect(r.granted).toBe(false);
    const s2 = req(3, 'X', 1100);
    l.acquire(s2);
    s2.spinning = true;
    l.spinStarted(s2);
    // 4 ms after the reader queued, but the tick counter has moved on by 1 only: the spinner steals
    expect(l.release(s, 100 + 4_000_000)).toEqual([s2]);
    const s3 = req(4, 'X', 4_000_200);
    l.acquire(s3);
    s3.spinning = true;
    l.spinStarted(s3);
    // the reader is past its timeout: no more stealing from it
    expect(l.release(s2, 8_000_000)).toEqual([r]);
    expect(s3.granted).toBe(false);
  });

  it('the first waiter past its timeout sets the hand-off: nobody steals, the next release is its', () => {
    const l = new LinuxRwSem();
    const a = req(0, 'X');
    l.acquire(a);
    const w = req(1, 'X', 0);
    l.acquire(w);
    l.release(a, 100);
    const thief = req(2, 'X', 101);
    expect(l.acquire(thief)).toBe(true);
    // not yet past the timeout: it sleeps again with no hand-off
    expect(l.retry(w, 102)).toBe(false);
    expect(l.release(thief, 7_999_999)).toEqual([w]);
    const thief2 = req(3, 'X', 7_999_999);
    expect(l.acquire(thief2)).toBe(true);
    expect(l.retry(w, 7_999_999)).toBe(false);
    expect(l.release(thief2, 7_999_999)).toEqual([w]);
    const thief3 = req(4, 'X', 7_999_999);
    expect(l.acquire(thief3)).toBe(true);
    // past it (two ticks after the one it queued in): the retry fails but sets the hand-off
    expect(l.retry(w, 8_000_000)).toBe(false);
    // a reader may not steal now, nor a writer
    expect(l.acquire(req(5, 'S', 8_000_001))).toBe(false);
    const late = req(6, 'X', 8_000_001);
    late.spinning = true;
    expect(l.acquire(late)).toBe(false);
    l.spinStarted(late);
    // the release hands the lock to the waiter directly
    expect(l.release(thief3, 8_000_002)).toEqual([w]);
    expect(w.granted).toBe(true);
  });

  it('the head is the first sleeper: spinners queued ahead of it are not on the wait list', () => {
    // two writers spin on the readers, a third sleeps: the release gives the lock to the first
    // spinner and wakes the sleeper (the kernel's first waiter), not the second spinner
    const l = new LinuxRwSem();
    const reader = req(0, 'S');
    l.acquire(reader);
    const spin1 = req(1, 'X');
    const spin2 = req(2, 'X');
    for (const s of [spin1, spin2]) {
      expect(l.acquire(s)).toBe(false);
      s.spinning = true;
      l.spinStarted(s);
    }
    const sleeper = req(3, 'X', 0);
    expect(l.acquire(sleeper)).toBe(false);
    expect(l.release(reader, 1000)).toEqual([spin1, sleeper]);
    expect(sleeper.woken).toBe(true);
    // it loses to the spinner, and being the first sleeper past its timeout, sets the hand-off
    expect(l.retry(sleeper, 8_000_000)).toBe(false);
    expect(l.release(spin1, 8_000_001)).toEqual([sleeper]);
    expect(spin2.granted).toBe(false);

    // a reader first among the sleepers, past its timeout, is not passed by a spinner queued ahead of it
    const m = new LinuxRwSem();
    const w = req(0, 'X');
    m.acquire(w);
    const spin = req(1, 'X', 0);
    m.acquire(spin);
    spin.spinning = true;
    m.spinStarted(spin);
    const r = req(2, 'S', 0);
    expect(m.acquire(r)).toBe(false);
    expect(m.release(w, 8_000_000)).toEqual([r]);
    expect(spin.granted).toBe(false);
  });

  it('a release with readers at the head grants up to 256 of them, skipping the writers between', () => {
    const l = new LinuxRwSem();
    const a = req(0, 'X');
    l.acquire(a);
    const r1 = req(1, 'S');
    const w = req(2, 'X');
    const r2 = req(3, 'S');
    for (const r of [r1, w, r2]) l.acquire(r);
    expect(l.release(a, 1)).toEqual([r1, r2]);
    expect(w.granted).toBe(false);
    expect(l.blockersOf(w)).toEqual([r1, r2]);
  });
});

const US = 1000;
const F = '7:0:133';
function ops(list: { pid: number; kind: OpKind; t: number; dur: number }[]): Op[] {
  return list.map((o, id) => ({ id, tsNs: o.t * US, durNs: o.dur * US, pid: o.pid, proc: `pid:${o.pid}`, comm: `t${o.pid}`, file: F, kind: o.kind, offset: 0, lengthBytes: 4096, line: id + 1 }));
}

/** one rwsem per file: writes exclusive, dio-reads shared, with the kernel's rwsem */
function rwsemStrategy(fairness: 'linux' | 'fifo'): Strategy {
  const spec = { kind: 'rwsem', fairness } as const;
  return {
    name: `rwsem-${fairness}`, summary: '', source: '', rules: [], options: {},
    plan: (op) => [acquire('iolock', op.file, spec, op.kind === 'write' ? 'X' : 'S', 0, Infinity, 1), WORK_ALL, release(1)],
  };
}

function run(list: Op[], strategy: Strategy, opts: Partial<SimOptions> = {}) {
  const service = Float64Array.from(list.map((o) => o.durNs ?? 0));
  const sim = simulate(list, service, strategy, { mode: 'open', timeScale: 1, cpus: 8, pageSizeBytes: 4096, costs: ZERO_COSTS, spin: false, ...opts });
  const o = sim.outcomes;
  return { sim, t: list.map((_, i) => [o.startNs[i] / US, o.endNs[i] / US, o.lockWaitNs[i] / US]) };
}

describe('the engine with a Linux rwsem: wake and compete', () => {
  // writer 1 holds 0-10; writer 2 sleeps from 1; reader 3 arrives at 11, while writer 2, woken at
  // 10, still runs its 2 µs wakeup: the reader steals the lock (11-16) and writer 2 sleeps again
  const list = ops([
    { pid: 1, kind: 'write', t: 0, dur: 10 },
    { pid: 2, kind: 'write', t: 1, dur: 10 },
    { pid: 3, kind: 'dio-read', t: 11, dur: 5 },
  ]);

  it('a reader arriving during the woken writer\'s wakeup takes the lock; the writer waits for it', () => {
    const costs = { ...ZERO_COSTS, wakeupNs: 2 * US };
    const { t, sim } = run(list, rwsemStrategy('linux'), { costs });
    // writer 2: woken at 10, loses at 12, woken at 16, has the lock at 18 (its wakeup), ends at 28
    expect(t).toEqual([[0, 10, 0], [1, 28, 17], [11, 16, 0]]);
    expect(sim.lockStats.get('iolock')).toMatchObject({ acquisitions: 3, contentions: 1, waitTotalNs: 17 * US });
  });

  it('a FIFO rwsem hands the lock to the sleeping writer at once: the reader waits instead', () => {
    const costs = { ...ZERO_COSTS, wakeupNs: 2 * US };
    const { t } = run(list, rwsemStrategy('fifo'), { costs });
    // writer 2 has the lock at 10 and runs from 12 (its wakeup) to 22; the reader waits 11-22
    expect(t).toEqual([[0, 10, 0], [1, 22, 9], [11, 29, 11]]);
  });

  it('linux:xfs uses the Linux rwsem by default; rwsem=fifo restores the strict queue', () => {
    expect(createStrategy('linux:xfs').options).toEqual({ rwsem: 'linux', hz: 250 });
    expect(createStrategy('linux:xfs:rwsem=fifo').options).toEqual({ rwsem: 'fifo', hz: 250 });
    expect(createStrategy('i-rwsem:rwsem=fifo').options).toEqual({ rwsem: 'fifo', hz: 250 });
    expect(() => createStrategy('linux:ext4:rwsem=fair')).toThrow(/rwsem must be linux or fifo/);
  });
});

describe('the engine with a Linux rwsem: a writer spins on readers for a bounded time', () => {
  const spinning = { spin: true, cpus: 8 };

  it('threshold: (20 + readers, at most 30) / 2 µs (rwsem_rspin_threshold)', () => {
    expect(readerSpinThresholdNs(1)).toBe(10_500);
    expect(readerSpinThresholdNs(4)).toBe(12_000);
    expect(readerSpinThresholdNs(30)).toBe(25_000);
    expect(readerSpinThresholdNs(100)).toBe(25_000);
  });

  it('a spinning writer is not a waiter: a reader arriving meanwhile shares the lock; the writer has it at the release', () => {
    // reader 1 holds 0-10; writer 2 spins from 1 (until 11.5 at most); reader 3 enters at 2
    const list = ops([
      { pid: 1, kind: 'dio-read', t: 0, dur: 10 },
      { pid: 2, kind: 'write', t: 1, dur: 5 },
      { pid: 3, kind: 'dio-read', t: 2, dur: 3 },
    ]);
    const { t, sim } = run(list, rwsemStrategy('linux'), spinning);
    expect(t).toEqual([[0, 10, 0], [1, 15, 9], [2, 5, 0]]);
    expect(sim.lockStats.get('iolock')).toMatchObject({ contentions: 1, spins: 1, spinNs: 9 * US });
  });

  it('past the threshold the writer sleeps and marks the rwsem nonspinnable: later readers queue, later writers sleep at once', () => {
    // reader 1 holds 0-30; writer 2 spins 1-11.5, then sleeps; reader 3 (12) queues behind it;
    // writer 4 (13) does not spin. At 30 writer 2 is woken and has the lock (30-35), then reader 3
    // (35-38), then writer 4 (38-40)
    const list = ops([
      { pid: 1, kind: 'dio-read', t: 0, dur: 30 },
      { pid: 2, kind: 'write', t: 1, dur: 5 },
      { pid: 3, kind: 'dio-read', t: 12, dur: 3 },
      { pid: 4, kind: 'write', t: 13, dur: 2 },
    ]);
    const { t, sim } = run(list, rwsemStrategy('linux'), spinning);
    expect(t).toEqual([[0, 30, 0], [1, 35, 29], [12, 38, 23], [13, 40, 25]]);
    expect(sim.lockStats.get('iolock')).toMatchObject({ contentions: 3, spins: 1, spinNs: 10.5 * US });
  });

  it('a writer taking the lock clears the nonspinnable mark: the next writer spins on readers again', () => {
    // as above, then reader 5 holds 41-61 and writer 6 (42) spins on it again, and has it at 61
    const list = ops([
      { pid: 1, kind: 'dio-read', t: 0, dur: 30 },
      { pid: 2, kind: 'write', t: 1, dur: 5 },
      { pid: 5, kind: 'dio-read', t: 41, dur: 20 },
      { pid: 6, kind: 'write', t: 42, dur: 1 },
    ]);
    const { t, sim } = run(list, rwsemStrategy('linux'), spinning);
    // writer 6 spins 42-52.5, sleeps, and is woken at 61
    expect(t).toEqual([[0, 30, 0], [1, 35, 29], [41, 61, 0], [42, 62, 19]]);
    expect(sim.lockStats.get('iolock')).toMatchObject({ contentions: 2, spins: 2, spinNs: 21 * US });
  });

  it('the FIFO rwsem has no reader spinning: the writer sleeps and the reader queues behind it', () => {
    const list = ops([
      { pid: 1, kind: 'dio-read', t: 0, dur: 10 },
      { pid: 2, kind: 'write', t: 1, dur: 5 },
      { pid: 3, kind: 'dio-read', t: 2, dur: 3 },
    ]);
    const { t, sim } = run(list, rwsemStrategy('fifo'), spinning);
    expect(t).toEqual([[0, 10, 0], [1, 15, 9], [2, 18, 13]]);
    expect(sim.lockStats.get('iolock')).toMatchObject({ spins: 0 });
  });
});

describe('the wake-up latency', () => {
  it('a woken sleeper runs again after the latency (its wait includes it); samples are taken in turn', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10 },
      { pid: 2, kind: 'write', t: 1, dur: 10 },
      { pid: 3, kind: 'write', t: 2, dur: 10 },
    ]);
    const { t } = run(list, rwsemStrategy('fifo'), { wakeLatencyNs: Float64Array.of(3 * US, 1 * US) });
    // writer 2 granted at 10, runs at 13 (first sample); writer 3 granted at 23, runs at 24 (second)
    expect(t).toEqual([[0, 10, 0], [1, 23, 12], [2, 34, 22]]);
  });

  it('a task with recorded wakes takes the latency of its own wake nearest in time (trace clock); the others take the pooled samples', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 100, dur: 10 },
      { pid: 2, kind: 'write', t: 101, dur: 10 },
      { pid: 3, kind: 'write', t: 102, dur: 10 },
      { pid: 3, kind: 'write', t: 200, dur: 10 },
      { pid: 2, kind: 'write', t: 201, dur: 10 },
    ]);
    // task 2 woke at trace times 50 (7 µs to run), 112 (2 µs) and 135 (9 µs); task 3 has no wakes
    const taskWakeLatency = new Map([[2, { wokenNs: Float64Array.of(50 * US, 112 * US, 135 * US), latencyNs: Float64Array.of(7 * US, 2 * US, 9 * US) }]]);
    const { t } = run(list, rwsemStrategy('fifo'), { wakeLatencyNs: Float64Array.of(4 * US), taskWakeLatency });
    // sim time 0 is the first op's trace time (100): task 2 woken at 10 (trace 110: its wake at 112
    // is the nearest, 2 µs) runs at 12; task 3 woken at 22 takes the pooled 4 µs: runs at 26. Task 2
    // woken at 110 (trace 210: past its last wake, 135, 9 µs) runs at 119
    expect(t).toEqual([[0, 10, 0], [1, 22, 11], [2, 36, 24], [100, 110, 0], [101, 129, 18]]);
    // on the trace's clock in open mode with a time scale: the first three ops issued at a quarter
    // of their gaps (sim time s is trace time 100 + 4s): task 2 woken at 10 (trace 140: its wake at
    // 135 is the nearest, 9 µs) runs at 19; task 3 woken at 29 takes the pooled 4 µs
    const scaled = run(list.slice(0, 3), rwsemStrategy('fifo'), { wakeLatencyNs: Float64Array.of(4 * US), taskWakeLatency, timeScale: 0.25 });
    expect(scaled.t).toEqual([[0, 10, 0], [0.25, 29, 18.75], [0.5, 43, 32.5]]);
    // the nearest wake (the earlier one on a tie), not the next one
    const w = { wokenNs: Float64Array.of(50, 112, 135), latencyNs: Float64Array.of(7, 2, 9) };
    expect([nearestWake(w, 0), nearestWake(w, 81), nearestWake(w, 82), nearestWake(w, 123.5), nearestWake(w, 124), nearestWake(w, 999)]).toEqual([7, 7, 2, 2, 9, 9]);
  });

  it('each recorded wake of a task serves one replayed wake: the nearest one not used yet, all again once every one was used', () => {
    // task 1 holds the lock 50 µs at a time; task 2 waits behind each of its ops
    const list = ops([
      { pid: 1, kind: 'write', t: 100, dur: 50 },
      { pid: 2, kind: 'write', t: 101, dur: 10 },
      { pid: 1, kind: 'write', t: 150, dur: 50 },
      { pid: 2, kind: 'write', t: 151, dur: 10 },
      { pid: 1, kind: 'write', t: 200, dur: 50 },
      { pid: 2, kind: 'write', t: 201, dur: 10 },
      { pid: 1, kind: 'write', t: 250, dur: 50 },
      { pid: 2, kind: 'write', t: 251, dur: 10 },
    ]);
    // task 2 was woken at trace times 150 (2 µs to run), 400 (7 µs) and 600 (20 µs)
    const taskWakeLatency = new Map([[2, { wokenNs: Float64Array.of(150 * US, 400 * US, 600 * US), latencyNs: Float64Array.of(2 * US, 7 * US, 20 * US) }]]);
    const { t } = run(list, rwsemStrategy('fifo'), { taskWakeLatency });
    // task 2's wakes, in sim time (trace 100 + s): at 50 (trace 150: its wake at 150, 2 µs), at 112
    // (trace 212: 150 is the nearest but used, so 400, 7 µs), at 179 (trace 279: 600, the one
    // left, 20 µs), at 259 (every wake used: the nearest again, trace 359 → 400, 7 µs)
    expect(t.filter((_, i) => i % 2 === 1).map(([, endNs]) => endNs - 10)).toEqual([52, 119, 199, 266]);
  });

  it('the recorded wakes not used yet: the nearest below and above an index, as a scan finds them', () => {
    const rnd = (() => {
      let x = 12345;
      return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    })();
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rnd() * 40);
      const w = new UnusedWakes(n);
      const used = new Uint8Array(n);
      for (let step = 0; step < n; step++) {
        const i = Math.floor(rnd() * (n + 2)) - 1;
        let below = Math.min(i, n - 1);
        while (below >= 0 && used[below] === 1) below--;
        let above = Math.max(i, 0);
        while (above < n && used[above] === 1) above++;
        expect(w.atOrBelow(i)).toBe(below);
        expect(w.atOrAbove(i)).toBe(above < n ? above : -1);
        const k = below >= 0 ? below : above;
        if (k >= 0 && k < n) {
          w.use(k);
          used[k] = 1;
        }
      }
      expect(w.count).toBe(n - used.reduce((a, b) => a + b, 0));
    }
  });

  it('the nearest recorded wake not used yet, as scans from the nearest of all find it (times with ties, before, between and after the wakes)', () => {
    let x = 777;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rnd() * 12);
      // times on a coarse grid: equal times and equal distances happen
      const wokenNs = Float64Array.from({ length: n }, () => Math.floor(rnd() * 20) * 10).sort();
      const own = { wokenNs, latencyNs: Float64Array.from({ length: n }, (_, i) => i) };
      const left = new UnusedWakes(n);
      const used = new Uint8Array(n);
      for (let step = 0; step < n; step++) {
        const atNs = Math.floor(rnd() * 23) * 10 - 10 + (rnd() < 0.3 ? 5 : 0);
        // the reference: scan down from the nearest wake of all, and up from the one after it
        const c = wokenNs.findIndex((_, i) => nearestWake(own, atNs) === i);
        let lo = c;
        while (lo >= 0 && used[lo] === 1) lo--;
        let hi = c + 1;
        while (hi < n && used[hi] === 1) hi++;
        const expected = lo < 0 ? hi : hi >= n ? lo : Math.abs(atNs - wokenNs[lo]) <= Math.abs(wokenNs[hi] - atNs) ? lo : hi;
        const k = nearestUnusedWake(own, left, atNs);
        expect(k, JSON.stringify({ wokenNs: [...wokenNs], used: [...used], atNs })).toBe(expected);
        left.use(k);
        used[k] = 1;
      }
    }
  });

  it('a capture\'s sched wakes: those inside their own task\'s lock waits, per task in wakeup order', () => {
    const rec = (tsNs: number, pid: number, event: string, waitNs: number) => ({ tsNs, pid, comm: 'x', target: event === 'sched-wake' ? '' : F, event, mode: 'WRITE', caller: 'IOLOCK', line: 0, waitNs });
    const w = taskWakeLatency([
      // task 1 waits 100-200 and 300-400; task 2 waits 150-250
      rec(200, 1, 'contention', 100),
      rec(250, 2, 'contention', 100),
      rec(400, 1, 'contention', 100),
      // in task 1's first wait (woken 120, ran 125); at its start (woken 100); between its waits (woken 260): not kept
      rec(125, 1, 'sched-wake', 5),
      rec(101, 1, 'sched-wake', 1),
      rec(270, 1, 'sched-wake', 10),
      // task 1 woken at 160, inside its own wait (100-200): kept as task 1's
      rec(180, 1, 'sched-wake', 20),
      // task 2's, woken at its wait's end (250); task 3 has no waits
      rec(260, 2, 'sched-wake', 10),
      rec(300, 3, 'sched-wake', 30),
      // task 1, in its second wait, switched in after the wait's end
      rec(420, 1, 'sched-wake', 40),
      // task 1 woken after its last wait; records without a wait or latency
      rec(500, 1, 'sched-wake', 5),
      { ...rec(600, 1, 'contention', 0), waitNs: undefined },
      { ...rec(590, 1, 'sched-wake', 0), waitNs: undefined },
    ]);
    expect([...w.byPid.keys()]).toEqual([1, 2]);
    expect(w.byPid.get(1)).toEqual({ wokenNs: Float64Array.of(100, 120, 160, 380), latencyNs: Float64Array.of(1, 5, 20, 40) });
    expect(w.byPid.get(2)).toEqual({ wokenNs: Float64Array.of(250), latencyNs: Float64Array.of(10) });
    expect(w).toMatchObject({ wakes: 5, tasks: 2, p50Ns: 10, p90Ns: 40, meanNs: 15 });
    expect(taskWakeLatency([])).toMatchObject({ wakes: 0, tasks: 0, p50Ns: 0, meanNs: 0 });
  });

  it('measured from a capture: the gap from another task\'s release of the class to the end of the wait', () => {
    const lock = (tsNs: number, pid: number, event: string, mode: string, caller = '', waitNs?: number) => ({ tsNs, pid, comm: 'x', target: F, event, mode, caller, line: 0, ...(waitNs !== undefined ? { waitNs } : {}) });
    const w = measureWakeLatency([
      lock(100, 1, 'xfs_iunlock', 'IOLOCK_EXCL'),
      lock(104, 2, 'contention', 'WRITE', 'IOLOCK', 50),
      lock(200, 2, 'xfs_iunlock', 'IOLOCK_EXCL|MMAPLOCK_EXCL'),
      // its own release does not count; the gap must lie within the wait
      lock(230, 2, 'contention', 'WRITE', 'IOLOCK', 10),
      lock(260, 3, 'contention', 'READ', 'MMAPLOCK', 100),
      lock(300, 1, 'contention', 'READ', 'ILOCK', 100),
    ]);
    // (too few readers' waits to sample readers only: every waiter's gap is a sample)
    expect([...w.samplesNs]).toEqual([4, 60]);
    expect(w).toMatchObject({ waiters: 'all', p50Ns: 60, p90Ns: 60, meanNs: 32 });
  });

  it('which release a wait is measured from: the class\'s, by another task, the latest; the gap within the wait; percentiles of the sorted gaps', () => {
    const lock = (tsNs: number, pid: number, event: string, mode: string, caller = '', waitNs?: number) => ({ tsNs, pid, comm: 'x', target: F, event, mode, caller, line: 0, ...(waitNs !== undefined ? { waitNs } : {}) });
    const w = measureWakeLatency([
      lock(100, 1, 'xfs_iunlock', 'IOLOCK_SHARED'),
      lock(110, 1, 'xfs_iunlock', 'IOLOCK_SHARED'),
      // another class's release does not count for IOLOCK
      lock(115, 2, 'xfs_iunlock', 'MMAPLOCK_SHARED'),
      // measured from task 1's latest release (110), not its first (100)
      lock(120, 3, 'contention', 'READ', 'IOLOCK', 50),
      lock(130, 3, 'xfs_iunlock', 'IOLOCK_EXCL'),
      lock(140, 4, 'xfs_iunlock', 'IOLOCK_EXCL'),
      // task 4's own release is passed over: from task 3's (130), a gap equal to the wait counts
      lock(150, 4, 'contention', 'WRITE', 'IOLOCK', 20),
      // a gap longer than the wait does not
      lock(160, 5, 'contention', 'READ', 'IOLOCK', 5),
      // not contention records of a compared class, or without a wait
      lock(161, 6, 'xfs_ilock', 'IOLOCK_SHARED', 'IOLOCK', 100),
      lock(162, 6, 'contention', 'READ', 'ILOCK', 100),
      lock(163, 6, 'contention', 'READ', 'IOLOCK'),
      // a gap of 0 counts
      lock(200, 7, 'xfs_iunlock', 'IOLOCK_SHARED'),
      lock(200, 8, 'contention', 'READ', 'IOLOCK', 10),
    ]);
    expect([...w.samplesNs]).toEqual([10, 20, 0]);
    expect(w).toMatchObject({ waiters: 'all', p50Ns: 10, p90Ns: 20, meanNs: 10 });
    expect(measureWakeLatency([])).toEqual({ samplesNs: new Float64Array(0), waiters: 'all', p50Ns: 0, p90Ns: 0, meanNs: 0 });
  });

  it('with enough readers\' waits, only those are samples: a reader is granted the lock before it is woken, a woken writer had to win a race', () => {
    const lock = (tsNs: number, pid: number, event: string, mode: string, caller = '', waitNs?: number) => ({ tsNs, pid, comm: 'x', target: F, event, mode, caller, line: 0, ...(waitNs !== undefined ? { waitNs } : {}) });
    const locks = [];
    // a writer woken to compete, which won 3 µs after the release
    locks.push(lock(0, 9, 'xfs_iunlock', 'IOLOCK_SHARED'), lock(3, 8, 'contention', 'WRITE', 'IOLOCK', 40));
    // MIN_READER_SAMPLES readers, each granted at a writer's release and running 10 + k ns later
    for (let k = 0; k < MIN_READER_SAMPLES; k++) {
      const t = 1000 * (k + 1);
      locks.push(lock(t, 8, 'xfs_iunlock', 'IOLOCK_EXCL'), lock(t + 10 + k, 7, 'contention', 'READ', 'IOLOCK', 500));
    }
    const w = measureWakeLatency(locks);
    expect(w.waiters).toBe('readers');
    expect([...w.samplesNs]).toEqual(Array.from({ length: MIN_READER_SAMPLES }, (_, k) => 10 + k));
    expect(w).toMatchObject({ p50Ns: 10 + MIN_READER_SAMPLES / 2, p90Ns: 10 + Math.floor(0.9 * MIN_READER_SAMPLES) });
    // one reader fewer: the writer's gap is a sample again
    const fewer = measureWakeLatency(locks.slice(0, -2));
    expect(fewer.waiters).toBe('all');
    expect([...fewer.samplesNs].slice(0, 2)).toEqual([3, 10]);
    expect(fewer.samplesNs.length).toBe(MIN_READER_SAMPLES);
  });
});

describe('the fidelity table\'s wake-up latency line', () => {
  const base = (wakeLatency: FidelityReport['contention']['wakeLatency']): FidelityReport => ({
    trace: 't', strategy: 'linux:xfs', mode: 'open', xfsFiles: [], byKind: {}, disagreements: { count: 0, first: [] }, waits: {}, notes: [],
    contention: { source: 'contention-events', observedWaits: 1, wakeLatency, rows: [{ lockClass: 'IOLOCK', kind: 'write', observed: dist(1), predicted: dist(1), countRatio: 1, meanRatio: 1 }] },
  });
  const dist = (count: number) => ({ count, p50Ns: 1000, p99Ns: 1000, meanNs: 1000, totalNs: 1000 * count });
  const tw = { wakes: 12, tasks: 3, p50Ns: 9000, p90Ns: 40_000, meanNs: 13_500 };
  it('names the pooled gaps and the per-task wakes, or says which is missing', () => {
    const pooled = { source: 'trace' as const, waiters: 'readers' as const, samples: 5, p50Ns: 4000, p90Ns: 27_000, meanNs: 14_900 };
    expect(formatFidelity(base({ ...pooled, taskWakes: tw }))).toContain('(wake-up latency from the capture: 5 release → wait-end gaps of readers (granted on release), p50 4.0µs, p90 27.0µs, mean 14.9µs; 12 wakes of 3 tasks from sched events replayed per task (p50 9.0µs, p90 40.0µs, mean 13.5µs))');
    const none = { source: 'none' as const, waiters: 'none' as const, samples: 0, p50Ns: 0, p90Ns: 0, meanNs: 0 };
    expect(formatFidelity(base({ ...none, taskWakes: tw }))).toContain('(no release → wait-end gaps for tasks without wakes of their own; 12 wakes of 3 tasks');
    expect(formatFidelity(base(none))).toContain('under linux:xfs (no wake-up latency)');
  });
});
