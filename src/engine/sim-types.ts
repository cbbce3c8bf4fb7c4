/**
 * The engine's types: its options and output (public), and the state of a run (tasks, their frames
 * of running ops, lock requests, lock classes), shared by the modules of the engine.
 */
import type { LockMode, LockPrimitive, LockRequest } from '../locks/primitives.js';
import type { BlockedTask, LockClassStats } from '../model/result.js';
import type { AcquireStep, LockCosts, Step } from '../strategies/types.js';
import type { ScheduleLog } from './schedule-log.js';
import type { Op } from '../model/op.js';

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
  /** the input's name, for messages that name its lines (default "the input") */
  inputName?: string;
  /**
   * Optimistic spinning of sleeping locks (default true; docs/costs.md): a waiter for a mutex, or
   * for an rwsem in write mode, whose lock has one owner that runs on a CPU keeps its own CPU and
   * spins instead of sleeping, and takes the lock a cache-line transfer after the release, with no
   * wakeup. Spinlocks (`spinlock` lock kind) always spin.
   */
  spin?: boolean;
  /**
   * When a task holds a CPU (default 'per-segment'; docs/costs.md, "When a task holds a CPU"):
   * - 'per-segment': for each segment of work or lock cost only; it gives the CPU up after each
   *   (unless it holds a spinlock or spins), and its plan's steps between segments run on none.
   * - 'preempt-none': as a kernel built without preemption runs a syscall: the task runs on a CPU
   *   from its op's start until it sleeps (a lock wait asleep, work asleep) or its top-level op
   *   ends, across its steps, lock costs, work and child ops; a task that has to run and holds no
   *   CPU (its op starts, it wakes from a lock wait or from work asleep) queues for one and runs
   *   its next step on it. Woken tasks first: a task that needs a CPU because it woke (a lock it
   *   slept for came to it, the Linux rwsem woke it to compete, its work asleep ended) queues ahead
   *   of every task that needs one to start an op (two FIFO queues, the woken one served first), as
   *   the scheduler places a task that slept before tasks that have run.
   */
  cpuModel?: CpuModel;
  /**
   * The ops' durations in the trace, where they differ from the service times (the kernel's own lock
   * waits removed from those): closed mode measures a task's think time from the trace's end of its
   * previous op, so that a wait taken out of an op does not come back as think time.
   */
  traceDurNs?: Float64Array;
  /**
   * Per op, the part of its service time that comes after its plan, holding none of its locks (a
   * read fault's retry, which maps the page after the filemap fault released the invalidate lock:
   * replay/fault-retry.ts): run after the last step, on a CPU. Top-level ops without children only.
   * Default: none.
   */
  afterPlanNs?: Float64Array;
  /**
   * Per op, the share of its service time the task spent asleep (off the CPUs, not in a lock wait),
   * as the capture's sched_switch events show it (replay/off-cpu.ts); NaN where the capture does not
   * say. A share runs after the work on a CPU, each work step's CPU time first. Default (and for
   * NaN): the kind's rule, IO-bound kinds asleep throughout, every other kind on a CPU.
   */
  offCpuFraction?: Float64Array;
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
  /**
   * The scheduler's wake-up latency of each task's own wakes (by pid), as a capture with sched
   * events shows them: a sleeping lock waiter of one of these tasks, woken at time t, runs again
   * after the latency of its task's recorded wake nearest to t (on the trace's clock) that the run
   * has not used yet (each recorded wake serves one replayed wake; all again once each did); other
   * tasks take wakeLatencyNs. Default: none.
   */
  taskWakeLatency?: ReadonlyMap<number, TaskWakes>;
  /** the events a run may take per op and per plan step before it is stopped as a loop (default EVENTS_PER_STEP) */
  eventsPerStep?: number;
  /** called with the ops completed so far, every PROGRESS_EVERY completions (for a progress meter; it changes nothing) */
  onProgress?: (completed: number) => void;
}

/** when a task holds a CPU (SimOptions.cpuModel) */
export type CpuModel = 'per-segment' | 'preempt-none';
export const CPU_MODELS: readonly CpuModel[] = ['per-segment', 'preempt-none'];

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

export interface LockClass {
  name: string;
  stats: LockClassStats;
  instances: Map<string, LockPrimitive>;
  /** the instance looked up last (ops in a row mostly lock the same file) */
  lastKey: string | undefined;
  lastLock: LockPrimitive | undefined;
}

/** A lock request of the simulator: what the lock primitive needs, plus what the release needs. */
export class Held implements LockRequest {
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

export interface Frame {
  op: number;
  /**
   * the op as the strategy's plan got it (a child's ctx.parent), when it got an Op object (a
   * JavaScript module's strategy); else undefined (Sim.opOf makes one when one is needed)
   */
  opRef: Op | undefined;
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
  /** the plan has a 'children' step (not one of flushes only): children run there, not at their positions */
  childrenStep: boolean;
  /** lock-operation CPU time owed (charged with the next work, or at the end) */
  overheadNs: number;
  /** the CPU segment running is a cost (not a share of the op's work) */
  inCost: boolean;
  lockWaitNs: number;
  cpuWaitNs: number;
  /** time after the plan still to run (SimOptions.afterPlanNs) */
  afterNs: number;
  /** of the current work step's remainingNs, the part still to run asleep (Sim.offFraction) */
  asleepLeftNs: number;
  /** a read-side op reached work on cached pages: its race section has ended (WorkStep.cached) */
  sectionEnded: boolean;
}

export const TaskState = { Idle: 0, Ready: 1, WaitLock: 2, WaitCpu: 3, OnCpu: 4, Done: 5, InIo: 6 } as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** one task's recorded wakes, in time order: when each woke (trace clock) and its latency */
export interface TaskWakes {
  wokenNs: Float64Array;
  latencyNs: Float64Array;
}

export interface Task {
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
  waitingFor: Waiting | undefined;
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
  /** spinning on a Linux rwsem's readers: when it gives up (Infinity while it spins on a running writer) */
  spinDeadlineNs: number;
  /** woken by a lock that does not grant on release: running its wakeup, then it retries the lock */
  retrying: boolean;
  /** when the lock wait of a retrying task began (waitSinceNs is its CPU wait meanwhile) */
  lockWaitSinceNs: number;
}

/** what a task waits for: its request and the step that made it */
export interface Waiting {
  req: Held;
  step: AcquireStep;
}

/** event kinds (the low 3 bits of a heap entry; the task index above them) */
export const EV_ISSUE = 0;
export const EV_RESUME = 1;
export const EV_CPU_DONE = 2;
/** a spinning waiter, granted its lock, has it after the cache-line transfer */
export const EV_SPIN_DONE = 3;
/** a writer spinning on an rwsem's readers reaches its time threshold (it goes to sleep if still waiting) */
export const EV_SPIN_TIMEOUT = 4;
