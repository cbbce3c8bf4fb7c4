/**
 * The state of one run, shared by the engine's modules (cpu.ts, spinning.ts, steps.ts, the event
 * loop in simulator.ts), with the small operations on it: scheduling an event, lock classes and
 * their statistics, an op's intended start, pushing an op's frame, waking waiters.
 */
import { Fifo } from '../util/fifo.js';
import type { LockRequest } from '../locks/primitives.js';
import type { Op } from '../model/op.js';
import type { OpColumns } from '../model/op-columns.js';
import type { LockClassStats } from '../model/result.js';
import { MmapLockPlans } from '../strategies/mmap-lock.js';
import { DEFAULT_COSTS, type LockCosts, type PlanContext, type Step, type Strategy } from '../strategies/types.js';
import { NumHeap } from '../util/num-heap.js';
import { partitionPoint } from '../util/search.js';
import { EVENTS_PER_STEP, invariantError } from './invariants.js';
import type { OpTable } from './op-table.js';
import { newOutcomes, resetOutcomes } from './outcomes.js';
import type { ScheduleLog } from './schedule-log.js';
import { offFractions } from './cpu.js';
import { OpView } from '../model/op-view.js';
import { plansFromViews } from '../strategies/views.js';
import { EV_RESUME, type Frame, type LockClass, type OpOutcomes, type SimOptions, type Task, type TaskWakes, TaskState, type Waiting } from './sim-types.js';

const NO_CHILDREN: number[] = [];

/**
 * The longest gap between a task's ops taken for user-space work rather than a sleep: the default
 * timer slack of a normal task (50 µs, prctl PR_SET_TIMERSLACK), which no sleep ends sooner than.
 */
export const USER_GAP_NS = 50_000;

export class Sim {
  readonly n: number;
  readonly outcomes: OpOutcomes;
  activeCount = 0;
  readonly lockStats = new Map<string, LockClassStats>();
  readonly heap = new NumHeap();
  seq = 0;
  readonly t0: number;
  readonly open: boolean;
  readonly timeScale: number;
  /** tasks: one per pid, in order of first appearance */
  readonly tasks: Task[] = [];
  /** frames of completed ops, linked through `below`, reused */
  freeFrames: Frame | undefined;
  readonly costs: LockCosts;
  readonly atomicNs: number;
  /** one context for every plan() call, its parent set for each */
  readonly ctx: { -readonly [K in keyof PlanContext]: PlanContext[K] };
  readonly mmapPlans: MmapLockPlans | undefined;
  /** the rows a built-in strategy's plan() sees (an op, its parent): views, not an Op object per plan */
  private readonly views: { op: OpView; parent: OpView } | undefined;
  readonly optimisticSpin: boolean;
  /**
   * SimOptions.cpuModel 'preempt-none': a task keeps its CPU from its op's start until it sleeps or
   * the op ends, and a task that woke queues for a CPU ahead of one starting an op
   */
  readonly preemptNone: boolean;
  readonly wakeLatency: Float64Array | undefined;
  /** per task (index): its own recorded wakes (SimOptions.taskWakeLatency), if any */
  readonly taskWakes: (TaskWakes | undefined)[] | undefined;
  wakes = 0;
  /** per task: which of its recorded wakes (taskWakes) this run has not used yet */
  private readonly wakesLeft: (UnusedWakes | undefined)[] = [];
  readonly traceDurNs: Float64Array;
  readonly afterPlanNs: Float64Array | undefined;
  /** per op: the share of its work it runs asleep (0 on a CPU throughout, 1 asleep throughout) */
  readonly offFraction: Float64Array | undefined;
  readonly onLockWait: SimOptions['onLockWait'];
  readonly onProgress: SimOptions['onProgress'];
  readonly log: ScheduleLog | undefined;
  readonly cacheMissNs: number;
  cpusFree: number;
  readonly cpuQueue = new Fifo<Task>();
  /** (preemptNone) the tasks that woke and wait for a CPU, served before cpuQueue */
  readonly wokenQueue = new Fifo<Task>();
  cpuWaitTotalNs = 0;
  cpuBusyNs = 0;
  spinTotalNs = 0;
  /** tasks spinning optimistically on a sleeping lock's owner (checked after every event) */
  readonly ownerSpinners: Task[] = [];
  completed = 0;
  lastEndNs = 0;
  firstIssueNs = Infinity;
  /** events run so far, and the bound they must stay within (invariants.ts); plans add to it */
  events = 0;
  readonly eventsPerStep: number;
  eventBudget: number;
  /**
   * The lock classes met so far (each with its statistics and key → lock instance), in a list: a
   * strategy has a handful, and their names are mostly the same string objects, so a scan is
   * cheaper than hashing the name.
   */
  readonly classes: LockClass[] = [];
  nowGlobal = 0;
  deadlock: { atNs: number; cycle: Task[] } | undefined;

  constructor(
    readonly ops: OpColumns,
    readonly serviceNs: Float64Array,
    readonly strategy: Strategy,
    options: SimOptions,
    readonly table: OpTable,
    reuse: OpOutcomes | undefined,
  ) {
    const n = (this.n = ops.n);
    this.outcomes = reuse !== undefined && reuse.done.length === n ? resetOutcomes(reuse) : newOutcomes(n);
    this.t0 = n > 0 ? table.tsNs[0] : 0;
    this.open = options.mode === 'open';
    this.timeScale = options.timeScale;
    for (let t = 0; t < table.taskPid.length; t++) {
      const own = table.taskOps.subarray(table.taskStart[t], table.taskStart[t + 1]);
      this.tasks.push({
        index: t, pid: table.taskPid[t], comm: ops.comms[ops.comm[own[0]]], ops: own, next: 0, top: undefined, state: TaskState.Idle, waitSinceNs: 0, waitingFor: undefined, segmentNs: 0, prevEndNs: 0,
        cpuHeld: false, spinlocksHeld: 0, claiming: false, spinning: false, spinSinceNs: 0, spinsOnOwner: false, spinDeadlineNs: Infinity, retrying: false, lockWaitSinceNs: 0,
      });
    }
    this.costs = options.costs ?? DEFAULT_COSTS;
    this.atomicNs = this.costs.atomicNs;
    const sizes = table.fileSizeBytes;
    this.ctx = { parent: undefined, pageSizeBytes: options.pageSizeBytes, fileSizeBytes: (file: string): number => sizes.get(file) ?? 0, costs: this.costs };
    this.mmapPlans = options.mmapLock ?? true ? new MmapLockPlans(table.procs) : undefined;
    this.views = plansFromViews(strategy) ? { op: new OpView(ops), parent: new OpView(ops) } : undefined;
    this.optimisticSpin = options.spin ?? true;
    this.preemptNone = options.cpuModel === 'preempt-none';
    this.wakeLatency = options.wakeLatencyNs !== undefined && options.wakeLatencyNs.length > 0 ? options.wakeLatencyNs : undefined;
    const byPid = options.taskWakeLatency;
    if (byPid !== undefined && byPid.size > 0) {
      this.taskWakes = this.tasks.map((t) => {
        const w = byPid.get(t.pid);
        return w !== undefined && w.wokenNs.length > 0 ? w : undefined;
      });
    }
    this.traceDurNs = options.traceDurNs ?? serviceNs;
    this.afterPlanNs = options.afterPlanNs;
    this.offFraction = offFractions(this.table.kind, options.offCpuFraction);
    this.onLockWait = options.onLockWait;
    this.onProgress = options.onProgress;
    this.log = options.log;
    this.cacheMissNs = this.costs.cacheMissNs;
    this.cpusFree = Math.max(1, options.cpus);
    this.eventsPerStep = options.eventsPerStep ?? EVENTS_PER_STEP;
    this.eventBudget = this.eventsPerStep * n;
  }

  /** A broken invariant, at `task`'s current op and step (or the op it issues next). */
  fault(task: Task | undefined, what: string): Error {
    const f = task?.top;
    const next = task !== undefined && task.next < task.ops.length ? this.ops.at(task.ops[task.next]) : undefined;
    return invariantError({ strategy: this.strategy.name, op: f !== undefined ? this.opOf(f) : next, steps: f?.steps, stepIndex: f?.idx ?? 0 }, what);
  }

  /** the frame's op as an Op object (the one its plan got, or a new one) */
  opOf(f: Frame): Op {
    return f.opRef ?? this.ops.at(f.op);
  }

  schedule(timeNs: number, task: Task, kind: number): void {
    this.heap.push(timeNs, this.seq++, task.index * 8 + kind);
  }

  private statsOf(cls: string): LockClassStats {
    let s = this.lockStats.get(cls);
    if (s === undefined) this.lockStats.set(cls, (s = { acquisitions: 0, contentions: 0, waitTotalNs: 0, waitMaxNs: 0, holdTotalNs: 0, spins: 0, spinNs: 0 }));
    return s;
  }

  findClass(cls: string): LockClass | undefined {
    const classes = this.classes;
    for (let i = 0; i < classes.length; i++) if (classes[i].name === cls) return classes[i];
    return undefined;
  }

  classOf(cls: string): LockClass {
    let c = this.findClass(cls);
    if (c === undefined) {
      c = { name: cls, stats: this.statsOf(cls), instances: new Map(), lastKey: undefined, lastLock: undefined };
      this.classes.push(c);
    }
    return c;
  }

  /** when the task's k-th op is due: its trace time (open), or its previous op's end plus the think time (closed) */
  intendedOf(task: Task, k: number): number {
    const tsNs = this.table.tsNs;
    const i = task.ops[k];
    if (this.open) return (tsNs[i] - this.t0) * this.timeScale;
    if (k === 0) return tsNs[i] - this.t0;
    const prev = task.ops[k - 1];
    const prevTraceEnd = tsNs[prev] + this.traceDurNs[prev];
    const thinkNs = Math.max(0, tsNs[i] - prevTraceEnd);
    return task.prevEndNs + thinkNs;
  }

  /**
   * When the task issues its k-th op (k > 0), its previous op having ended at prevEndNs: when the op
   * is due (intendedOf). In open mode a task that is late does not issue at once: it first spends
   * the user-space time the trace shows between the two ops (the gap from the previous op's end to
   * this op's start, when shorter than USER_GAP_NS: too short to have been a sleep). A task behind
   * its schedule skips its sleeps, not its own work between calls.
   */
  issueAtOf(task: Task, k: number): number {
    const due = this.intendedOf(task, k);
    if (!this.open) return due;
    const tsNs = this.table.tsNs;
    const i = task.ops[k];
    const prev = task.ops[k - 1];
    const gapNs = tsNs[i] - (tsNs[prev] + this.traceDurNs[prev]);
    const userNs = gapNs > 0 && gapNs < USER_GAP_NS ? gapNs : 0;
    return Math.max(due, task.prevEndNs + userNs);
  }

  /**
   * Starts op `opIndex` on the task: its plan (under mmap_lock), its children's positions, a frame.
   * `parent`: the frame of the op it is a child of.
   */
  pushFrame(task: Task, opIndex: number, parent: Frame | undefined, now: number): void {
    const { tsNs, childStart, childList } = this.table;
    const serviceNs = this.serviceNs;
    if (parent !== undefined) {
      this.outcomes.intendedNs[opIndex] = now;
      this.outcomes.startNs[opIndex] = now;
    }
    const kidsFrom = childStart[opIndex];
    const kidsTo = childStart[opIndex + 1];
    let ownNs = serviceNs[opIndex];
    let afterNs = 0;
    if (this.afterPlanNs !== undefined && parent === undefined && kidsTo === kidsFrom) {
      afterNs = Math.min(ownNs, this.afterPlanNs[opIndex]);
      ownNs -= afterNs;
    }
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
    if (!(ownNs >= 0 && ownNs < Infinity)) throw invariantError({ strategy: this.strategy.name, op: this.ops.at(opIndex), steps: undefined, stepIndex: 0 }, `service time ${ownNs} ns is not a finite number >= 0`);
    let opRef: Op | undefined;
    let planned: readonly Step[];
    const views = this.views;
    if (views !== undefined) {
      views.op.i = opIndex;
      if (parent !== undefined) views.parent.i = parent.op;
      this.ctx.parent = parent !== undefined ? views.parent : undefined;
      planned = this.strategy.plan(views.op, this.ctx);
    } else {
      this.ctx.parent = parent !== undefined ? parent.opRef : undefined;
      opRef = this.ops.at(opIndex);
      planned = this.strategy.plan(opRef, this.ctx);
    }
    const steps = this.mmapPlans === undefined ? planned : this.mmapPlans.wrap(planned, this.table.kind[opIndex], this.table.proc[opIndex]);
    this.eventBudget += this.eventsPerStep * steps.length;
    let childrenStep = false;
    // (a step of child flushes only leaves the other children at their positions in the work)
    if (kidsTo > kidsFrom) for (const st of steps) if (st.type === 'children' && st.flushesOnly !== true) childrenStep = true;
    let f = this.freeFrames;
    if (f === undefined) {
      f = { op: opIndex, opRef, steps, idx: 0, ownNs, workDoneNs: 0, remainingNs: -1, childBase: kidsFrom, childEnd: kidsTo, childPos, nextChild: kidsFrom, held: [], below: task.top, childrenStep, overheadNs: 0, inCost: false, lockWaitNs: 0, cpuWaitNs: 0, afterNs, asleepLeftNs: 0, sectionEnded: false };
    } else {
      this.freeFrames = f.below;
      f.below = task.top;
      f.op = opIndex;
      f.opRef = opRef;
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
      f.afterNs = afterNs;
      f.asleepLeftNs = 0;
      f.sectionEnded = false;
    }
    task.top = f;
  }

  /** The waiters a release granted (or woke to compete) resume: a sleeper after the wake-up latency. */
  wakeAll(woken: LockRequest[], now: number, releaserOp: number): void {
    const log = this.log;
    for (let i = 0; i < woken.length; i++) {
      const t = this.tasks[woken[i].task];
      if (log !== undefined) log.wake(releaserOp, (t.top as Frame).op, now);
      // a sleeper runs again after the scheduler's wake-up latency; a spinner is running already
      let lat = 0;
      if (!t.spinning) {
        const own = this.taskWakes?.[t.index];
        if (own !== undefined) lat = this.ownWake(t.index, own, (this.open ? now / this.timeScale : now) + this.t0);
        else if (this.wakeLatency !== undefined) lat = this.wakeLatency[this.wakes++ % this.wakeLatency.length];
      }
      this.schedule(now + lat, t, EV_RESUME);
    }
  }

  /**
   * The latency of task `t`'s recorded wake nearest to `atNs` that this run has not used yet (all
   * of them again once every one has been used). A replay wakes a waiter more often than the kernel
   * did (each lost race is a wake): taking the nearest recorded wake every time gave one recorded
   * latency to a whole run of retries, and the short ones (a wakee that preempted its waker, 3-6 µs)
   * to most of them, where the capture shows each wake its own latency.
   */
  private ownWake(t: number, own: TaskWakes, atNs: number): number {
    let left = this.wakesLeft[t];
    if (left === undefined || left.count === 0) left = this.wakesLeft[t] = new UnusedWakes(own.latencyNs.length);
    const k = nearestUnusedWake(own, left, atNs);
    left.use(k);
    return own.latencyNs[k];
  }

  /** A task that slept for a lock has it: its wait is accounted, and it is ready to go on. */
  lockGrantedAfterSleep(task: Task, w: Waiting, now: number): void {
    const waited = now - task.waitSinceNs;
    const s = w.req.cls.stats;
    s.waitTotalNs += waited;
    if (waited > s.waitMaxNs) s.waitMaxNs = waited;
    w.req.grantedNs = now;
    const top = task.top as Frame;
    top.lockWaitNs += waited;
    this.onLockWait?.(w.req.cls.name, top.op, waited, false);
    if (this.log !== undefined) this.log.lockWait(top.op, w.req.cls.name, w.req.mode, w.req.start, w.req.end, task.waitSinceNs, now, false);
    task.waitingFor = undefined;
    task.state = TaskState.Ready;
  }
}

/**
 * The recorded wakes of a task not used yet: the nearest unused one below or above an index, in
 * near-constant time (each side's links skip used runs and are shortened as they are followed).
 */
export class UnusedWakes {
  /** unused wakes left */
  count: number;
  private readonly down: Int32Array;
  private readonly up: Int32Array;

  constructor(readonly n: number) {
    this.count = n;
    // down[i] = i and up[i] = i while i is unused; a used i links to i - 1 and i + 1
    this.down = Int32Array.from({ length: n }, (_, i) => i);
    this.up = Int32Array.from({ length: n }, (_, i) => i);
  }

  /** the largest unused index <= i, or -1 */
  atOrBelow(i: number): number {
    if (i < 0) return -1;
    const from = Math.min(i, this.n - 1);
    let r = from;
    while (r >= 0 && this.down[r] !== r) r = this.down[r];
    // shorten the path followed
    for (let j = from; j >= 0 && this.down[j] !== j; ) {
      const next = this.down[j];
      this.down[j] = r;
      j = next;
    }
    return r;
  }

  /** the smallest unused index >= i, or -1 */
  atOrAbove(i: number): number {
    if (i >= this.n) return -1;
    const from = Math.max(i, 0);
    let r = from;
    while (r < this.n && this.up[r] !== r) r = this.up[r];
    for (let j = from; j < this.n && this.up[j] !== j; ) {
      const next = this.up[j];
      this.up[j] = r;
      j = next;
    }
    return r < this.n ? r : -1;
  }

  use(i: number): void {
    this.down[i] = i - 1;
    this.up[i] = i + 1;
    this.count--;
  }
}

/**
 * The index of the recorded wake nearest to `atNs` among those not used yet (`left`, which has one
 * at least): the nearest unused one at or below the nearest of all, or above it, whichever is
 * nearer in time (the lower one on a tie).
 */
export function nearestUnusedWake(own: TaskWakes, left: UnusedWakes, atNs: number): number {
  const c = nearestWakeIndex(own, atNs);
  const lo = left.atOrBelow(c);
  const hi = left.atOrAbove(c + 1);
  if (lo < 0) return hi;
  if (hi < 0) return lo;
  return Math.abs(atNs - own.wokenNs[lo]) <= Math.abs(own.wokenNs[hi] - atNs) ? lo : hi;
}

/** the index of the recorded wake nearest to `atNs` (the earlier one on a tie) */
export function nearestWakeIndex(w: TaskWakes, atNs: number): number {
  const k = partitionPoint(w.wokenNs.length, (i) => w.wokenNs[i] < atNs);
  if (k === 0) return 0;
  if (k === w.wokenNs.length) return k - 1;
  return atNs - w.wokenNs[k - 1] <= w.wokenNs[k] - atNs ? k - 1 : k;
}

/** the latency of the recorded wake nearest to `atNs` (the earlier one on a tie) */
export function nearestWake(w: TaskWakes, atNs: number): number {
  return w.latencyNs[nearestWakeIndex(w, atNs)];
}
