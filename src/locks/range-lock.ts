/** The shared/exclusive byte-range lock (FIFO, reader-preferring, nested-shared-ok). */
import { type BlockerPrefix, conflicts, type LockPrimitive, type LockRequest, NONE, overlaps } from './primitives.js';
import type { RangeFairness } from '../model/locks.js';
import { type RangeNode as TreeNode, RangeTree } from './range-tree.js';
import { partitionPoint } from '../util/search.js';

type RangeNode = TreeNode<LockRequest>;

function bySeq(a: RangeNode, b: RangeNode): number {
  return a.seq - b.seq;
}

/**
 * a FIFO range lock's present requests by range: exclusive and shared apart, each one's node, the
 * waiting ones; and each waiting request's witness, the latest earlier present request that
 * conflicts with it (it is not granted while that one is present): `witnessOf` lists, for a
 * request, the waiting requests it is the witness of
 */
interface RangeIndex {
  exclusive: RangeTree<LockRequest>;
  shared: RangeTree<LockRequest>;
  nodes: Map<LockRequest, RangeNode>;
  witnessOf: Map<LockRequest, LockRequest[]>;
  arrivals: number;
  waiting: number;
}

/**
 * blockersOf's last query on the index (a deadlock report asks it of thousands of requests queued
 * alike): dropped whenever a request comes or goes
 */
interface BlockersQuery {
  start: number;
  end: number;
  mode: LockRequest['mode'];
  /** the conflicting present requests, in arrival order (a copy) */
  nodes: RangeNode[];
}

/** conflicting()'s scratch (a lock's calls do not nest) */
const found: RangeNode[] = [];

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
 * FIFO scans its present requests in arrival order while they are few (INDEX_ABOVE), each waiting
 * one counting the earlier ones it conflicts with, and indexes them by range beyond that
 * (range-tree.ts), exclusive and shared apart (thousands of tasks on one file in an open-mode
 * replay made a scan per acquire and release quadratic). Indexed, a waiting request does not count
 * its blockers but keeps one, its witness: the latest earlier present request that conflicts with
 * it (a shared request's, an exclusive one it overlaps; an exclusive request's, any it overlaps).
 * A release looks again only at the requests it was the witness of: each is granted if no earlier
 * present request conflicts with it, else takes the latest that does as its witness. In a queue of
 * requests that all overlap, each one's witness is the one ahead of it, so a release looks at one
 * request, where counts made every arrival count the queue and every release decrement it. Both
 * give the same grants in the same order. The other policies always scan.
 */
export class RangeLock implements LockPrimitive {
  /** every present request (granted and waiting), in arrival order, while not indexed */
  private requests: LockRequest[] = [];
  /** FIFO with many requests present: the present requests by range instead (made when needed: most locks never have many) */
  private idx: RangeIndex | undefined;
  private lastBlockersQuery: BlockersQuery | undefined;

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
    const idx = this.idx;
    if (idx !== undefined) {
      // (every present request came earlier)
      const witness = latestConflicting(idx, req, Infinity);
      add(idx, req);
      this.lastBlockersQuery = undefined;
      if (witness === undefined) {
        req.blockers = 0;
        req.granted = true;
      } else {
        waitOn(idx, witness.item, req);
        idx.waiting++;
      }
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
    if (this.idx !== undefined) return this.releaseIndexed(this.idx, req);
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

  private releaseIndexed(idx: RangeIndex, req: LockRequest): LockRequest[] {
    const node = idx.nodes.get(req);
    if (node === undefined || !req.granted) throw new Error('range lock released by a request that does not hold it');
    (req.mode === 'X' ? idx.exclusive : idx.shared).remove(node);
    idx.nodes.delete(req);
    this.lastBlockersQuery = undefined;
    // only the requests it was the witness of can be granted now: each is granted if no earlier
    // present request conflicts with it, else waits on the latest that does (an earlier one than
    // this, so in a queue of requests on one range, the next in it: one request looked at, where
    // counting made each release visit every waiter)
    let woken = NONE;
    const waiters = idx.witnessOf.get(req);
    if (waiters !== undefined) {
      idx.witnessOf.delete(req);
      for (const r of waiters) {
        const witness = latestConflicting(idx, r, (idx.nodes.get(r) as RangeNode).seq);
        if (witness !== undefined) {
          waitOn(idx, witness.item, r);
          continue;
        }
        r.blockers = 0;
        r.granted = true;
        if (woken === NONE) woken = [];
        woken.push(r);
      }
      // in arrival order, as granted
      if (woken.length > 1) woken.sort((a, b) => (idx.nodes.get(a) as RangeNode).seq - (idx.nodes.get(b) as RangeNode).seq);
    }
    idx.waiting -= woken.length;
    // back to the scan: the present requests, in arrival order, each waiting one counting the
    // earlier ones it conflicts with
    if (this.present() < this.indexAbove / 2) {
      const requests = all(idx).map((n) => n.item);
      for (let i = 0; i < requests.length; i++) {
        const r = requests[i];
        if (r.granted) continue;
        let blockers = 0;
        for (let k = 0; k < i; k++) if (conflicts(requests[k], r)) blockers++;
        r.blockers = blockers;
      }
      this.requests = requests;
      this.idx = undefined;
      this.lastBlockersQuery = undefined;
    }
    return woken;
  }

  /** from the scan to the index: the present requests, in arrival order */
  private startIndex(): void {
    const idx: RangeIndex = { exclusive: new RangeTree(), shared: new RangeTree(), nodes: new Map(), witnessOf: new Map(), arrivals: 0, waiting: 0 };
    for (const r of this.requests) {
      if (!r.granted) {
        // (a waiting request counts earlier conflicting ones: there is one)
        const witness = latestConflicting(idx, r, Infinity) as RangeNode;
        waitOn(idx, witness.item, r);
        idx.waiting++;
      }
      add(idx, r);
    }
    this.idx = idx;
    this.requests = [];
    this.lastBlockersQuery = undefined;
  }

  /** requests waiting (for cost models that walk the whole tree) */
  waiting(): number {
    if (this.idx !== undefined) return this.idx.waiting;
    let n = 0;
    for (const r of this.requests) if (!r.granted) n++;
    return n;
  }

  /** scan policies: may this waiting request be granted now? */
  private grantable(req: LockRequest): boolean {
    return this.blockersOf(req).length === 0;
  }

  /**
   * conflicting(), kept for the next request of the same mode and range until a request comes or
   * goes: a deadlock report asks blockersOf of every blocked task, and thousands queued alike on one
   * range each walked the whole index again (20,000 took 88 s; a walk of the kept array is cheap)
   */
  private conflictingAlike(idx: RangeIndex, req: LockRequest): RangeNode[] {
    const q = this.lastBlockersQuery;
    if (q !== undefined && q.start === req.start && q.end === req.end && q.mode === req.mode) return q.nodes;
    const nodes = conflicting(idx, req).slice();
    this.lastBlockersQuery = { start: req.start, end: req.end, mode: req.mode, nodes };
    return nodes;
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
    return this.idx !== undefined ? this.idx.exclusive.size + this.idx.shared.size : this.requests.length;
  }

  holders(): LockRequest[] {
    if (this.idx !== undefined) return all(this.idx).filter((n) => n.item.granted).map((n) => n.item);
    return this.requests.filter((r) => r.granted);
  }

  hasWaiters(): boolean {
    if (this.idx !== undefined) return this.idx.waiting > 0;
    for (const r of this.requests) if (!r.granted) return true;
    return false;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    if (this.idx !== undefined) {
      // granted conflicting requests, and earlier waiting ones
      const self = this.idx.nodes.get(req);
      const seq = self === undefined ? Infinity : self.seq;
      const out: LockRequest[] = [];
      for (const n of this.conflictingAlike(this.idx, req)) if (n.item !== req && (n.item.granted || n.seq < seq)) out.push(n.item);
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

  /**
   * Indexed (FIFO with many requests present): requests of the same range and mode share the list
   * of the present requests they conflict with, in arrival order, and each one's blockers are those
   * that came before it (a later one that conflicts with it counts it, so it is not granted while
   * this one is present). The scan (few requests, or the policies whose answer depends on the
   * request's task) answers undefined: blockersOf answers.
   */
  blockersOfMany(reqs: readonly LockRequest[]): (BlockerPrefix | undefined)[] {
    const idx = this.idx;
    if (idx === undefined) return reqs.map(() => undefined);
    const alike = new Map<string, { nodes: RangeNode[]; list: LockRequest[] }>();
    return reqs.map((r) => {
      const key = `${r.start} ${r.end} ${r.mode}`;
      let group = alike.get(key);
      if (group === undefined) {
        const nodes = conflicting(idx, r).slice();
        alike.set(key, (group = { nodes, list: nodes.map((n) => n.item) }));
      }
      const self = idx.nodes.get(r);
      const seq = self === undefined ? Infinity : self.seq;
      const nodes = group.nodes;
      return { list: group.list, length: partitionPoint(nodes.length, (i) => nodes[i].seq < seq) };
    });
  }
}

/**
 * the latest present request with a seq below `bound` that conflicts with `req` (an exclusive one
 * that overlaps it; for an exclusive request, a shared one too)
 */
function latestConflicting(idx: RangeIndex, req: LockRequest, bound: number): RangeNode | undefined {
  const x = idx.exclusive.latestBefore(req.start, req.end, bound);
  if (req.mode !== 'X') return x;
  return idx.shared.latestBefore(req.start, req.end, bound, x === undefined ? -Infinity : x.seq) ?? x;
}

/** `req` waits: not granted while `witness` (an earlier conflicting request) is present */
function waitOn(idx: RangeIndex, witness: LockRequest, req: LockRequest): void {
  req.blockers = 1;
  const list = idx.witnessOf.get(witness);
  if (list === undefined) idx.witnessOf.set(witness, [req]);
  else list.push(req);
}

function add(idx: RangeIndex, req: LockRequest): void {
  const tree = req.mode === 'X' ? idx.exclusive : idx.shared;
  const node = tree.node(req, req.start, req.end, idx.arrivals++);
  tree.insert(node);
  idx.nodes.set(req, node);
}

/** every present request's node, in arrival order */
function all(idx: RangeIndex): RangeNode[] {
  const out: RangeNode[] = [];
  idx.exclusive.all(out);
  idx.shared.all(out);
  return out.sort(bySeq);
}

/** the present requests that overlap and conflict with `req` (req itself too, if present), in arrival order (a shared scratch array) */
function conflicting(idx: RangeIndex, req: LockRequest): RangeNode[] {
  found.length = 0;
  idx.exclusive.overlapping(req.start, req.end, found);
  if (req.mode === 'X') idx.shared.overlapping(req.start, req.end, found);
  if (found.length > 1) found.sort(bySeq);
  return found;
}
