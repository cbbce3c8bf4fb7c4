/** The shared/exclusive byte-range lock (FIFO, reader-preferring, nested-shared-ok). */
import { conflicts, type LockPrimitive, type LockRequest, NONE, overlaps } from './primitives.js';
import type { RangeFairness } from '../model/locks.js';

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
