/**
 * Lock primitives with explicit fairness policies. Each is deterministic: waiters are granted in a
 * fixed order, and the caller learns which requests a release granted.
 *
 * Ranges are byte ranges [start, end) with end = Infinity for "to EOF and beyond".
 */
import type { LockMode, RwsemFairness } from '../model/locks.js';

export type { LockMode, RangeFairness, RwsemFairness } from '../model/locks.js';

export interface LockRequest {
  /** the replay task (actor) index */
  task: number;
  mode: LockMode;
  start: number;
  end: number;
  granted: boolean;
  /**
   * range lock: earlier conflicting requests still present (a FIFO range lock with many requests,
   * indexed, keeps 1 for a waiting request instead: it knows one of them, range-lock.ts)
   */
  blockers: number;
  /** virtual time the request was made */
  requestedNs: number;
  grantedNs: number;
  /** a waiter spinning on its CPU (set by the engine; a `linux` rwsem gives a free lock to it first) */
  spinning: boolean;
  /** a `linux` rwsem waiter woken to compete for the lock (it is not granted until it retries) */
  woken: boolean;
}

export interface LockPrimitive {
  /** Adds the request; returns true if granted at once. */
  acquire(req: LockRequest): boolean;
  /**
   * Removes a granted request at virtual time `nowNs`; returns the requests this release granted,
   * in grant order (and, for locks with `retry`, the ones it woke without granting).
   */
  release(req: LockRequest, nowNs: number): LockRequest[];
  /** Requests that hold this lock (for the wait-for graph). */
  holders(): LockRequest[];
  /** Requests the given waiting request waits for (for the wait-for graph). */
  blockersOf(req: LockRequest): LockRequest[];
  /**
   * blockersOf of many requests at once (a deadlock report asks it of every blocked task), each
   * answer the first `length` requests of a list shared among requests the lock queues alike:
   * `blockersOf(reqs[i])` is `out[i].list.slice(0, out[i].length)`, or out[i] is undefined where the
   * lock has no such answer (the caller asks blockersOf). Thousands queued on one lock each wait for
   * every one ahead: a list of its own for each made the report quadratic in the queue's length.
   * Optional: without it, each request is asked by blockersOf.
   */
  blockersOfMany?(reqs: readonly LockRequest[]): (BlockerPrefix | undefined)[];
  /** Whether any request waits (a cheap test before a wait-for graph search). */
  hasWaiters(): boolean;
  /**
   * Locks that wake a waiter without granting it (release returns it with `granted` false and
   * `woken` true): the woken waiter, running again at `nowNs`, tries to take the lock; false sends
   * it back to sleep in its place in the queue.
   */
  retry?(req: LockRequest, nowNs: number): boolean;
  /**
   * The engine marked a queued request `spinning` (spinStarted, right after the acquire that
   * queued it) or a spinner went to sleep (spinStopped): for locks that keep their spinners apart.
   */
  spinStarted?(req: LockRequest): void;
  spinStopped?(req: LockRequest): void;
}

/** a request's blockers: the first `length` requests of `list` (a list other requests' answers may share) */
export interface BlockerPrefix {
  list: readonly LockRequest[];
  length: number;
}

/** each request's first place in `queue` */
export function placesIn(queue: readonly LockRequest[]): Map<LockRequest, number> {
  const at = new Map<LockRequest, number>();
  for (let i = 0; i < queue.length; i++) if (!at.has(queue[i])) at.set(queue[i], i);
  return at;
}

export function overlaps(a: LockRequest, b: LockRequest): boolean {
  return a.start < b.end && b.start < a.end;
}

/** returned by a release that grants nobody (no allocation on the common path) */
export const NONE: LockRequest[] = [];

/** whether two requests exclude each other: overlapping ranges, one of them exclusive */
export function conflicts(a: LockRequest, b: LockRequest): boolean {
  return (a.mode === 'X' || b.mode === 'X') && overlaps(a, b);
}

/** One exclusive holder; waiters granted in arrival order. */
export class Mutex implements LockPrimitive {
  private holder: LockRequest | undefined;
  private readonly queue: LockRequest[] = [];

  acquire(req: LockRequest): boolean {
    if (this.holder === undefined && this.queue.length === 0) {
      this.holder = req;
      req.granted = true;
      return true;
    }
    this.queue.push(req);
    return false;
  }

  release(req: LockRequest): LockRequest[] {
    if (this.holder !== req) throw new Error('mutex released by a request that does not hold it');
    this.holder = this.queue.shift();
    if (this.holder === undefined) return NONE;
    this.holder.granted = true;
    return [this.holder];
  }

  holders(): LockRequest[] {
    return this.holder === undefined ? [] : [this.holder];
  }

  hasWaiters(): boolean {
    return this.queue.length > 0;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    const i = this.queue.indexOf(req);
    const before = this.queue.slice(0, Math.max(0, i));
    return this.holder === undefined ? before : [this.holder, ...before];
  }

  /** the holder and the waiters ahead: a prefix of one list, the holder then the queue */
  blockersOfMany(reqs: readonly LockRequest[]): BlockerPrefix[] {
    const list = this.holder === undefined ? [...this.queue] : [this.holder, ...this.queue];
    const holding = list.length - this.queue.length;
    const at = placesIn(this.queue);
    return reqs.map((r) => ({ list, length: holding + (at.get(r) ?? 0) }));
  }
}


/**
 * What every rwsem shares: the granted requests and the waiters in arrival order; a waiter waits
 * for the holders and the earlier waiters it conflicts with (for the wait-for graph).
 */
export abstract class QueuedRwLock implements LockPrimitive {
  protected readonly granted: LockRequest[] = [];
  protected readonly queue: LockRequest[] = [];

  abstract acquire(req: LockRequest): boolean;
  abstract release(req: LockRequest, nowNs: number): LockRequest[];

  holders(): LockRequest[] {
    return [...this.granted];
  }

  hasWaiters(): boolean {
    return this.queue.length > 0;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    const i = this.queue.indexOf(req);
    const ahead = this.queue.slice(0, Math.max(0, i)).filter((r) => r.mode === 'X' || req.mode === 'X');
    const holding = this.granted.filter((h) => h.mode === 'X' || req.mode === 'X');
    return [...holding, ...ahead];
  }

  /**
   * An exclusive request's blockers are a prefix of every holder then every waiter; a shared one's,
   * of the exclusive holders then the exclusive waiters (up to those ahead of it)
   */
  blockersOfMany(reqs: readonly LockRequest[]): BlockerPrefix[] {
    const all = [...this.granted, ...this.queue];
    const exclusive = this.granted.filter((h) => h.mode === 'X');
    const exclusiveHolding = exclusive.length;
    // exclusiveAhead[i]: the exclusive waiters among queue[0, i)
    const exclusiveAhead = new Int32Array(this.queue.length + 1);
    for (let i = 0; i < this.queue.length; i++) {
      const r = this.queue[i];
      exclusiveAhead[i + 1] = exclusiveAhead[i] + (r.mode === 'X' ? 1 : 0);
      if (r.mode === 'X') exclusive.push(r);
    }
    const at = placesIn(this.queue);
    return reqs.map((r) => {
      const i = at.get(r) ?? 0;
      return r.mode === 'X' ? { list: all, length: this.granted.length + i } : { list: exclusive, length: exclusiveHolding + exclusiveAhead[i] };
    });
  }
}

/**
 * A reader/writer semaphore with strict queue order. `fifo`: once anyone waits, new readers queue
 * behind (RWSEM_FLAG_WAITERS in the kernel's read-fail mask); a release hands the lock to the waiter
 * at the head, and with a reader at the head, to every reader up to the next writer: a textbook fair
 * rwsem, with no stealing. `reader-pref` grants a reader whenever no writer holds the lock.
 * (`linux`, the kernel's wake-and-compete rwsem with lock stealing, is LinuxRwSem in linux-rwsem.ts.)
 */
export class RwSem extends QueuedRwLock {
  constructor(private readonly fairness: RwsemFairness = 'fifo') {
    super();
  }

  private writerHolds(): boolean {
    return this.granted.length > 0 && this.granted[0].mode === 'X';
  }

  acquire(req: LockRequest): boolean {
    const free = req.mode === 'S'
      ? !this.writerHolds() && (this.fairness === 'reader-pref' || this.queue.length === 0)
      : this.granted.length === 0 && this.queue.length === 0;
    if (free) {
      req.granted = true;
      this.granted.push(req);
      return true;
    }
    this.queue.push(req);
    return false;
  }

  release(req: LockRequest): LockRequest[] {
    const i = this.granted.indexOf(req);
    if (i < 0) throw new Error('rwsem released by a request that does not hold it');
    this.granted.splice(i, 1);
    const woken: LockRequest[] = [];
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.mode === 'X') {
        if (this.granted.length > 0) break;
        this.queue.shift();
        head.granted = true;
        this.granted.push(head);
        woken.push(head);
        break;
      }
      if (this.writerHolds()) break;
      this.queue.shift();
      head.granted = true;
      this.granted.push(head);
      woken.push(head);
    }
    if (this.fairness === 'reader-pref' && !this.writerHolds()) {
      for (let k = 0; k < this.queue.length; k++) {
        const r = this.queue[k];
        if (r.mode === 'S') {
          this.queue.splice(k--, 1);
          r.granted = true;
          this.granted.push(r);
          woken.push(r);
        }
      }
    }
    return woken;
  }
}
