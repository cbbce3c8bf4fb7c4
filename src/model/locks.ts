/**
 * Lock modes and lock specs: what a strategy's plan names and the lock primitives (locks/) are made
 * from. Plain data, shared by strategies, the engine and the result.
 */

/** shared or exclusive */
export type LockMode = 'S' | 'X';

/** how an rwsem serves its waiters (locks/primitives.ts RwSem, locks/linux-rwsem.ts) */
export type RwsemFairness = 'fifo' | 'reader-pref' | 'linux';

/** how a range lock serves its waiters (locks/primitives.ts RangeLock) */
export type RangeFairness = 'fifo' | 'reader-pref' | 'nested-shared-ok';

/** How a lock instance behaves; instances are keyed by (lockClass, key), e.g. ("range", file). */
export type LockSpec =
  | { kind: 'mutex' }
  /**
   * a spinlock (FIFO, like a queued spinlock): a waiter keeps its CPU busy spinning and takes the
   * lock a cache-line transfer after the release, with no wakeup; the holder keeps its CPU
   */
  | { kind: 'spinlock' }
  /** `hz`: the modelled kernel's CONFIG_HZ, which sets when a Linux rwsem's waiter may hand off (default 250) */
  | { kind: 'rwsem'; fairness: RwsemFairness; hz?: number }
  | { kind: 'range'; fairness: RangeFairness }
  /** no waiter queue, wake-all and retry (list-based range locks; exclusiveOnly for extent bits) */
  | { kind: 'list-range'; exclusiveOnly: boolean }
  /** two shared states that exclude each other (bcachefs add/block) */
  | { kind: 'two-state' };

/** Every lock kind a plan can name (`LockSpec['kind']`); JS plans and JSON rules tables take each one. */
export const LOCK_KINDS = ['mutex', 'spinlock', 'rwsem', 'range', 'list-range', 'two-state'] as const satisfies readonly LockSpec['kind'][];
// (and the list is complete: a kind added to LockSpec and not here is a compile error)
const LOCK_KINDS_COMPLETE: LockSpec['kind'] extends (typeof LOCK_KINDS)[number] ? true : never = true;
void LOCK_KINDS_COMPLETE;
