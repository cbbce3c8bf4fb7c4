/**
 * The strategy interface: a strategy turns each op into a lock plan, an ordered list of steps the
 * engine executes. A strategy is data plus one function; it knows nothing of time or other tasks.
 */
import type { LockMode, RangeFairness, RwsemFairness } from '../engine/locks.js';
import type { Op, OpKind } from '../model/op.js';

/** How a lock instance behaves; instances are keyed by (lockClass, key), e.g. ("range", file). */
export type LockSpec =
  | { kind: 'mutex' }
  /**
   * a spinlock (FIFO, like a queued spinlock): a waiter keeps its CPU busy spinning and takes the
   * lock a cache-line transfer after the release, with no wakeup; the holder keeps its CPU
   */
  | { kind: 'spinlock' }
  | { kind: 'rwsem'; fairness: RwsemFairness }
  | { kind: 'range'; fairness: RangeFairness }
  /** no waiter queue, wake-all and retry (list-based range locks; exclusiveOnly for extent bits) */
  | { kind: 'list-range'; exclusiveOnly: boolean }
  /** two shared states that exclude each other (bcachefs add/block) */
  | { kind: 'two-state' };

export interface AcquireStep {
  type: 'acquire';
  /** the lock class, for statistics ("i_mutex", "range", "page") */
  lockClass: string;
  /** the lock instance within its class, usually the file */
  key: string;
  spec: LockSpec;
  mode: LockMode;
  /** byte range [start, end), end = Infinity for to-EOF; ignored by mutex and rwsem */
  start: number;
  end: number;
  /** names this acquisition for its release step */
  tag: number;
}

export interface ReleaseStep {
  type: 'release';
  tag: number;
}

/** A share of the op's service time (the shares of a plan add up to 1). */
export interface WorkStep {
  type: 'work';
  fraction: number;
}

/**
 * Where the op's child ops (faults inside the syscall) run, all of them in order. Without this step
 * a child runs at its recorded position in the parent's work; a strategy that pre-faults the user
 * buffer before taking its locks (as Linux does for buffered writes) puts this step first.
 */
export interface ChildrenStep {
  type: 'children';
}

/**
 * CPU time a lock operation costs, independent of the op's service time: base ns, plus perNode ns
 * for every request present in the named lock instance (a tree or list walk), run while holding
 * whatever the plan holds at that point (a spinlock, to model a serialising critical section).
 */
export interface CostStep {
  type: 'cost';
  baseNs: number;
  perNodeNs?: number;
  /** the lock whose size (requests present) the walk visits */
  nodesOf?: { lockClass: string; key: string };
  /** log2 scaling of the walk (a balanced tree) instead of linear (a list) */
  logNodes?: boolean;
}

export type Step = AcquireStep | ReleaseStep | WorkStep | ChildrenStep | CostStep;

export interface PlanContext {
  /** the enclosing op, when this op is a child (a fault inside a syscall) */
  parent?: Op;
  pageSizeBytes: number;
  /** the largest end offset any op of the trace reaches in this file (a size estimate) */
  fileSizeBytes(file: string): number;
  /** lock operation costs (docs/costs.md), for strategies that add serialising work */
  costs: LockCosts;
}

/** CPU cost of lock operations in ns; defaults and their justification in docs/costs.md. */
export interface LockCosts {
  /** an uncontended acquire or release: one atomic on a cache line the CPU owns */
  atomicNs: number;
  /** a cache line that moved to another CPU (contended lock word, tree or list node) */
  cacheMissNs: number;
  /** waking a sleeping waiter and switching to it */
  wakeupNs: number;
  /** entering and leaving a spinlock-protected critical section */
  spinBaseNs: number;
  /** visiting one node of an interval tree or list under that spinlock */
  perNodeNs: number;
}

export const DEFAULT_COSTS: LockCosts = { atomicNs: 20, cacheMissNs: 100, wakeupNs: 2000, spinBaseNs: 50, perNodeNs: 30 };
export const ZERO_COSTS: LockCosts = { atomicNs: 0, cacheMissNs: 0, wakeupNs: 0, spinBaseNs: 0, perNodeNs: 0 };

/** One row of a strategy's rules table, as `lockreplay strategies` prints it. */
export interface RuleRow {
  kinds: string;
  locks: string;
}

export interface Strategy {
  readonly name: string;
  readonly summary: string;
  /** where the design comes from */
  readonly source: string;
  readonly rules: readonly RuleRow[];
  /** Options this instance was made with (part of the result, so runs with different options differ). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  plan(op: Op, ctx: PlanContext): Step[];
}

export const SHARED_KINDS: ReadonlySet<OpKind> = new Set<OpKind>(['read', 'write', 'fault-read', 'fault-write', 'readahead', 'writeback']);
