/** The shared/exclusive byte-range lock (FIFO, reader-preferring, nested-shared-ok). */
import { conflicts, type LockPrimitive, type LockRequest, NONE, overlaps } from './primitives.js';
import type { RangeFairness } from '../model/locks.js';
import { type RangeNode as TreeNode, RangeTree } from './range-tree.js';

type RangeNode = TreeNode<LockRequest>;

function bySeq(a: RangeNode, b: RangeNode): number {
  return a.seq - b.seq;
}

/**
 * FIFO: present requests above which they are indexed by range. A scan of a few is faster than the
 * index: always indexed, replays of the bench trace (3 requests present at most) took 30–40% longer.
 */
export const INDEX_ABOVE = 32;

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
 *
 * FIFO scans its present requests in arrival order while they are few (INDEX_ABOVE), and indexes
 * them by range beyond that (range-tree.ts), exclusive and shared apart: a shared request counts
 * the exclusive ones it overlaps, an exclusive one all it overlaps, and a release visits only the
 * requests it overlaps and conflicts with, whatever the number present (thousands of tasks on one
 * file in an open-mode replay made a scan per acquire and release quadratic). Both give the same
 * grants in the same order. The other policies always scan.
 */
export class RangeLock implements LockPrimitive {
  /** every present request (granted and waiting), in arrival order, while not indexed */
  private requests: LockRequest[] = [];
  /** indexed: the present exclusive and shared requests by range; arrivals so far; waiting ones */
  private indexed = false;
  private exclusive = new RangeTree<LockRequest>();
  private shared = new RangeTree<LockRequest>();
  private arrivals = 0;
  private waitingCount = 0;
  /** indexed: each present request's node (a Map, not a field: requests are the caller's objects) */
  private readonly nodes = new Map<LockRequest, RangeNode>();
  /** conflicting()'s scratch */
  private readonly found: RangeNode[] = [];

  /**
   * `indexAbove`: FIFO indexes its requests once more than this many are present, and scans them
   * again once fewer than half of it are (a scan of a few is faster than the index).
   */
  constructor(private readonly fairness: RangeFairness = 'fifo', private readonly indexAbove = INDEX_ABOVE) {}

  acquire(req: LockRequest): boolean {
    if (this.fairness !== 'fifo') {
      this.requests.push(req);
      if (this.grantable(req)) req.granted = true;
      return req.granted;
    }
    if (this.indexed) {
      let blockers = this.exclusive.countOverlapping(req.start, req.end);
      if (req.mode === 'X') blockers += this.shared.countOverlapping(req.start, req.end);
      req.blockers = blockers;
      this.index(req);
      if (blockers === 0) req.granted = true;
      else this.waitingCount++;
      return req.granted;
    }
    let blockers = 0;
    for (const r of this.requests) if (conflicts(r, req)) blockers++;
    req.blockers = blockers;
    this.requests.push(req);
    if (blockers === 0) req.granted = true;
    if (this.requests.length > this.indexAbove) this.startIndex();
    return req.granted;
  }

  release(req: LockRequest): LockRequest[] {
    if (this.indexed) return this.releaseIndexed(req);
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

  private releaseIndexed(req: LockRequest): LockRequest[] {
    const node = this.nodes.get(req);
    if (node === undefined || !req.granted) throw new Error('range lock released by a request that does not hold it');
    (node.tree as RangeTree<LockRequest>).remove(node);
    this.nodes.delete(req);
    // (each present request conflicting with a granted one came after it and counts it)
    let woken = NONE;
    for (const n of this.conflicting(req)) {
      const r = n.item;
      if (!r.granted && --r.blockers === 0) {
        r.granted = true;
        if (woken === NONE) woken = [];
        woken.push(r);
      }
    }
    this.waitingCount -= woken.length;
    if (this.present() < this.indexAbove / 2) this.stopIndex();
    return woken;
  }

  private index(req: LockRequest): void {
    const tree = req.mode === 'X' ? this.exclusive : this.shared;
    const node = tree.node(req, req.start, req.end, this.arrivals++);
    tree.insert(node);
    this.nodes.set(req, node);
  }

  /** from a scan to the index: the present requests, in arrival order */
  private startIndex(): void {
    this.indexed = true;
    this.waitingCount = 0;
    for (const r of this.requests) {
      this.index(r);
      if (!r.granted) this.waitingCount++;
    }
    this.requests = [];
  }

  /** from the index back to a scan */
  private stopIndex(): void {
    this.requests = this.all().map((n) => n.item);
    this.indexed = false;
    this.exclusive = new RangeTree<LockRequest>();
    this.shared = new RangeTree<LockRequest>();
    this.nodes.clear();
  }

  /** indexed: every present request's node, in arrival order */
  private all(): RangeNode[] {
    const all: RangeNode[] = [];
    this.exclusive.all(all);
    this.shared.all(all);
    return all.sort(bySeq);
  }

  /** indexed: the present requests that overlap and conflict with `req` (req itself too, if present), in arrival order */
  private conflicting(req: LockRequest): RangeNode[] {
    const found = this.found;
    found.length = 0;
    this.exclusive.overlapping(req.start, req.end, found);
    if (req.mode === 'X') this.shared.overlapping(req.start, req.end, found);
    if (found.length > 1) found.sort(bySeq);
    return found;
  }

  /** requests waiting (for cost models that walk the whole tree) */
  waiting(): number {
    if (this.indexed) return this.waitingCount;
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

  /** requests present, granted and waiting */
  present(): number {
    return this.indexed ? this.exclusive.size + this.shared.size : this.requests.length;
  }

  holders(): LockRequest[] {
    if (this.indexed) return this.all().filter((n) => n.item.granted).map((n) => n.item);
    return this.requests.filter((r) => r.granted);
  }

  hasWaiters(): boolean {
    if (this.indexed) return this.waitingCount > 0;
    for (const r of this.requests) if (!r.granted) return true;
    return false;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    if (this.indexed) {
      // granted conflicting requests, and earlier waiting ones
      const self = this.nodes.get(req);
      const seq = self === undefined ? Infinity : self.seq;
      const out: LockRequest[] = [];
      for (const n of this.conflicting(req)) if (n.item !== req && (n.item.granted || n.seq < seq)) out.push(n.item);
      return out;
    }
    const out: LockRequest[] = [];
    const passes = this.passesWaiters(req);
    let earlier = true;
    for (const r of this.requests) {
      if (r === req) {
        earlier = false;
        continue;
      }
      if (!conflicts(r, req)) continue;
      // granted conflicting requests always block; earlier waiting ones unless the request passes them
      if (r.granted || (earlier && !passes)) out.push(r);
    }
    return out;
  }
}
