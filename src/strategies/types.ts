/**
 * The strategy interface: a strategy turns each op into a lock plan, an ordered list of steps the
 * engine executes. A strategy is data plus one function; it knows nothing of time or other tasks.
 * The contract is written down on `Strategy` below and in docs/writing-strategies.md.
 */
import type { LockMode, LockSpec } from '../model/locks.js';

export { LOCK_KINDS, type LockMode, type LockSpec, type RangeFairness, type RwsemFairness } from '../model/locks.js';
import type { Op, OpKind } from '../model/op.js';



export interface AcquireStep {
  readonly type: 'acquire';
  /** the lock class, for statistics ("i_mutex", "range", "page") */
  readonly lockClass: string;
  /** the lock instance within its class, usually the file */
  readonly key: string;
  readonly spec: LockSpec;
  readonly mode: LockMode;
  /** byte range [start, end): whole bytes, start >= 0, end = Infinity for to-EOF; ignored by mutex and rwsem */
  readonly start: number;
  readonly end: number;
  /** names this acquisition for its release step: a whole number >= 0 (see the tag ranges below) */
  readonly tag: number;
}

/** Releases the latest acquisition of `tag` this op holds (in its own plan: not its parent's). */
export interface ReleaseStep {
  readonly type: 'release';
  readonly tag: number;
}

/*
 * Tag ranges. A tag pairs an acquire with its release inside one plan; plans of different ops never
 * share tags. Built-in plans that combine several kinds of steps keep them in these ranges, so that
 * two steps of one plan never use the same tag by accident:
 */
/** The first tag of a page walk (pageByPage): its chunk c is PAGE_WALK_TAG + c, c < MAX_WALK_STEPS (0 .. 255). A plan without a page walk may use these for its own locks (0, 1, 2...). */
export const PAGE_WALK_TAG = 0;
/** Spinlock steps around a tree or list walk (tree_spinlock): SPINLOCK_TAG + the tag of the lock the walk is for (900 .. 999). */
export const SPINLOCK_TAG = 900;
/** Locks taken in a fixed order, one per rule (the Linux profiles, JSON rules tables): ORDERED_TAG + position (1000 and up). */
export const ORDERED_TAG = 1000;
/** The engine's own mmap_lock acquire and release, added around a plan: negative tags are the engine's, never a plan's. */
export const MMAP_LOCK_TAG = -1;

/** A share of the op's service time (the shares of a plan add up to 1). */
export interface WorkStep {
  readonly type: 'work';
  readonly fraction: number;
  /**
   * The op's pages are in the page cache by the time this work begins (a design that locks a read
   * or fault only around the page-cache insertion says so on the work after it). For a read,
   * readahead or fault-read, the race check's critical section (a page instantiated in a range
   * being removed or written directly) ends where the first such work begins: a removal that comes
   * later drops the page, and the folio lock, which every strategy keeps, orders the two.
   */
  readonly cached?: boolean;
}

/**
 * Where the op's child ops (faults inside the syscall) run, all of them in order. Without this step
 * a child runs at its recorded position in the parent's work; a strategy that pre-faults the user
 * buffer before taking its locks (as Linux does for buffered writes) puts this step first. In a
 * direct IO's plan, a children step before the first work step is where the IO pins its user
 * buffer: the engine's get_user_pages (mmap_lock S) follows it, so a plan that starts with it pins
 * before taking its locks (Jan Kara's 2013 RFC: kara-2013).
 */
export interface ChildrenStep {
  readonly type: 'children';
  /**
   * The engine's own (a plan leaves it out): only the op's leading child flushes run here, the
   * writeback children recorded before any other child; the other children keep their positions
   * in the work. The mmap_lock wrap of a direct IO puts such a step before its get_user_pages.
   */
  readonly flushesOnly?: boolean;
}

/**
 * CPU time a lock operation costs, independent of the op's service time: base ns, plus perNode ns
 * for every request present in the named lock instance (a tree or list walk), run while holding
 * whatever the plan holds at that point (a spinlock, to model a serialising critical section).
 */
export interface CostStep {
  readonly type: 'cost';
  readonly baseNs: number;
  readonly perNodeNs?: number;
  /** the lock whose size (requests present) the walk visits */
  readonly nodesOf?: { readonly lockClass: string; readonly key: string };
  /** true: log2 scaling of the walk (a balanced tree) instead of linear (a list) */
  readonly logNodes?: boolean;
}

export type Step = AcquireStep | ReleaseStep | WorkStep | ChildrenStep | CostStep;

/** What a plan may look at besides its op; valid during the plan() call only (the engine reuses it). */
export interface PlanContext {
  /** the enclosing op, when this op is a child (a fault inside a syscall) */
  readonly parent?: Op;
  readonly pageSizeBytes: number;
  /** the largest end offset any op of the trace reaches in this file (a size estimate) */
  fileSizeBytes(file: string): number;
  /** lock operation costs (docs/costs.md), for strategies that add serialising work */
  readonly costs: LockCosts;
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

/**
 * A locking strategy: for every op, the lock plan the engine runs (docs/writing-strategies.md).
 *
 * The contract of `plan(op, ctx)`:
 * - It returns the op's steps in order: `acquire` (a lock, in a mode, on a byte range, named by a
 *   tag), `work` (a share of the op's service time; the shares add up to 1), `release` (the latest
 *   acquisition of a tag), `cost` (CPU time of a lock operation) and `children` (where the op's
 *   child ops run; without it they run at their recorded position in the work; in a direct IO's
 *   plan, before its first work, where it pins its buffer: the engine's get_user_pages follows).
 * - Every acquire is released by a later step of the same plan, and every release names a tag the
 *   plan holds at that point. A plan that breaks this is refused: from a JS module, or from an
 *   object given to the library's `replay`/`compare`, it stops the run with an error (exit 4)
 *   naming the strategy (its file, or `strategy NAME`), the op (id, kind, line) and the step; from
 *   a built-in strategy it is an internal error (exit 1) naming the same. (JSON rules tables make
 *   balanced plans.)
 * - Tags are whole numbers >= 0; built-in plans keep to the ranges PAGE_WALK_TAG, SPINLOCK_TAG and
 *   ORDERED_TAG; negative tags are the engine's (MMAP_LOCK_TAG).
 * - The returned array and its steps are read-only to everyone: the engine never changes them, so a
 *   strategy may return the same array (or share steps such as WORK_ALL) for many ops, and must not
 *   change an array it returned before.
 * - `ctx` is valid during the call only (the engine reuses it); `ctx.parent` is the enclosing op of
 *   a child op (a fault inside a syscall), whose plan runs while its parent holds its own locks.
 * - A plan depends on the op and ctx only: the same op gives the same plan (replays are
 *   deterministic, and every strategy of a compare sees the same ops).
 */
export interface Strategy {
  readonly name: string;
  readonly summary: string;
  /** where the design comes from */
  readonly source: string;
  readonly rules: readonly RuleRow[];
  /** Options this instance was made with (part of the result, so runs with different options differ). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  plan(op: Op, ctx: PlanContext): readonly Step[];
}

export const SHARED_KINDS: ReadonlySet<OpKind> = new Set<OpKind>(['read', 'write', 'fault-read', 'fault-write', 'readahead', 'writeback']);
