/**
 * The deterministic replay engine: a discrete-event simulation in virtual nanoseconds.
 *
 * - Each task (pid) is a sequential actor running its top-level ops in trace order.
 * - `closed` mode: an op issues when the task's previous op completed plus the think time the trace
 *   recorded between them. `open` mode: an op is due at its trace timestamp × timeScale; a busy task
 *   starts it late, and the lateness counts in its latency (no coordinated omission).
 * - An op runs its strategy's lock plan: acquire / work / release steps. Work needs one of `cpus`
 *   CPUs (FIFO queue). A child op (a fault inside a syscall) runs inside its parent's plan at its
 *   recorded position in the parent's work.
 * - Events are ordered by (time, sequence); every structure iterates in a fixed order, so identical
 *   input and options give identical results.
 */
import type { Op } from '../model/op.js';
import { type AcquireStep, DEFAULT_COSTS, type LockCosts, MMAP_LOCK_TAG, type PlanContext, type ReleaseStep, type Step, type Strategy } from '../strategies/types.js';
import { NumHeap } from '../util/num-heap.js';
import { createLock } from '../locks/factory.js';
import { LinuxRwSem } from '../locks/linux-rwsem.js';
import { type LockMode, type LockPrimitive, type LockRequest, Mutex, RangeLock, RwSem } from '../locks/primitives.js';
import { KIND_CODE, opTable, type OpTable } from './op-table.js';
import type { ScheduleLog } from './schedule-log.js';
import { EVENTS_PER_STEP, invariantError } from './invariants.js';
import type { LockClassStats, BlockedTask } from '../model/result.js';
export type { LockClassStats, BlockedTask } from '../model/result.js';

export interface SimOptions {
  mode: 'closed' | 'open';
  timeScale: number;
  cpus: number;
  pageSizeBytes: number;
  /**
   * Model each process's mmap_lock as an rwsem with Linux fairness (default true): faults take it
   * shared around their whole plan, mmap/munmap exclusive, and DIO shared right after its strategy
   * locks (get_user_pages of the user buffer).
   */
  mmapLock?: boolean;
  /** CPU cost of lock operations (default DEFAULT_COSTS; docs/costs.md) */
  costs?: LockCosts;
  /**
   * Optimistic spinning of sleeping locks (default true; docs/costs.md): a waiter for a mutex, or
   * for an rwsem in write mode, whose lock has one owner that runs on a CPU keeps its own CPU and
   * spins instead of sleeping, and takes the lock a cache-line transfer after the release, with no
   * wakeup. Spinlocks (`spinlock` lock kind) always spin.
   */
  spin?: boolean;
  /**
   * The ops' durations in the trace, where they differ from the service times (the kernel's own lock
   * waits removed from those): closed mode measures a task's think time from the trace's end of its
   * previous op, so that a wait taken out of an op does not come back as think time.
   */
  traceDurNs?: Float64Array;
  /** the schedule, event by event (lock waits and holds, CPU waits, wake-ups), for exporters */
  log?: ScheduleLog;
  /**
   * called for every contended acquisition once granted: its lock class, the op (index), the wait,
   * and whether the waiter spun until it had the lock (false: it slept, or stopped spinning and slept)
   */
  onLockWait?: (lockClass: string, opIndex: number, waitNs: number, spun: boolean) => void;
  /**
   * The scheduler's wake-up latency: a sleeping lock waiter, woken, runs again this long after the
   * wake (no CPU is used meanwhile); the k-th wake of the run takes sample k mod length. Default: none.
   */
  wakeLatencyNs?: Float64Array;
  /** the events a run may take per op and per plan step before it is stopped as a loop (default EVENTS_PER_STEP) */
  eventsPerStep?: number;
  /** called with the ops completed so far, every PROGRESS_EVERY completions (for a progress meter; it changes nothing) */
  onProgress?: (completed: number) => void;
}

/** completions between two onProgress calls */
export const PROGRESS_EVERY = 1024;

/** What the simulation measured for each op (struct of arrays, indexed like the ops; virtual ns from the first op). */
export interface OpOutcomes {
  intendedNs: Float64Array;
  startNs: Float64Array;
  endNs: Float64Array;
  lockWaitNs: Float64Array;
  cpuWaitNs: Float64Array;
  /** when the op first entered a work step (its locks taken): the start of its critical section */
  activeNs: Float64Array;
  /** when its last share of work ended (before the releases that follow): the end of its critical section */
  workEndNs: Float64Array;
  /**
   * the ops that became active, in the order they did: activeOrder[0 .. activeCount) (simulated time
   * never goes back, so this is the order of activeNs, ties in the order the simulation ran them)
   */
  activeOrder: Int32Array;
  activeCount: number;
  /** 1 when the op completed */
  done: Uint8Array;
}



export interface SimOutput {
  outcomes: OpOutcomes;
  lockStats: Map<string, LockClassStats>;
  cpuWaitTotalNs: number;
  /** CPU time used: ops' work, lock costs, and spinning */
  cpuBusyNs: number;
  /** the part of cpuBusyNs spent spinning on locks */
  spinNs: number;
  makespanNs: number;
  completed: number;
  /**
   * Set when the run stopped on a deadlock: a cycle in the wait-for graph (found when a task
   * blocks), or tasks left blocked with nothing left to happen. `cycle` lists the tasks of the
   * cycle in wait order (each waits for the next, the last for the first).
   */
  stalled?: { atNs: number; reason: 'cycle' | 'stall'; cycle: BlockedTask[]; blocked: BlockedTask[] };
}

interface LockClass {
  name: string;
  stats: LockClassStats;
  instances: Map<string, LockPrimitive>;
  /** the instance looked up last (ops in a row mostly lock the same file) */
  lastKey: string | undefined;
  lastLock: LockPrimitive | undefined;
}

/** A lock request of the simulator: what the lock primitive needs, plus what the release needs. */
class Held implements LockRequest {
  granted = false;
  blockers = 0;
  spinning = false;
  woken = false;
  grantedNs: number;
  constructor(
    public task: number,
    public mode: LockMode,
    public start: number,
    public end: number,
    public requestedNs: number,
    public tag: number,
    public lock: LockPrimitive,
    public cls: LockClass,
    /** a spinlock: its waiters spin, its holder keeps its CPU */
    public spinlock: boolean,
  ) {
    this.grantedNs = requestedNs;
  }
}

interface Frame {
  op: number;
  steps: readonly Step[];
  idx: number;
  ownNs: number;
  workDoneNs: number;
  /** remaining ns of the current work step, or -1 before it starts */
  remainingNs: number;
  /** children: table.childList[nextChild .. childEnd) */
  childBase: number;
  childEnd: number;
  childPos: number[];
  nextChild: number;
  held: Held[];
  /** the frame below on the task's stack (the parent op), or the next free frame */
  below: Frame | undefined;
  /** the plan has a 'children' step: children run there, not at their positions */
  childrenStep: boolean;
  /** lock-operation CPU time owed (charged with the next work, or at the end) */
  overheadNs: number;
  /** the CPU segment running is a cost (not a share of the op's work) */
  inCost: boolean;
  lockWaitNs: number;
  cpuWaitNs: number;
}

const enum TaskState {
  Idle,
  Ready,
  WaitLock,
  WaitCpu,
  OnCpu,
  Done,
}

interface Task {
  index: number;
  pid: number;
  comm: string;
  /** the task's top-level ops, in order */
  ops: Int32Array;
  next: number;
  /** the running op's frame, linked to the ones below it (a child op runs on its parent's frame) */
  top: Frame | undefined;
  state: TaskState;
  /** when the current wait (lock or CPU) began */
  waitSinceNs: number;
  waitingFor: { req: Held; step: AcquireStep } | undefined;
  /** ns of work being run on a CPU */
  segmentNs: number;
  prevEndNs: number;
  /** the task occupies a CPU: running a segment, spinning, or holding a spinlock between steps */
  cpuHeld: boolean;
  /** spinlocks held: the task keeps its CPU until the last is released */
  spinlocksHeld: number;
  /** queued for a CPU to take a spinlock on (spin_lock() runs on a CPU) */
  claiming: boolean;
  /** waiting for a lock on its CPU instead of sleeping (a spinlock, or optimistic spinning) */
  spinning: boolean;
  spinSinceNs: number;
  /** optimistic spinning: it spins while the lock's single owner runs (false for a spinlock) */
  spinsOnOwner: boolean;
  /** woken by a lock that does not grant on release: running its wakeup, then it retries the lock */
  retrying: boolean;
  /** when the lock wait of a retrying task began (waitSinceNs is its CPU wait meanwhile) */
  lockWaitSinceNs: number;
}

const NO_CHILDREN: number[] = [];
/** the engine's own mmap_lock steps have a tag no plan uses (MMAP_LOCK_TAG; plans' tags are >= 0) */
const MMAP_RELEASE: ReleaseStep = { type: 'release', tag: MMAP_LOCK_TAG };
const MMAP_SPEC = { kind: 'rwsem', fairness: 'fifo' } as const;
function mmapAcquire(proc: string, mode: 'S' | 'X'): AcquireStep {
  return { type: 'acquire', lockClass: 'mmap_lock', key: proc, spec: MMAP_SPEC, mode, start: 0, end: Infinity, tag: MMAP_LOCK_TAG };
}
const EV_ISSUE = 0;
const EV_RESUME = 1;
const EV_CPU_DONE = 2;
/** a spinning waiter, granted its lock, has it after the cache-line transfer */
const EV_SPIN_DONE = 3;

function newOutcomes(n: number): OpOutcomes {
  return resetOutcomes({
    intendedNs: new Float64Array(n), startNs: new Float64Array(n), endNs: new Float64Array(n), lockWaitNs: new Float64Array(n),
    cpuWaitNs: new Float64Array(n), activeNs: new Float64Array(n), workEndNs: new Float64Array(n), done: new Uint8Array(n),
    activeOrder: new Int32Array(n), activeCount: 0,
  });
}

function resetOutcomes(o: OpOutcomes): OpOutcomes {
  o.intendedNs.fill(0);
  o.startNs.fill(0);
  o.endNs.fill(0);
  o.lockWaitNs.fill(0);
  o.cpuWaitNs.fill(0);
  o.activeNs.fill(-1);
  o.workEndNs.fill(-1);
  o.done.fill(0);
  o.activeCount = 0;
  return o;
}

const FAULT_READ = KIND_CODE.get('fault-read') as number;
const FAULT_WRITE = KIND_CODE.get('fault-write') as number;
const MMAP = KIND_CODE.get('mmap') as number;
const MUNMAP = KIND_CODE.get('munmap') as number;
const DIO_READ = KIND_CODE.get('dio-read') as number;
const DIO_WRITE = KIND_CODE.get('dio-write') as number;
/**
 * Kinds whose work is mostly waiting for the device, not running on a CPU: an owner doing one does
 * not count as running for optimistic spinning (the trace cannot tell CPU time from IO sleep inside
 * an op; docs/costs.md says what is assumed per kind).
 */
const IO_BOUND = new Uint8Array(KIND_CODE.size);
for (const k of ['dio-read', 'dio-write', 'fsync', 'writeback'] as const) IO_BOUND[KIND_CODE.get(k) as number] = 1;

/**
 * Replays `ops` (with their service times) against `strategy`. `table` is the ops as columns
 * (opTable(ops)); pass it when several strategies replay the same ops, so it is built once.
 * `reuse` is the outcomes of an earlier run whose arrays may be overwritten (fresh memory is
 * expensive: every page is faulted in); the result's outcomes are then those same arrays.
 */
export function simulate(ops: readonly Op[], serviceNs: Float64Array, strategy: Strategy, options: SimOptions, table: OpTable = opTable(ops), reuse?: OpOutcomes): SimOutput {
  const n = ops.length;
  const outcomes = reuse !== undefined && reuse.done.length === n ? resetOutcomes(reuse) : newOutcomes(n);
  const { intendedNs: outIntended, startNs: outStart, endNs: outEnd, lockWaitNs: outLockWait, cpuWaitNs: outCpuWait, activeNs: outActive, workEndNs: outWorkEnd, done: outDone, activeOrder } = outcomes;
  let activeCount = 0;
  const tsNs = table.tsNs;
  const kindOf = table.kind;
  const childStart = table.childStart;
  const childList = table.childList;
  const lockStats = new Map<string, LockClassStats>();
  const heap = new NumHeap();
  let seq = 0;
  const t0 = n > 0 ? tsNs[0] : 0;
  const open = options.mode === 'open';
  const timeScale = options.timeScale;

  // tasks: one per pid, in order of first appearance
  const tasks: Task[] = [];
  for (let t = 0; t < table.taskPid.length; t++) {
    const own = table.taskOps.subarray(table.taskStart[t], table.taskStart[t + 1]);
    tasks.push({
      index: t, pid: table.taskPid[t], comm: ops[own[0]].comm, ops: own, next: 0, top: undefined, state: TaskState.Idle, waitSinceNs: 0, waitingFor: undefined, segmentNs: 0, prevEndNs: 0,
      cpuHeld: false, spinlocksHeld: 0, claiming: false, spinning: false, spinSinceNs: 0, spinsOnOwner: false, retrying: false, lockWaitSinceNs: 0,
    });
  }

  /** frames of completed ops, linked through `below`, reused */
  let freeFrames: Frame | undefined;
  const costs = options.costs ?? DEFAULT_COSTS;
  const atomicNs = costs.atomicNs;
  const sizes = table.fileSizeBytes;
  // one context for every plan() call, its parent set for each
  const ctx: { -readonly [K in keyof PlanContext]: PlanContext[K] } = { parent: undefined, pageSizeBytes: options.pageSizeBytes, fileSizeBytes: (file: string): number => sizes.get(file) ?? 0, costs };
  const mmapLock = options.mmapLock ?? true;
  const optimisticSpin = options.spin ?? true;
  const wakeLatency = options.wakeLatencyNs !== undefined && options.wakeLatencyNs.length > 0 ? options.wakeLatencyNs : undefined;
  let wakes = 0;

  const traceDurNs = options.traceDurNs ?? serviceNs;
  const onLockWait = options.onLockWait;
  const onProgress = options.onProgress;
  const cacheMissNs = costs.cacheMissNs;
  // acquire steps are immutable data: one per (process, mode)
  const mmapShared: AcquireStep[] = table.procs.map((p) => mmapAcquire(p, 'S'));
  const mmapExclusive: AcquireStep[] = table.procs.map((p) => mmapAcquire(p, 'X'));
  const procOf = table.proc;
  const withMmapLock = (steps: readonly Step[], opIndex: number): readonly Step[] => {
    if (!mmapLock) return steps;
    const k = kindOf[opIndex];
    const len = steps.length;
    if (k === FAULT_READ || k === FAULT_WRITE || k === MMAP || k === MUNMAP) {
      // around the whole plan
      const out: Step[] = new Array(len + 2);
      out[0] = k === MMAP || k === MUNMAP ? mmapExclusive[procOf[opIndex]] : mmapShared[procOf[opIndex]];
      for (let i = 0; i < len; i++) out[i + 1] = steps[i];
      out[len + 1] = MMAP_RELEASE;
      return out;
    }
    if (k === DIO_READ || k === DIO_WRITE) {
      // after the strategy's locks, before the work (get_user_pages of the user buffer)
      let w = 0;
      while (w < len && steps[w].type !== 'work') w++;
      if (w === len) return steps;
      const out: Step[] = new Array(len + 2);
      for (let i = 0; i < w; i++) out[i] = steps[i];
      out[w] = mmapShared[procOf[opIndex]];
      out[w + 1] = MMAP_RELEASE;
      for (let i = w; i < len; i++) out[i + 2] = steps[i];
      return out;
    }
    return steps;
  };
  let cpusFree = Math.max(1, options.cpus);
  const cpuQueue: Task[] = [];
  let cpuQueueHead = 0;
  let cpuWaitTotalNs = 0;
  let cpuBusyNs = 0;
  let spinTotalNs = 0;
  /** tasks spinning optimistically on a sleeping lock's owner (checked after every event) */
  const ownerSpinners: Task[] = [];
  let completed = 0;
  let lastEndNs = 0;
  let firstIssueNs = Infinity;
  /** events run so far, and the bound they must stay within (invariants.ts); plans add to it */
  let events = 0;
  const eventsPerStep = options.eventsPerStep ?? EVENTS_PER_STEP;
  let eventBudget = eventsPerStep * n;

  /** A broken invariant, at `task`'s current op and step (or the op it issues next). */
  const fault = (task: Task | undefined, what: string): Error => {
    const f = task?.top;
    const next = task !== undefined && task.next < task.ops.length ? ops[task.ops[task.next]] : undefined;
    return invariantError({ strategy: strategy.name, op: f !== undefined ? ops[f.op] : next, steps: f?.steps, stepIndex: f?.idx ?? 0 }, what);
  };

  const schedule = (timeNs: number, task: Task, kind: number): void => {
    heap.push(timeNs, seq++, task.index * 4 + kind);
  };

  const statsOf = (cls: string): LockClassStats => {
    let s = lockStats.get(cls);
    if (s === undefined) lockStats.set(cls, (s = { acquisitions: 0, contentions: 0, waitTotalNs: 0, waitMaxNs: 0, holdTotalNs: 0, spins: 0, spinNs: 0 }));
    return s;
  };

  /**
   * The lock classes met so far (each with its statistics and key → lock instance), in a list: a
   * strategy has a handful, and their names are mostly the same string objects, so a scan is
   * cheaper than hashing the name.
   */
  const classes: LockClass[] = [];
  const findClass = (cls: string): LockClass | undefined => {
    for (let i = 0; i < classes.length; i++) if (classes[i].name === cls) return classes[i];
    return undefined;
  };
  const classOf = (cls: string): LockClass => {
    let c = findClass(cls);
    if (c === undefined) {
      c = { name: cls, stats: statsOf(cls), instances: new Map(), lastKey: undefined, lastLock: undefined };
      classes.push(c);
    }
    return c;
  };

  const intendedOf = (task: Task, k: number): number => {
    const i = task.ops[k];
    if (open) return (tsNs[i] - t0) * timeScale;
    if (k === 0) return tsNs[i] - t0;
    const prev = task.ops[k - 1];
    const prevTraceEnd = tsNs[prev] + traceDurNs[prev];
    const thinkNs = Math.max(0, tsNs[i] - prevTraceEnd);
    return task.prevEndNs + thinkNs;
  };

  const pushFrame = (task: Task, opIndex: number, parent: Op | undefined, now: number): void => {
    if (parent !== undefined) {
      outIntended[opIndex] = now;
      outStart[opIndex] = now;
    }
    const kidsFrom = childStart[opIndex];
    const kidsTo = childStart[opIndex + 1];
    let ownNs = serviceNs[opIndex];
    let childPos = NO_CHILDREN;
    if (kidsTo > kidsFrom) {
      let kidsNs = 0;
      for (let c = kidsFrom; c < kidsTo; c++) kidsNs += serviceNs[childList[c]];
      ownNs = Math.max(0, ownNs - kidsNs);
      childPos = [];
      let before = 0;
      const opTs = tsNs[opIndex];
      for (let c = kidsFrom; c < kidsTo; c++) {
        const kid = childList[c];
        const pos = Math.min(ownNs, Math.max(0, tsNs[kid] - opTs - before));
        childPos.push(childPos.length > 0 ? Math.max(pos, childPos[childPos.length - 1]) : pos);
        before += serviceNs[kid];
      }
    }
    if (!(ownNs >= 0 && ownNs < Infinity)) throw invariantError({ strategy: strategy.name, op: ops[opIndex], steps: undefined, stepIndex: 0 }, `service time ${ownNs} ns is not a finite number >= 0`);
    ctx.parent = parent;
    const steps = withMmapLock(strategy.plan(ops[opIndex], ctx), opIndex);
    eventBudget += eventsPerStep * steps.length;
    let childrenStep = false;
    if (kidsTo > kidsFrom) for (const st of steps) if (st.type === 'children') childrenStep = true;
    let f = freeFrames;
    if (f === undefined) {
      f = { op: opIndex, steps, idx: 0, ownNs, workDoneNs: 0, remainingNs: -1, childBase: kidsFrom, childEnd: kidsTo, childPos, nextChild: kidsFrom, held: [], below: task.top, childrenStep, overheadNs: 0, inCost: false, lockWaitNs: 0, cpuWaitNs: 0 };
    } else {
      freeFrames = f.below;
      f.below = task.top;
      f.op = opIndex;
      f.steps = steps;
      f.idx = 0;
      f.ownNs = ownNs;
      f.workDoneNs = 0;
      f.remainingNs = -1;
      f.childBase = kidsFrom;
      f.childEnd = kidsTo;
      f.childPos = childPos;
      f.nextChild = kidsFrom;
      // (setting length goes through the runtime: replace the array only if a plan left it non-empty)
      if (f.held.length !== 0) f.held = [];
      f.childrenStep = childrenStep;
      f.overheadNs = 0;
      f.inCost = false;
      f.lockWaitNs = 0;
      f.cpuWaitNs = 0;
    }
    task.top = f;
  };

  const log = options.log;
  const wakeAll = (woken: LockRequest[], now: number, releaserOp: number): void => {
    for (let i = 0; i < woken.length; i++) {
      const t = tasks[woken[i].task];
      if (log !== undefined) log.wake(releaserOp, (t.top as Frame).op, now);
      // a sleeper runs again after the scheduler's wake-up latency; a spinner is running already
      const lat = wakeLatency === undefined || t.spinning ? 0 : wakeLatency[wakes++ % wakeLatency.length];
      schedule(now + lat, t, EV_RESUME);
    }
  };

  const startCpu = (task: Task, ns: number, now: number): void => {
    if (!(ns >= 0 && ns < Infinity)) throw fault(task, `CPU segment of ${ns} ns is not a finite number >= 0`);
    task.segmentNs = ns;
    if (task.cpuHeld) {
      task.state = TaskState.OnCpu;
      schedule(now + ns, task, EV_CPU_DONE);
    } else if (cpusFree > 0) {
      cpusFree--;
      task.cpuHeld = true;
      task.state = TaskState.OnCpu;
      schedule(now + ns, task, EV_CPU_DONE);
    } else {
      task.state = TaskState.WaitCpu;
      task.waitSinceNs = now;
      cpuQueue.push(task);
    }
  };

  const releaseCpu = (now: number): void => {
    if (cpuQueueHead >= cpuQueue.length) {
      cpusFree++;
      return;
    }
    const nextTask = cpuQueue[cpuQueueHead++];
    if (cpuQueueHead > 1024 && cpuQueueHead * 2 > cpuQueue.length) {
      cpuQueue.splice(0, cpuQueueHead);
      cpuQueueHead = 0;
    }
    const waited = now - nextTask.waitSinceNs;
    cpuWaitTotalNs += waited;
    const f = nextTask.top as Frame;
    f.cpuWaitNs += waited;
    if (log !== undefined && waited > 0) log.cpuWait(f.op, nextTask.waitSinceNs, now);
    nextTask.cpuHeld = true;
    nextTask.state = TaskState.OnCpu;
    schedule(now + nextTask.segmentNs, nextTask, EV_CPU_DONE);
  };

  /** the task gives up the CPU it holds */
  const dropCpu = (task: Task, now: number): void => {
    task.cpuHeld = false;
    releaseCpu(now);
  };

  /** A task that holds a CPU it no longer uses (not running, spinning or holding a spinlock) gives it up. */
  const settleCpu = (task: Task, now: number): void => {
    if (task.cpuHeld && task.state !== TaskState.OnCpu && !task.spinning && task.spinlocksHeld === 0 && !task.claiming) dropCpu(task, now);
  };

  /** whether a task runs on a CPU, for a spinner deciding to spin on it (mutex_spin_on_owner: owner_on_cpu) */
  const isRunning = (t: Task): boolean => {
    if (!t.cpuHeld) return false;
    if (t.spinning) return true;
    if (t.state !== TaskState.OnCpu) return false;
    const f = t.top as Frame;
    return f.inCost || IO_BOUND[kindOf[f.op]] === 0;
  };

  /**
   * The single running owner a waiter may spin on: the holder of a mutex, or the one writer holding
   * an rwsem, when a writer waits (rwsem readers never spin; a reader-owned rwsem makes writers sleep).
   */
  const spinOwnerOf = (req: Held): Task | undefined => {
    const lock = req.lock;
    const mutex = lock instanceof Mutex;
    if (!mutex && !((lock instanceof RwSem || lock instanceof LinuxRwSem) && req.mode === 'X')) return undefined;
    const h = lock.holders();
    // (a mutex excludes whatever mode a plan names; an rwsem has a single owner only in write mode)
    if (h.length !== 1 || (!mutex && h[0].mode !== 'X') || h[0].task === req.task) return undefined;
    const owner = tasks[h[0].task];
    return isRunning(owner) ? owner : undefined;
  };

  /** a spinner stops spinning and sleeps: its CPU goes to the next task that wants one */
  const stopSpinning = (t: Task, now: number): void => {
    const spun = now - t.spinSinceNs;
    spinTotalNs += spun;
    cpuBusyNs += spun;
    const s = (t.waitingFor as { req: Held }).req.cls.stats;
    s.spinNs += spun;
    t.spinning = false;
    (t.waitingFor as { req: Held }).req.spinning = false;
    t.spinsOnOwner = false;
    // (a task that holds a spinlock keeps its CPU while it sleeps, as on the sleeping path)
    settleCpu(t, now);
  };

  /** a task waits for a CPU: a spinner on a sleeping lock yields (need_resched()) */
  const needResched = (): boolean => cpuQueueHead < cpuQueue.length;

  /**
   * After every event: an optimistic spinner whose lock has no running single owner any more (the
   * owner blocked, sleeps, does IO, or the lock passed to a sleeper or to readers), or whose CPU
   * another task is waiting for, goes to sleep. Repeated until nothing changes (a spinner can be
   * the owner another one spins on).
   */
  const checkSpinners = (now: number): void => {
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = 0; i < ownerSpinners.length; i++) {
        const t = ownerSpinners[i];
        const w = t.waitingFor;
        if (!t.spinsOnOwner || w === undefined || w.req.granted) {
          ownerSpinners.splice(i--, 1);
          continue;
        }
        if (needResched() || spinOwnerOf(w.req) === undefined) {
          ownerSpinners.splice(i--, 1);
          stopSpinning(t, now);
          changed = true;
        }
      }
    }
  };

  /** Runs the task's steps at time `now` until it blocks, runs on a CPU, or finishes its op. */
  const advance = (task: Task, now: number): void => {
    for (;;) {
      const frame = task.top as Frame;
      const steps = frame.steps;
      if (frame.idx >= steps.length) {
        if (frame.nextChild < frame.childEnd) {
          pushFrame(task, childList[frame.nextChild++], ops[frame.op], now);
          continue;
        }
        if (frame.overheadNs > 0) {
          // the releases' cost, before the op completes
          const ns = frame.overheadNs;
          frame.overheadNs = 0;
          frame.inCost = true;
          frame.idx = steps.length;
          startCpu(task, ns, now);
          return;
        }
        // the op is complete: a plan releases every lock it takes
        if (frame.held.length !== 0) {
          const h = frame.held[frame.held.length - 1];
          throw fault(task, `the op completes holding ${frame.held.length} lock(s) its plan did not release (the last: ${h.cls.name} ${h.mode} [${h.start}, ${h.end}), tag ${h.tag})`);
        }
        const op = frame.op;
        outEnd[op] = now;
        outLockWait[op] = frame.lockWaitNs;
        outCpuWait[op] = frame.cpuWaitNs;
        outDone[op] = 1;
        completed++;
        if (onProgress !== undefined && completed % PROGRESS_EVERY === 0) onProgress(completed);
        if (now > lastEndNs) lastEndNs = now;
        const below = frame.below;
        frame.below = freeFrames;
        freeFrames = frame;
        task.top = below;
        if (below !== undefined) continue;
        task.prevEndNs = now;
        task.next++;
        if (task.next < task.ops.length) {
          task.state = TaskState.Idle;
          schedule(Math.max(now, intendedOf(task, task.next)), task, EV_ISSUE);
        } else {
          task.state = TaskState.Done;
        }
        return;
      }
      const step = steps[frame.idx];
      const type = step.type;
      if (type === 'work') {
        if (frame.remainingNs < 0) {
          const fraction = step.fraction;
          if (!(fraction > 0 && fraction <= 1)) throw fault(task, `work fraction ${fraction} is not in (0, 1]`);
          frame.remainingNs = Math.round(fraction * frame.ownNs) + frame.overheadNs;
          frame.overheadNs = 0;
          if (outActive[frame.op] < 0) {
            outActive[frame.op] = now;
            activeOrder[activeCount++] = frame.op;
          }
        }
        const hasChild = frame.nextChild < frame.childEnd && !frame.childrenStep;
        const childAt = hasChild ? frame.childPos[frame.nextChild - frame.childBase] : Infinity;
        if (hasChild && childAt <= frame.workDoneNs) {
          pushFrame(task, childList[frame.nextChild++], ops[frame.op], now);
          continue;
        }
        if (frame.remainingNs <= 0) {
          frame.idx++;
          frame.remainingNs = -1;
          continue;
        }
        const segment = childAt < frame.workDoneNs + frame.remainingNs ? childAt - frame.workDoneNs : frame.remainingNs;
        startCpu(task, segment, now);
        return;
      }
      if (type === 'acquire') {
        const spinlock = step.spec.kind === 'spinlock';
        if (spinlock && !task.cpuHeld) {
          // spin_lock() runs on a CPU: take one (or queue for one, and come back to this step on it)
          if (cpusFree > 0) {
            cpusFree--;
            task.cpuHeld = true;
          } else {
            task.claiming = true;
            frame.inCost = true;
            startCpu(task, 0, now);
            return;
          }
        }
        if (!(step.start < step.end)) throw fault(task, `acquire of ${step.lockClass} names an empty or invalid range [${step.start}, ${step.end})`);
        const c = classOf(step.lockClass);
        const key = step.key;
        let lock = c.lastLock;
        if (key !== c.lastKey || lock === undefined) {
          lock = c.instances.get(key);
          if (lock === undefined) {
            lock = createLock(step.spec);
            c.instances.set(key, lock);
          }
          c.lastKey = key;
          c.lastLock = lock;
        }
        const req = new Held(task.index, step.mode, step.start, step.end, now, step.tag, lock, c, spinlock);
        const s = c.stats;
        s.acquisitions++;
        frame.overheadNs += atomicNs;
        frame.held.push(req);
        frame.idx++;
        if (!lock.acquire(req)) {
          s.contentions++;
          task.state = TaskState.WaitLock;
          task.waitSinceNs = now;
          task.waitingFor = { req, step };
          if (spinlock) {
            // a spinlock waiter keeps its CPU busy until the lock comes to it
            s.spins++;
            task.spinning = true;
            task.spinSinceNs = now;
          } else if (optimisticSpin && (task.cpuHeld || cpusFree > 0) && (!needResched()) && spinOwnerOf(req) !== undefined) {
            // optimistic spinning: the owner runs, so the lock should come soon
            if (!task.cpuHeld) {
              cpusFree--;
              task.cpuHeld = true;
            }
            s.spins++;
            task.spinning = true;
            req.spinning = true;
            task.spinsOnOwner = true;
            task.spinSinceNs = now;
            ownerSpinners.push(task);
          }
          if (mayCloseCycle(task)) {
            const cycle = findCycle(task, tasks);
            if (cycle !== undefined) deadlock = { atNs: now, cycle };
          }
          return;
        }
        if (spinlock) task.spinlocksHeld++;
        continue;
      }
      if (type === 'release') {
        const held = frame.held;
        let hi = held.length - 1;
        while (hi >= 0 && held[hi].tag !== step.tag) hi--;
        if (hi < 0) throw fault(task, `release of tag ${step.tag}, which no acquire of this op holds`);
        frame.idx++;
        const h = held[hi];
        if (hi === held.length - 1) held.pop();
        else held.splice(hi, 1);
        h.cls.stats.holdTotalNs += now - h.grantedNs;
        if (h.spinlock) task.spinlocksHeld--;
        frame.overheadNs += atomicNs;
        if (log !== undefined) log.lockHold(frame.op, h.cls.name, h.mode, h.start, h.end, h.grantedNs, now);
        wakeAll(h.lock.release(h, now), now, frame.op);
        continue;
      }
      if (type === 'children') {
        if (frame.nextChild < frame.childEnd) {
          pushFrame(task, childList[frame.nextChild++], ops[frame.op], now);
          continue;
        }
        frame.idx++;
        continue;
      }
      // cost
      let nodes = 0;
      if (step.nodesOf !== undefined) {
        const inst = findClass(step.nodesOf.lockClass)?.instances.get(step.nodesOf.key);
        nodes = inst === undefined ? 0 : inst.holders().length + (inst instanceof RangeLock ? inst.waiting() : 0);
      }
      const walk = step.logNodes ? (1 + nodes) * Math.log2(nodes + 2) : nodes;
      const ns = Math.round(step.baseNs + (step.perNodeNs ?? 0) * walk + frame.overheadNs);
      if (!(ns >= 0 && ns < Infinity)) throw fault(task, `cost of ${ns} ns is not a finite number >= 0`);
      frame.overheadNs = 0;
      frame.idx++;
      if (ns > 0) {
        frame.inCost = true;
        startCpu(task, ns, now);
        return;
      }
    }
  };

  /** A task that slept for a lock has it: its wait is accounted, and it is ready to go on. */
  const lockGrantedAfterSleep = (task: Task, w: { req: Held; step: AcquireStep }, now: number): void => {
    const waited = now - task.waitSinceNs;
    const s = w.req.cls.stats;
    s.waitTotalNs += waited;
    if (waited > s.waitMaxNs) s.waitMaxNs = waited;
    w.req.grantedNs = now;
    const top = task.top as Frame;
    top.lockWaitNs += waited;
    onLockWait?.(w.req.cls.name, top.op, waited, false);
    if (log !== undefined) log.lockWait(top.op, w.req.cls.name, w.req.mode, w.req.start, w.req.end, task.waitSinceNs, now, false);
    task.waitingFor = undefined;
    task.state = TaskState.Ready;
  };

  const issue = (task: Task, now: number): void => {
    const k = task.next;
    const opIndex = task.ops[k];
    const intended = open ? intendedOf(task, k) : now;
    if (now < firstIssueNs) firstIssueNs = now;
    outIntended[opIndex] = intended;
    outStart[opIndex] = now;
    task.state = TaskState.Ready;
    pushFrame(task, opIndex, undefined, now);
    advance(task, now);
  };

  let nowGlobal = 0;
  let deadlock: { atNs: number; cycle: Task[] } | undefined;
  for (const t of tasks) {
    if (t.ops.length > 0) schedule(intendedOf(t, 0), t, EV_ISSUE);
  }

  while (heap.size > 0 && deadlock === undefined) {
    const time = heap.peekKey();
    const ev = heap.pop();
    const task = tasks[ev >> 2];
    if (!(time >= nowGlobal && time < Infinity)) throw fault(task, `virtual time ${time} ns is not finite or goes back (from ${nowGlobal} ns)`);
    if (++events > eventBudget) throw fault(task, `the run took more than ${eventsPerStep} events per op and plan step (${eventBudget}): a loop`);
    nowGlobal = time;
    const kind = ev & 3;
    if (kind === EV_ISSUE) {
      issue(task, time);
      settleCpu(task, time);
    } else if (kind === EV_CPU_DONE && task.retrying) {
      // a woken waiter ran its wakeup (paid once): the lock is its if still free, else it sleeps again
      cpuBusyNs += task.segmentNs;
      (task.top as Frame).inCost = false;
      task.retrying = false;
      task.waitSinceNs = task.lockWaitSinceNs;
      const w = task.waitingFor as { req: Held; step: AcquireStep };
      const won = (w.req.lock.retry as (req: LockRequest, nowNs: number) => boolean).call(w.req.lock, w.req, time);
      const keep = task.spinlocksHeld > 0;
      if (won) {
        lockGrantedAfterSleep(task, w, time);
        if (!keep) dropCpu(task, time);
        advance(task, time);
        settleCpu(task, time);
      } else {
        task.state = TaskState.WaitLock;
        if (!keep) dropCpu(task, time);
        if (mayCloseCycle(task)) {
          const cycle = findCycle(task, tasks);
          if (cycle !== undefined) deadlock = { atNs: time, cycle };
        }
      }
    } else if (kind === EV_CPU_DONE) {
      const f = task.top as Frame;
      cpuBusyNs += task.segmentNs;
      if (f.inCost) {
        f.inCost = false;
      } else {
        f.workDoneNs += task.segmentNs;
        f.remainingNs -= task.segmentNs;
        outWorkEnd[f.op] = time;
      }
      task.state = TaskState.Ready;
      // a spinlock holder keeps its CPU; so does a task that queued for one to take a spinlock on
      const keep = task.spinlocksHeld > 0 || task.claiming;
      task.claiming = false;
      if (!keep) dropCpu(task, time);
      advance(task, time);
      settleCpu(task, time);
    } else if (kind === EV_SPIN_DONE) {
      // a spinner has the lock: no wakeup, its CPU was busy all along
      const w = task.waitingFor as { req: Held; step: AcquireStep };
      const waited = time - task.waitSinceNs;
      const s = w.req.cls.stats;
      s.waitTotalNs += waited;
      if (waited > s.waitMaxNs) s.waitMaxNs = waited;
      const spun = time - task.spinSinceNs;
      s.spinNs += spun;
      spinTotalNs += spun;
      cpuBusyNs += spun;
      w.req.grantedNs = time;
      (task.top as Frame).lockWaitNs += waited;
      onLockWait?.(w.req.cls.name, (task.top as Frame).op, waited, true);
      if (log !== undefined) log.lockWait((task.top as Frame).op, w.req.cls.name, w.req.mode, w.req.start, w.req.end, task.waitSinceNs, time, true);
      task.waitingFor = undefined;
      task.spinning = false;
      task.spinsOnOwner = false;
      task.state = TaskState.Ready;
      advance(task, time);
      settleCpu(task, time);
    } else {
      // a lock this task waited for was granted
      const w = task.waitingFor;
      if (w !== undefined && task.state === TaskState.WaitLock && task.spinning) {
        // granted while spinning: it takes the lock once the lock's cache line has come over
        if (w.req.spinlock) task.spinlocksHeld++;
        task.spinsOnOwner = false;
        schedule(time + cacheMissNs, task, EV_SPIN_DONE);
      } else if (w !== undefined && task.state === TaskState.WaitLock && !w.req.granted) {
        // woken to compete for the lock (a linux rwsem): it runs its wakeup, then tries again
        if (w.req.woken) {
          task.retrying = true;
          task.lockWaitSinceNs = task.waitSinceNs;
          (task.top as Frame).inCost = true;
          startCpu(task, costs.wakeupNs, time);
        }
      } else if (w !== undefined && task.state === TaskState.WaitLock) {
        (task.top as Frame).overheadNs += costs.wakeupNs;
        lockGrantedAfterSleep(task, w, time);
        advance(task, time);
        settleCpu(task, time);
      }
    }
    if (ownerSpinners.length > 0) checkSpinners(time);
  }
  outcomes.activeCount = activeCount;
  const out: SimOutput = {
    outcomes,
    lockStats,
    cpuWaitTotalNs,
    cpuBusyNs,
    spinNs: spinTotalNs,
    makespanNs: completed > 0 ? lastEndNs - Math.min(firstIssueNs, lastEndNs) : 0,
    completed,
  };
  const blocked = tasks.filter((t) => t.state === TaskState.WaitLock || t.state === TaskState.WaitCpu);
  if (deadlock !== undefined) {
    out.stalled = { atNs: deadlock.atNs, reason: 'cycle', cycle: deadlock.cycle.map((t) => describeBlocked(t, tasks, ops)), blocked: blocked.map((t) => describeBlocked(t, tasks, ops)) };
  } else if (blocked.length > 0) {
    // nothing left to happen: find a cycle among the blocked tasks to report, if there is one
    let cycle: Task[] = [];
    for (const t of blocked) {
      const c = findCycle(t, tasks);
      if (c !== undefined) {
        cycle = c;
        break;
      }
    }
    out.stalled = { atNs: nowGlobal, reason: 'stall', cycle: cycle.map((t) => describeBlocked(t, tasks, ops)), blocked: blocked.map((t) => describeBlocked(t, tasks, ops)) };
  }
  return out;
}

/**
 * Whether a task that just blocked can have closed a wait-for cycle: only if some request waits on
 * a lock the task holds (nothing else can wait for it). Saves the graph search on most blocks.
 */
function mayCloseCycle(task: Task): boolean {
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
function findCycle(start: Task, tasks: Task[]): Task[] | undefined {
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

function describeBlocked(t: Task, tasks: Task[], ops: readonly Op[]): BlockedTask {
  const frame = t.top as Frame;
  const op = ops[frame.op];
  const w = t.waitingFor;
  const waitsForPids = w === undefined ? [] : [...new Set(w.req.lock.blockersOf(w.req).map((r) => tasks[r.task].pid))];
  return {
    pid: t.pid, comm: t.comm, opId: op.id, kind: op.kind, file: op.file,
    lockClass: w?.step.lockClass ?? 'cpu', lockKey: w?.step.key ?? '', mode: w?.step.mode ?? '',
    start: w?.step.start ?? 0, end: w?.step.end ?? 0, sinceNs: t.waitSinceNs, waitsFor: waitsForPids,
  };
}
