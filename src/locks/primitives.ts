/**
 * Lock primitives with explicit fairness policies. Each is deterministic: waiters are granted in a
 * fixed order, and the caller learns which requests a release granted.
 *
 * Ranges are byte ranges [start, end) with end = Infinity for "to EOF and beyond".
 */
import type { LockMode, RangeFairness, RwsemFairness } from '../model/locks.js';

export type { LockMode, RangeFairness, RwsemFairness } from '../model/locks.js';

export interface LockRequest {
  /** the replay task (actor) index */
  task: number;
  mode: LockMode;
  start: number;
  end: number;
  granted: boolean;
  /** range lock: earlier conflicting requests still present */
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
  /** Whether any request waits (a cheap test before a wait-for graph search). */
  hasWaiters(): boolean;
  /**
   * Locks that wake a waiter without granting it (release returns it with `granted` false and
   * `woken` true): the woken waiter, running again at `nowNs`, tries to take the lock; false sends
   * it back to sleep in its place in the queue.
   */
  retry?(req: LockRequest, nowNs: number): boolean;
}

export function overlaps(a: LockRequest, b: LockRequest): boolean {
  return a.start < b.end && b.start < a.end;
}

/** returned by a release that grants nobody (no allocation on the common path) */
const NONE: LockRequest[] = [];

function conflicts(a: LockRequest, b: LockRequest): boolean {
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
}


/**
 * A reader/writer semaphore with strict queue order. `fifo`: once anyone waits, new readers queue
 * behind (RWSEM_FLAG_WAITERS in the kernel's read-fail mask); a release hands the lock to the waiter
 * at the head, and with a reader at the head, to every reader up to the next writer: a textbook fair
 * rwsem, with no stealing. `reader-pref` grants a reader whenever no writer holds the lock.
 * (`linux`, the kernel's wake-and-compete rwsem with lock stealing, is LinuxRwSem in linux-rwsem.ts.)
 */
export class RwSem implements LockPrimitive {
  private readonly granted: LockRequest[] = [];
  private readonly queue: LockRequest[] = [];
  constructor(private readonly fairness: RwsemFairness = 'fifo') {}

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
}


/**
 * A shared/exclusive byte-range lock.
 * - `fifo` is the Kara 2013 / Bueso 2017 semantics: a request waits for every earlier overlapping
 *   request that conflicts with it, granted or still waiting, so a queued exclusive request blocks
 *   later overlapping shared ones (docs/strategies.md#range-lock).
 * - `reader-pref` grants a shared request that conflicts with no granted request, passing waiting
 *   exclusive ones (Dave Chinner's 2012 "shared lock if already locked shared"; exclusive requests
 *   can starve: Jan Kara's objection).
 * - `nested-shared-ok` is FIFO except that a task already holding an overlapping shared range may
 *   take another shared range past waiting exclusive requests (§10, exploratory).
 */
export class RangeLock implements LockPrimitive {
  /** every present request (granted and waiting), in arrival order */
  private readonly requests: LockRequest[] = [];
  constructor(private readonly fairness: RangeFairness = 'fifo') {}

  acquire(req: LockRequest): boolean {
    if (this.fairness === 'fifo') {
      let blockers = 0;
      for (const r of this.requests) if (conflicts(r, req)) blockers++;
      req.blockers = blockers;
      this.requests.push(req);
      if (blockers === 0) req.granted = true;
      return req.granted;
    }
    this.requests.push(req);
    if (this.grantable(req)) req.granted = true;
    return req.granted;
  }

  release(req: LockRequest): LockRequest[] {
    const i = this.requests.indexOf(req);
    if (i < 0 || !req.granted) throw new Error('range lock released by a request that does not hold it');
    if (i === this.requests.length - 1) this.requests.pop();
    else this.requests.splice(i, 1);
    if (this.fairness === 'fifo') {
      let woken = NONE;
      for (let k = i; k < this.requests.length; k++) {
        const r = this.requests[k];
        if (!r.granted && conflicts(r, req) && --r.blockers === 0) {
          r.granted = true;
          if (woken === NONE) woken = [];
          woken.push(r);
        }
      }
      return woken;
    }
    const woken: LockRequest[] = [];
    for (const r of this.requests) {
      if (!r.granted && overlaps(r, req) && this.grantable(r)) {
        r.granted = true;
        woken.push(r);
      }
    }
    return woken;
  }

  /** requests waiting (for cost models that walk the whole tree) */
  waiting(): number {
    let n = 0;
    for (const r of this.requests) if (!r.granted) n++;
    return n;
  }

  /** scan policies: may this waiting request be granted now? */
  private grantable(req: LockRequest): boolean {
    return this.blockersOf(req).length === 0;
  }

  /** a shared request from a task that holds an overlapping shared range may pass waiting ones */
  private passesWaiters(req: LockRequest): boolean {
    if (req.mode !== 'S') return false;
    if (this.fairness === 'reader-pref') return true;
    if (this.fairness !== 'nested-shared-ok') return false;
    for (const r of this.requests) if (r.granted && r.task === req.task && r.mode === 'S' && overlaps(r, req)) return true;
    return false;
  }

  holders(): LockRequest[] {
    return this.requests.filter((r) => r.granted);
  }

  hasWaiters(): boolean {
    for (const r of this.requests) if (!r.granted) return true;
    return false;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    const out: LockRequest[] = [];
    const passes = this.fairness !== 'fifo' && this.passesWaiters(req);
    let earlier = true;
    for (const r of this.requests) {
      if (r === req) {
        earlier = false;
        continue;
      }
      if (!conflicts(r, req)) continue;
      // granted conflicting requests always block; under fifo, so do earlier waiting ones
      if (r.granted || (earlier && !passes)) out.push(r);
    }
    return out;
  }
}

/**
 * A range lock without a waiter queue (Kogan/Dice/Issa 2020, FreeBSD rangelock): a request is
 * granted when it conflicts with no granted range; otherwise it sleeps, and every release wakes
 * every sleeper to retry in arrival order. No FIFO among conflicting requests: a steady stream of
 * compatible requests can starve an exclusive one, and the model shows it instead of hiding it.
 * `exclusiveOnly` turns every request exclusive (btrfs extent bits).
 */
export class ListRangeLock implements LockPrimitive {
  private readonly granted: LockRequest[] = [];
  private readonly sleeping: LockRequest[] = [];
  constructor(private readonly exclusiveOnly = false) {}

  private fits(req: LockRequest): boolean {
    for (const g of this.granted) if (this.conflict(g, req)) return false;
    return true;
  }

  private conflict(a: LockRequest, b: LockRequest): boolean {
    return (this.exclusiveOnly || a.mode === 'X' || b.mode === 'X') && overlaps(a, b);
  }

  acquire(req: LockRequest): boolean {
    if (this.fits(req)) {
      req.granted = true;
      this.granted.push(req);
      return true;
    }
    this.sleeping.push(req);
    return false;
  }

  release(req: LockRequest): LockRequest[] {
    const i = this.granted.indexOf(req);
    if (i < 0) throw new Error('list range lock released by a request that does not hold it');
    this.granted.splice(i, 1);
    if (this.sleeping.length === 0) return NONE;
    const woken: LockRequest[] = [];
    const still: LockRequest[] = [];
    for (const r of this.sleeping) {
      if (this.fits(r)) {
        r.granted = true;
        this.granted.push(r);
        woken.push(r);
      } else {
        still.push(r);
      }
    }
    this.sleeping.length = 0;
    this.sleeping.push(...still);
    return woken;
  }

  holders(): LockRequest[] {
    return [...this.granted];
  }

  hasWaiters(): boolean {
    return this.sleeping.length > 0;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    return this.granted.filter((g) => g !== req && this.conflict(g, req));
  }
}

/**
 * bcachefs's two-state shared lock ("pagecache add/block"): one signed counter per inode. Requests
 * in the same state share (S = add: buffered IO, faults; X = block: DIO, truncate, fallocate); the
 * other state waits until the count drops to zero; every waiter is woken then, with no queue.
 */
export class TwoStateLock implements LockPrimitive {
  private readonly granted: LockRequest[] = [];
  private readonly waiting: LockRequest[] = [];

  private state(): LockMode | undefined {
    return this.granted[0]?.mode;
  }

  acquire(req: LockRequest): boolean {
    const s = this.state();
    if (s === undefined || s === req.mode) {
      req.granted = true;
      this.granted.push(req);
      return true;
    }
    this.waiting.push(req);
    return false;
  }

  release(req: LockRequest): LockRequest[] {
    const i = this.granted.indexOf(req);
    if (i < 0) throw new Error('two-state lock released by a request that does not hold it');
    this.granted.splice(i, 1);
    if (this.granted.length > 0 || this.waiting.length === 0) return NONE;
    // count reached zero: everyone is woken; the first waiter's state wins, the others of it join
    const mode = this.waiting[0].mode;
    const woken = this.waiting.filter((r) => r.mode === mode);
    for (const r of woken) {
      r.granted = true;
      this.granted.push(r);
    }
    const rest = this.waiting.filter((r) => r.mode !== mode);
    this.waiting.length = 0;
    this.waiting.push(...rest);
    return woken;
  }

  holders(): LockRequest[] {
    return [...this.granted];
  }

  hasWaiters(): boolean {
    return this.waiting.length > 0;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    return this.granted.filter((g) => g.mode !== req.mode);
  }
}
