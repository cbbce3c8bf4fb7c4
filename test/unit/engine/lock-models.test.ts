/**
 * Every lock primitive against a reference model written from its documented rule (the comments in
 * src/locks, docs/strategies.md, docs/writing-strategies.md, docs/costs.md), not from its code.
 * fast-check makes random sequences of acquires and releases (for the Linux rwsem also the time
 * passing, woken writers retrying, writers spinning and giving up); after each step the primitive
 * and its model must agree on what was granted, what each release returned (in order), who holds
 * the lock, who waits for whom (the wait-for graph's edges). Fixed seeds and small run counts: a
 * few seconds; LOCK_MODELS_RUNS=N searches N times as long, from a seed of the clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinuxRwSem, MAX_READERS_WAKEUP } from '../../../src/locks/linux-rwsem.js';
import { ListRangeLock } from '../../../src/locks/list-range.js';
import { type LockMode, type LockPrimitive, type LockRequest, Mutex, RwSem } from '../../../src/locks/primitives.js';
import { INDEX_ABOVE, RangeLock } from '../../../src/locks/range-lock.js';
import { TwoStateLock } from '../../../src/locks/two-state.js';

const SEED = 20_240_601;
const PAGE = 4096;
/** requests made per run at most: enough to pass the range lock's index threshold */
const MAX_REQUESTS = 60;

/** a request as a model sees it: `id` is its arrival order */
interface Ref {
  id: number;
  task: number;
  mode: LockMode;
  start: number;
  end: number;
  requestedNs: number;
  granted: boolean;
  /** Linux rwsem: a writer spinning on its CPU (not on the wait list) */
  spinning: boolean;
  /** Linux rwsem: a writer woken to compete, not granted */
  woken: boolean;
  /** not yet released (the driver's bookkeeping) */
  present: boolean;
}

interface Model {
  /** adds the request; true if granted at once */
  acquire(r: Ref, nowNs: number): boolean;
  /** removes a granted request; the requests it granted (or woke), in order */
  release(r: Ref, nowNs: number): Ref[];
  /** the requests a waiting request waits for (the wait-for graph's edges) */
  blockers(r: Ref): Ref[];
  /** Linux rwsem: a woken writer runs again and tries to take the lock */
  retry?(r: Ref, nowNs: number): boolean;
  /** Linux rwsem: may this waiting writer spin on the readers holding the lock? */
  readersSpinnable?(r: Ref): boolean;
  /** Linux rwsem: a writer's spin on the readers timed out */
  setNonspinnable?(): void;
}

/** how often the models met the cases that matter (so a run that never reaches them fails) */
const seen = new Map<string, number>();
const note = (what: string): void => {
  seen.set(what, (seen.get(what) ?? 0) + 1);
};

const overlap = (a: Ref, b: Ref): boolean => a.start < b.end && b.start < a.end;
const conflict = (a: Ref, b: Ref): boolean => (a.mode === 'X' || b.mode === 'X') && overlap(a, b);

/** One holder whatever the mode; waiters in arrival order. */
class MutexModel implements Model {
  private holder: Ref | undefined;
  private readonly queue: Ref[] = [];
  acquire(r: Ref): boolean {
    if (this.holder === undefined && this.queue.length === 0) this.holder = r;
    else this.queue.push(r);
    return this.holder === r;
  }
  release(): Ref[] {
    this.holder = this.queue.shift();
    if (this.holder === undefined) return [];
    this.holder.granted = true;
    return [this.holder];
  }
  blockers(r: Ref): Ref[] {
    return [this.holder as Ref, ...this.queue.slice(0, this.queue.indexOf(r))];
  }
}

/**
 * The locks whose rule is "a request is granted as soon as it waits for nobody", given by whom a
 * request waits for: the present requests in arrival order; a release grants, in arrival order,
 * every waiter that now waits for nobody (an earlier one granted by the same release counts as
 * granted for the later ones).
 */
class GrantWhenFree implements Model {
  protected readonly present: Ref[] = [];
  /** `waitsFor(r, q, present)`: whether request r waits for the other present request q */
  constructor(private readonly waitsFor: (r: Ref, q: Ref, present: readonly Ref[]) => boolean) {}
  blockers(r: Ref): Ref[] {
    return this.present.filter((q) => q !== r && this.waitsFor(r, q, this.present));
  }
  acquire(r: Ref): boolean {
    this.present.push(r);
    if (this.present.length > INDEX_ABOVE) note('range: above the index threshold');
    return this.blockers(r).length === 0;
  }
  release(r: Ref): Ref[] {
    this.present.splice(this.present.indexOf(r), 1);
    const out: Ref[] = [];
    for (const w of this.present) {
      if (w.granted || this.blockers(w).length > 0) continue;
      w.granted = true;
      out.push(w);
    }
    return out;
  }
}

const earlier = (q: Ref, r: Ref): boolean => q.id < r.id;

/** range fifo (Kara 2013 / Bueso 2017): a request waits for every earlier overlapping conflicting request, granted or waiting */
const fifoRange = (): Model => new GrantWhenFree((r, q) => conflict(q, r) && (q.granted || earlier(q, r)));
/** range reader-pref: S waits only for granted conflicting requests; X is FIFO */
const readerPrefRange = (): Model => new GrantWhenFree((r, q) => conflict(q, r) && (q.granted || (r.mode === 'X' && earlier(q, r))));
/** range nested-shared-ok: FIFO, but a task holding an overlapping S range takes another S past waiters */
const nestedRange = (): Model =>
  new GrantWhenFree((r, q, p) => {
    if (!conflict(q, r)) return false;
    if (q.granted) return true;
    const nested = r.mode === 'S' && p.some((h) => h.granted && h.task === r.task && h.mode === 'S' && overlap(h, r));
    return !nested && earlier(q, r);
  });
/** list range lock: no queue, a request waits for the granted ranges it conflicts with; a release retries every sleeper in arrival order */
const listRange = (exclusiveOnly: boolean): Model =>
  new GrantWhenFree((r, q) => q.granted && overlap(q, r) && (exclusiveOnly || q.mode === 'X' || r.mode === 'X'));

/** the rwsems: a waiter waits for the holders and the earlier waiters it conflicts with (ranges ignored) */
const rwConflict = (a: Ref, b: Ref): boolean => a.mode === 'X' || b.mode === 'X';
function rwsemBlockers(held: readonly Ref[], queue: readonly Ref[], r: Ref): Ref[] {
  const ahead = queue.slice(0, queue.indexOf(r));
  return [...held, ...ahead].filter((q) => rwConflict(q, r));
}

/** rwsem fifo: a strict queue; a waiter blocks new readers; a release grants the head, and with a reader at the head every reader up to the next writer */
class FifoRwsemModel implements Model {
  private readonly held: Ref[] = [];
  private readonly queue: Ref[] = [];
  private writerHolds(): boolean {
    return this.held.some((h) => h.mode === 'X');
  }
  private take(r: Ref): void {
    r.granted = true;
    this.held.push(r);
  }
  blockers(r: Ref): Ref[] {
    return rwsemBlockers(this.held, this.queue, r);
  }
  acquire(r: Ref): boolean {
    const ok = this.queue.length === 0 && (r.mode === 'S' ? !this.writerHolds() : this.held.length === 0);
    if (ok) this.take(r);
    else this.queue.push(r);
    return ok;
  }
  release(r: Ref): Ref[] {
    this.held.splice(this.held.indexOf(r), 1);
    const out: Ref[] = [];
    for (;;) {
      const head = this.queue[0];
      if (head === undefined) break;
      if (head.mode === 'S' ? this.writerHolds() : this.held.length > 0) break;
      this.take(this.queue.shift() as Ref);
      out.push(head);
      if (head.mode === 'X') break;
    }
    return out;
  }
}

/** rwsem reader-pref: a reader is granted whenever no writer holds the lock; writers in arrival order, when the lock is free */
class ReaderPrefRwsemModel implements Model {
  private readonly held: Ref[] = [];
  private readonly queue: Ref[] = [];
  private writerHolds(): boolean {
    return this.held.some((h) => h.mode === 'X');
  }
  private grantable(r: Ref): boolean {
    return r.mode === 'S' ? !this.writerHolds() : this.held.length === 0 && this.queue[0] === r;
  }
  blockers(r: Ref): Ref[] {
    return rwsemBlockers(this.held, this.queue, r);
  }
  acquire(r: Ref): boolean {
    const ok = r.mode === 'S' ? !this.writerHolds() : this.held.length === 0 && this.queue.length === 0;
    if (ok) this.held.push(r);
    else this.queue.push(r);
    return ok;
  }
  release(r: Ref): Ref[] {
    this.held.splice(this.held.indexOf(r), 1);
    const out: Ref[] = [];
    for (const w of [...this.queue]) {
      if (!this.grantable(w)) continue;
      this.queue.splice(this.queue.indexOf(w), 1);
      w.granted = true;
      this.held.push(w);
      out.push(w);
    }
    return out;
  }
}

/** two-state: same state shares, the other waits for the count to reach zero; then every waiter wakes and the first one's state wins */
class TwoStateModel implements Model {
  private readonly held: Ref[] = [];
  private readonly waiting: Ref[] = [];
  blockers(r: Ref): Ref[] {
    return this.held.filter((h) => h.mode !== r.mode);
  }
  acquire(r: Ref): boolean {
    const ok = this.held.length === 0 || this.held[0].mode === r.mode;
    if (ok) this.held.push(r);
    else this.waiting.push(r);
    return ok;
  }
  release(r: Ref): Ref[] {
    this.held.splice(this.held.indexOf(r), 1);
    if (this.held.length > 0 || this.waiting.length === 0) return [];
    const mode = this.waiting[0].mode;
    const out = this.waiting.filter((w) => w.mode === mode);
    for (const w of out) {
      w.granted = true;
      this.waiting.splice(this.waiting.indexOf(w), 1);
      this.held.push(w);
    }
    return out;
  }
}

/**
 * The Linux rwsem as docs/costs.md states it: readers steal a free lock past sleepers but queue
 * when readers hold it while tasks sleep waiting; writers steal a free lock; a release that frees
 * the lock gives it to the hand-off waiter if one set the flag, else to the first spinning writer
 * (unless the first sleeper is a reader past its timeout), else to every waiting reader if the
 * first sleeper is a reader; a writer first in line is only woken. A spinner is not on the wait
 * list: "first" means the first sleeper. A woken writer that finds the lock taken and has waited
 * past RWSEM_WAIT_TIMEOUT (in jiffies) as the first sleeper sets the hand-off flag.
 */
class LinuxRwsemModel implements Model {
  private readonly held: Ref[] = [];
  private readonly queue: Ref[] = [];
  private handoff: Ref | undefined;
  /** a writer's spin on readers timed out: no writer spins on readers until a writer takes the lock */
  private nonspinnable = false;
  constructor(private readonly hz: number) {}
  blockers(r: Ref): Ref[] {
    return rwsemBlockers(this.held, this.queue, r);
  }
  readersSpinnable(r: Ref): boolean {
    const readersHold = this.held.length > 0 && this.held[0].mode === 'S';
    return readersHold && !this.nonspinnable && this.handoff === undefined && !this.held.some((h) => h.task === r.task);
  }
  setNonspinnable(): void {
    note('linux: nonspinnable');
    this.nonspinnable = true;
  }
  private jiffies(ns: number): number {
    return Math.floor((ns * this.hz) / 1e9);
  }
  private timedOut(r: Ref, nowNs: number): boolean {
    return this.jiffies(nowNs) > this.jiffies(r.requestedNs) + Math.ceil(this.hz / 250);
  }
  private firstSleeper(): Ref | undefined {
    return this.queue.find((w) => !w.spinning);
  }
  private mayTake(r: Ref): boolean {
    if (this.handoff !== undefined) return this.handoff === r && this.held.length === 0;
    if (r.mode === 'X' || this.held.length === 0) return this.held.length === 0;
    return this.held[0].mode === 'S' && this.firstSleeper() === undefined;
  }
  private take(r: Ref): void {
    const i = this.queue.indexOf(r);
    if (i >= 0) this.queue.splice(i, 1);
    r.granted = true;
    r.woken = false;
    if (r.mode === 'X') this.nonspinnable = false;
    this.held.push(r);
  }
  acquire(r: Ref): boolean {
    if (this.mayTake(r)) {
      if (this.firstSleeper() !== undefined) note(`linux: ${r.mode === 'S' ? 'reader' : 'writer'} steals`);
      this.take(r);
    } else {
      this.queue.push(r);
    }
    return r.granted;
  }
  release(r: Ref, nowNs: number): Ref[] {
    this.held.splice(this.held.indexOf(r), 1);
    if (this.held.length > 0 || this.queue.length === 0) return [];
    const h = this.handoff;
    if (h !== undefined) {
      note('linux: hand-off');
      this.handoff = undefined;
      this.take(h);
      return [h];
    }
    const spinner = this.queue.find((w) => w.spinning && w.mode === 'X');
    const first = this.firstSleeper();
    if (first !== undefined && first.mode === 'S' && (spinner === undefined || this.timedOut(first, nowNs))) {
      if (spinner !== undefined) note('linux: timed-out readers before a spinner');
      const readers = this.queue.filter((w) => w.mode === 'S').slice(0, MAX_READERS_WAKEUP);
      for (const w of readers) this.take(w);
      return readers;
    }
    const out: Ref[] = [];
    if (spinner !== undefined) {
      note(first === undefined ? 'linux: spinner' : 'linux: spinner past sleepers');
      this.take(spinner);
      out.push(spinner);
    }
    if (first !== undefined && first.mode === 'X' && !first.woken) {
      if (this.queue[0] !== first) note('linux: sleeping writer behind a spinner woken');
      first.woken = true;
      out.push(first);
    }
    return out;
  }
  retry(r: Ref, nowNs: number): boolean {
    r.woken = false;
    if (this.mayTake(r)) {
      if (this.handoff === r) this.handoff = undefined;
      this.take(r);
      return true;
    }
    if (this.handoff === undefined && this.firstSleeper() === r && this.timedOut(r, nowNs)) {
      note('linux: hand-off flag set');
      this.handoff = r;
    }
    note('linux: woken writer loses');
    return false;
  }
}

// ---- the random steps and the driver ----

type Step =
  | { kind: 'acquire'; task: number; mode: LockMode; startPages: number; lengthPages: number; nudgeBytes: number; toEof: boolean; spin: boolean; afterNs: number }
  | { kind: 'release'; pick: number; afterNs: number }
  | { kind: 'retry'; pick: number; afterNs: number }
  | { kind: 'stop-spinning'; pick: number; afterNs: number }
  | { kind: 'spin-timeout'; pick: number; afterNs: number };

/**
 * Steps for `tasks` tasks. Ranges on a grid of pages (so ranges touch, nest and overlap often),
 * some of them a byte off it (ranges a byte apart, or overlapping by one);
 * the Linux rwsem's steps also let time pass (up to 3 ms per step, across its 4 to 8 ms timeout).
 */
function steps(tasks: number, linux = false): fc.Arbitrary<Step[]> {
  const afterNs = linux ? fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000_000 }), fc.constantFrom(1_000_000, 2_000_000)) : fc.constant(0);
  const acquire = fc.record({
    kind: fc.constant('acquire' as const),
    task: fc.nat(tasks - 1),
    mode: fc.constantFrom<LockMode>('S', 'X'),
    startPages: fc.nat(15),
    lengthPages: fc.integer({ min: 1, max: 6 }),
    nudgeBytes: fc.constantFrom(0, 0, 0, 0, 1, -1),
    toEof: fc.boolean(),
    spin: linux ? fc.constantFrom(true, true, false) : fc.constant(false),
    afterNs,
  });
  const pick = (kind: 'release' | 'retry' | 'stop-spinning' | 'spin-timeout') => fc.record({ kind: fc.constant(kind), pick: fc.nat(), afterNs });
  const options: fc.WeightedArbitrary<Step>[] = [
    { arbitrary: acquire, weight: linux ? 6 : 3 },
    { arbitrary: pick('release'), weight: linux ? 4 : 2 },
  ];
  // (spinners stop now and then only: two queued at once are what the release rules must get right)
  if (linux) options.push({ arbitrary: pick('retry'), weight: 4 }, { arbitrary: pick('stop-spinning'), weight: 1 }, { arbitrary: pick('spin-timeout'), weight: 1 });
  return fc.array(fc.oneof(...options), { maxLength: 2 * MAX_REQUESTS, size: 'max' });
}

/** the ids of requests (the primitives return the driver's requests, which carry one) */
const ids = (list: readonly object[]): number[] => list.map((r) => (r as { id: number }).id);

/** a disagreement: thrown (fast-check shrinks the steps and reports them with this message) */
function same<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: the primitive gives ${a}, the model ${e}`);
}

/**
 * Runs the steps on the primitive and its model, as the engine would: a task waits for one request
 * at a time and does nothing else meanwhile (it neither acquires nor releases); only the Linux
 * rwsem's engine marks waiting writers spinning and retries woken ones.
 */
function agree(lock: LockPrimitive, model: Model, list: Step[]): void {
  const real: (LockRequest & { id: number })[] = [];
  /** every request made, by id */
  const refs: Ref[] = [];
  /** the requests not released yet, in arrival order */
  const live: Ref[] = [];
  let nowNs = 0;
  for (let k = 0; k < list.length; k++) {
    const step = list[k];
    const at = `step ${k} (${step.kind})`;
    nowNs += step.afterNs;
    /** tasks waiting for a request: they do nothing else */
    const busy = new Set<number>();
    for (const r of live) if (!r.granted) busy.add(r.task);
    if (step.kind === 'acquire') {
      if (refs.length >= MAX_REQUESTS || busy.has(step.task)) continue;
      // (a nudged start moves up a byte; a nudged end moves either way)
      const start = step.startPages * PAGE + Math.abs(step.nudgeBytes);
      const end = step.toEof ? Infinity : start + step.lengthPages * PAGE + step.nudgeBytes;
      const id = refs.length;
      const base = { id, task: step.task, mode: step.mode, start, end, requestedNs: nowNs, granted: false, spinning: false, woken: false };
      const ref: Ref = { ...base, present: true };
      const req = { ...base, blockers: 0, grantedNs: 0 };
      refs.push(ref);
      live.push(ref);
      real.push(req);
      ref.granted = model.acquire(ref, nowNs);
      same(lock.acquire(req), ref.granted, `${at}: #${id} granted at once`);
      // the engine lets a writer that must wait spin (Linux rwsem steps only)
      if (!ref.granted && step.spin && step.mode === 'X') {
        ref.spinning = req.spinning = true;
        lock.spinStarted?.(req);
      }
    } else if (step.kind === 'release') {
      const candidates = live.filter((r) => r.granted && !busy.has(r.task));
      if (candidates.length === 0) continue;
      const ref = candidates[step.pick % candidates.length];
      ref.present = false;
      live.splice(live.indexOf(ref), 1);
      const expected = ids(model.release(ref, nowNs));
      same(ids(lock.release(real[ref.id], nowNs)), expected, `${at}: what the release of #${ref.id} returns`);
    } else if (step.kind === 'retry') {
      const woken = live.filter((r) => r.woken);
      if (woken.length === 0) continue;
      const ref = woken[step.pick % woken.length];
      const expected = (model.retry as NonNullable<Model['retry']>).call(model, ref, nowNs);
      same((lock.retry as NonNullable<LockPrimitive['retry']>).call(lock, real[ref.id], nowNs), expected, `${at}: #${ref.id} wins`);
    } else if (step.kind === 'stop-spinning') {
      const spinners = live.filter((r) => r.spinning && !r.granted);
      if (spinners.length === 0) continue;
      const ref = spinners[step.pick % spinners.length];
      ref.spinning = real[ref.id].spinning = false;
      lock.spinStopped?.(real[ref.id]);
    } else {
      // a writer spinning on readers reaches its threshold: it marks the lock and sleeps (spinning.ts)
      const linux = lock as LinuxRwSem;
      const spinners = live.filter((r) => r.spinning && !r.granted && linux.readersSpinnable(real[r.id]));
      if (spinners.length === 0) continue;
      const ref = spinners[step.pick % spinners.length];
      linux.setNonspinnable();
      (model.setNonspinnable as NonNullable<Model['setNonspinnable']>).call(model);
      ref.spinning = real[ref.id].spinning = false;
      linux.spinStopped(real[ref.id]);
    }
    // the whole state, after every step
    same(live.map((r) => real[r.id].granted), live.map((r) => r.granted), `${at}: granted`);
    same(live.map((r) => real[r.id].woken), live.map((r) => r.woken), `${at}: woken`);
    same(ids(lock.holders()).sort((a, b) => a - b), ids(live.filter((r) => r.granted)), `${at}: holders`);
    same(lock.hasWaiters(), live.some((r) => !r.granted), `${at}: waiters`);
    // who each waiter waits for (the wait-for graph), and that a sleeper waits for someone (else
    // nothing would wake it): after a release, the waiters; after another step, the newest request
    const byId = (a: number, b: number): number => a - b;
    for (const r of step.kind === 'release' ? live : live.slice(-1)) {
      if (r.granted) continue;
      const blockers = ids(lock.blockersOf(real[r.id])).sort(byId);
      same(blockers, ids(model.blockers(r)).sort(byId), `${at}: whom #${r.id} waits for`);
      if (blockers.length === 0 && !r.woken) throw new Error(`${at}: #${r.id} sleeps waiting for nobody`);
      if (model.readersSpinnable !== undefined && r.mode === 'X') same((lock as LinuxRwSem).readersSpinnable(real[r.id]), model.readersSpinnable(r), `${at}: #${r.id} may spin on readers`);
    }
  }
}

const LINUX_CASES = [
  'linux: nonspinnable',
  'linux: reader steals',
  'linux: writer steals',
  'linux: spinner',
  'linux: spinner past sleepers',
  'linux: sleeping writer behind a spinner woken',
  'linux: timed-out readers before a spinner',
  'linux: woken writer loses',
  'linux: hand-off flag set',
  'linux: hand-off',
];

/** runs per property: LOCK_MODELS_RUNS=10 runs ten times as many, from a seed of the clock (a longer search) */
const SCALE = Number(process.env.LOCK_MODELS_RUNS ?? 1);

function check(make: () => [LockPrimitive, Model], tasks: number, numRuns: number, linux = false): void {
  fc.assert(
    fc.property(steps(tasks, linux), (list) => {
      const [lock, model] = make();
      agree(lock, model, list);
    }),
    { seed: SCALE === 1 ? SEED : Date.now(), numRuns: numRuns * SCALE },
  );
}

describe('lock primitives against reference models of their documented rules', () => {
  it('Mutex: one holder, FIFO hand-over', () => {
    check(() => [new Mutex(), new MutexModel()], 8, 150);
  });

  it('RwSem fifo: strict queue, a waiter blocks new readers, the head (and the readers after it) get the lock', () => {
    check(() => [new RwSem('fifo'), new FifoRwsemModel()], 8, 150);
  });

  it('RwSem reader-pref: readers whenever no writer holds it; writers in arrival order', () => {
    check(() => [new RwSem('reader-pref'), new ReaderPrefRwsemModel()], 8, 150);
  });

  it(`RangeLock fifo, scanned and indexed (above ${INDEX_ABOVE} present, and above 4)`, () => {
    check(() => [new RangeLock('fifo'), fifoRange()], 64, 100);
    check(() => [new RangeLock('fifo', 4), fifoRange()], 64, 60);
    expect(seen.get('range: above the index threshold')).toBeGreaterThan(0);
  });

  it('RangeLock reader-pref and nested-shared-ok', () => {
    check(() => [new RangeLock('reader-pref'), readerPrefRange()], 16, 150);
    check(() => [new RangeLock('nested-shared-ok'), nestedRange()], 6, 200);
  });

  it('ListRangeLock, shared/exclusive and exclusive-only', () => {
    check(() => [new ListRangeLock(false), listRange(false)], 16, 150);
    check(() => [new ListRangeLock(true), listRange(true)], 16, 100);
  });

  it('TwoStateLock', () => {
    check(() => [new TwoStateLock(), new TwoStateModel()], 8, 150);
  });

  it('LinuxRwSem at HZ 250, 1000, 300 and 100: stealing, wake and compete, spinners, hand-off', () => {
    check(() => [new LinuxRwSem(250), new LinuxRwsemModel(250)], 8, 250, true);
    check(() => [new LinuxRwSem(1000), new LinuxRwsemModel(1000)], 8, 150, true);
    check(() => [new LinuxRwSem(300), new LinuxRwsemModel(300)], 8, 50, true);
    check(() => [new LinuxRwSem(100), new LinuxRwsemModel(100)], 8, 50, true);
    for (const what of LINUX_CASES) expect(seen.get(what), what).toBeGreaterThan(0);
  });
});
