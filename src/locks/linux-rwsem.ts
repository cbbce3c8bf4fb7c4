/**
 * The Linux rwsem as kernel/locking/rwsem.c runs it (Linux 5.13 and later): no strict queue order.
 * What it does, and where the kernel does it:
 *
 * - **Reader lock stealing** (rwsem_down_read_slowpath, "reader optimistic lock stealing"): a
 *   reader takes a lock no writer holds even when tasks wait, unless other readers already hold it
 *   while tasks wait (`rcnt > 1`: then it queues, so a stream of readers cannot starve a writer).
 * - **Writer lock stealing** (rwsem_optimistic_spin, rwsem_try_write_lock_unqueued): a writer takes
 *   a free lock past sleeping waiters; a writer spinning on a running owner takes the lock the moment
 *   it is released. (Whether a writer spins is the engine's decision: it marks the request
 *   `spinning`.)
 * - **Writers spin on readers for a bounded time** (rwsem_optimistic_spin, OWNER_READER): the
 *   engine lets a writer spin on a reader-owned rwsem (`readersSpinnable`) up to
 *   rwsem_rspin_threshold, then marks it nonspinnable (`setNonspinnable`, cleared when a writer
 *   takes the lock) and the writer sleeps. A spinner is not a waiter: readers arriving meanwhile
 *   share the lock.
 * - **Wake and compete** (rwsem_mark_wake): a release that leaves the lock free with a writer at
 *   the head of the queue wakes that writer without giving it the lock; the writer runs again
 *   (`retry`) and takes the lock only if it is still free; else it sleeps again in its place. With a
 *   reader at the head, the release hands the lock to the waiting readers (up to
 *   MAX_READERS_WAKEUP, writers between them stay queued: "wake up almost all readers").
 * - **Hand-off** (RWSEM_FLAG_HANDOFF, RWSEM_WAIT_TIMEOUT): the first waiter that has waited past
 *   its timeout and still finds the lock taken forbids stealing; the next release hands the lock to
 *   it directly. The timeout is in jiffies: `waiter->timeout = jiffies + DIV_ROUND_UP(HZ, 250)`,
 *   passed when `time_after(jiffies, timeout)`, so at HZ 250 a waiter hands off once the tick
 *   counter has moved on by 2 since it queued: 4 to 8 ms later, depending on where in its tick it
 *   queued (4 to 5 ms at HZ 1000). The model's ticks fall on whole multiples of 1/HZ of its clock.
 *
 * A task's contention (the kernel's lock:contention_begin/end) is one acquisition that had to
 * sleep, however many times it was woken and lost the race.
 */
import { type LockRequest, NONE, QueuedRwLock } from './primitives.js';

/** CONFIG_HZ of the modelled kernel when a strategy names none: Debian's kernels' and the captures' (Fedora's is 1000) */
export const DEFAULT_HZ = 250;
/** MAX_READERS_WAKEUP: readers one release hands the lock to */
export const MAX_READERS_WAKEUP = 256;

export class LinuxRwSem extends QueuedRwLock {
  /** a jiffy, ns */
  private readonly tickNs: number;
  /** RWSEM_WAIT_TIMEOUT: DIV_ROUND_UP(HZ, 250) jiffies */
  private readonly timeoutJiffies: number;
  /** the first waiter that set the hand-off flag: nobody steals, the next release is its */
  private handoff: LockRequest | undefined;
  /**
   * RWSEM_NONSPINNABLE: a writer spun on the readers past its threshold and went to sleep; writers
   * do not spin on readers again until a writer takes the lock (rwsem_set_owner clears it)
   */
  private nonspinnable = false;
  /**
   * the queued requests spinning on their CPU, in queue order (a spinner is queued at the tail when
   * it starts): a release finds the first spinning writer here, not by a scan of every waiter
   */
  private readonly spinners: LockRequest[] = [];

  constructor(hz: number = DEFAULT_HZ) {
    super();
    this.tickNs = 1e9 / hz;
    this.timeoutJiffies = Math.ceil(hz / 250);
  }

  /** whether a waiter that queued at `requestedNs` is past its timeout at `nowNs`: time_after(jiffies, timeout) */
  timedOut(requestedNs: number, nowNs: number): boolean {
    return Math.floor(nowNs / this.tickNs) > Math.floor(requestedNs / this.tickNs) + this.timeoutJiffies;
  }

  /**
   * whether a writer may spin on the readers that hold the lock (rwsem_can_spin_on_owner and
   * rwsem_spin_on_owner's OWNER_READER): readers hold it, nobody set the hand-off or nonspinnable
   * flag, and the writer is not one of them
   */
  readersSpinnable(req: LockRequest): boolean {
    if (this.nonspinnable || this.handoff !== undefined || this.granted.length === 0 || this.granted[0].mode !== 'S') return false;
    for (const g of this.granted) if (g.task === req.task) return false;
    return true;
  }

  /** readers holding the lock (rwsem_rspin_threshold reads them from the count) */
  readerCount(): number {
    return this.granted.length > 0 && this.granted[0].mode === 'S' ? this.granted.length : 0;
  }

  /** a writer's spin on the readers timed out (rwsem_set_nonspinnable) */
  setNonspinnable(): void {
    this.nonspinnable = true;
  }

  /** (called right after the acquire that queued `req`: the newest waiter, so the spinners stay in queue order) */
  spinStarted(req: LockRequest): void {
    if (this.queue[this.queue.length - 1] !== req) throw new Error('rwsem: a spinner must be the newest waiter when it starts spinning');
    this.spinners.push(req);
  }

  spinStopped(req: LockRequest): void {
    const k = this.spinners.indexOf(req);
    if (k >= 0) this.spinners.splice(k, 1);
  }

  /**
   * The first waiter on the kernel's wait list: a spinner is not on it (it sets no waiters flag),
   * though the model keeps it in its place in the queue.
   */
  private firstSleeper(): LockRequest | undefined {
    for (const r of this.queue) if (!r.spinning) return r;
    return undefined;
  }

  private hasSleepers(): boolean {
    return this.firstSleeper() !== undefined;
  }

  private writerHolds(): boolean {
    return this.granted.length > 0 && this.granted[0].mode === 'X';
  }

  /** whether a request arriving now (or retrying) may take the lock */
  private free(req: LockRequest): boolean {
    if (this.handoff !== undefined) return this.handoff === req && this.granted.length === 0;
    if (req.mode === 'X') return this.granted.length === 0;
    if (this.writerHolds()) return false;
    // readers share freely while nobody sleeps waiting (an optimistic spinner sets no waiters flag);
    // with sleepers, a reader steals only a free lock
    return this.granted.length === 0 || !this.hasSleepers();
  }

  private grant(req: LockRequest): void {
    req.granted = true;
    req.woken = false;
    if (req.mode === 'X') this.nonspinnable = false;
    this.granted.push(req);
  }

  private dequeue(req: LockRequest): void {
    const i = this.queue.indexOf(req);
    if (i === 0) this.queue.shift();
    else if (i > 0) this.queue.splice(i, 1);
  }

  acquire(req: LockRequest): boolean {
    if (this.free(req)) {
      this.grant(req);
      return true;
    }
    req.woken = false;
    this.queue.push(req);
    return false;
  }

  /** hands the lock to the queued readers (writers among them stay queued); returns them */
  private grantReaders(): LockRequest[] {
    const out: LockRequest[] = [];
    let n = 0;
    for (let k = 0; k < this.queue.length && n < MAX_READERS_WAKEUP; k++) {
      const r = this.queue[k];
      if (r.mode !== 'S') continue;
      this.queue.splice(k--, 1);
      this.grant(r);
      out.push(r);
      n++;
    }
    return out;
  }

  release(req: LockRequest, nowNs = 0): LockRequest[] {
    const i = this.granted.indexOf(req);
    if (i < 0) throw new Error('rwsem released by a request that does not hold it');
    this.granted.splice(i, 1);
    if (this.granted.length > 0 || this.queue.length === 0) return NONE;
    const h = this.handoff;
    if (h !== undefined) {
      this.handoff = undefined;
      this.dequeue(h);
      this.grant(h);
      return [h];
    }
    // a writer spinning on its CPU sees the lock free first
    let spinner: LockRequest | undefined;
    for (const r of this.spinners) {
      if (r.spinning && r.mode === 'X') {
        spinner = r;
        break;
      }
    }
    const head = this.firstSleeper();
    // readers at the head get the lock, unless a spinner takes it first; a reader that has waited
    // past the timeout has set the hand-off flag, and the spinner may not
    if (head !== undefined && head.mode === 'S' && (spinner === undefined || this.timedOut(head.requestedNs, nowNs))) return this.grantReaders();
    const out: LockRequest[] = [];
    if (spinner !== undefined) {
      this.spinStopped(spinner);
      // (a spinner queued last, as a rule: looked for from the tail)
      this.queue.splice(this.queue.lastIndexOf(spinner), 1);
      this.grant(spinner);
      out.push(spinner);
    }
    // the writer at the head is woken (even when a spinner took the lock: it will lose the race)
    if (head !== undefined && head.mode === 'X' && !head.woken) {
      head.woken = true;
      out.push(head);
    }
    return out;
  }

  retry(req: LockRequest, nowNs: number): boolean {
    req.woken = false;
    if (req.granted) return true;
    if (this.free(req)) {
      if (this.handoff === req) this.handoff = undefined;
      this.dequeue(req);
      this.grant(req);
      return true;
    }
    if (this.handoff === undefined && this.firstSleeper() === req && this.timedOut(req.requestedNs, nowNs)) this.handoff = req;
    return false;
  }
}
