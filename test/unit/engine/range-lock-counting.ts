/**
 * The FIFO range lock as it was before it kept a witness per waiting request: indexed by range
 * above `indexAbove` present requests (exclusive and shared apart), each arrival counting the
 * earlier requests it conflicts with (RangeTree.countOverlapping) and each release decrementing
 * the count of every later waiter it conflicts with; a scan of every present request below. Kept
 * as the reference RangeLock must agree with (range-lock-witness.test.ts).
 */
import { conflicts, type LockRequest } from '../../../src/locks/primitives.js';
import { type RangeNode, RangeTree } from '../../../src/locks/range-tree.js';

interface Index {
  exclusive: RangeTree<LockRequest>;
  shared: RangeTree<LockRequest>;
  nodes: Map<LockRequest, RangeNode<LockRequest>>;
  arrivals: number;
}

export class CountingFifoRangeLock {
  private requests: LockRequest[] = [];
  private idx: Index | undefined;

  constructor(private readonly indexAbove: number) {}

  /** whether the present requests are indexed (their counts are exact only while scanned, in RangeLock) */
  get indexed(): boolean {
    return this.idx !== undefined;
  }

  acquire(req: LockRequest): boolean {
    const idx = this.idx;
    if (idx !== undefined) {
      let blockers = idx.exclusive.countOverlapping(req.start, req.end);
      if (req.mode === 'X') blockers += idx.shared.countOverlapping(req.start, req.end);
      req.blockers = blockers;
      add(idx, req);
      if (blockers === 0) req.granted = true;
      return req.granted;
    }
    let blockers = 0;
    for (const r of this.requests) if (conflicts(r, req)) blockers++;
    req.blockers = blockers;
    this.requests.push(req);
    if (blockers === 0) req.granted = true;
    if (this.requests.length > this.indexAbove) {
      const made: Index = { exclusive: new RangeTree(), shared: new RangeTree(), nodes: new Map(), arrivals: 0 };
      for (const r of this.requests) add(made, r);
      this.idx = made;
      this.requests = [];
    }
    return req.granted;
  }

  release(req: LockRequest): LockRequest[] {
    const idx = this.idx;
    if (idx !== undefined) {
      const node = idx.nodes.get(req);
      if (node === undefined || !req.granted) throw new Error('range lock released by a request that does not hold it');
      (req.mode === 'X' ? idx.exclusive : idx.shared).remove(node);
      idx.nodes.delete(req);
      const woken: LockRequest[] = [];
      for (const n of conflicting(idx, req)) {
        const r = n.item;
        if (!r.granted && --r.blockers === 0) {
          r.granted = true;
          woken.push(r);
        }
      }
      if (this.present() < this.indexAbove / 2) {
        this.requests = all(idx).map((n) => n.item);
        this.idx = undefined;
      }
      return woken;
    }
    const i = this.requests.indexOf(req);
    if (i < 0 || !req.granted) throw new Error('range lock released by a request that does not hold it');
    this.requests.splice(i, 1);
    const woken: LockRequest[] = [];
    for (let k = i; k < this.requests.length; k++) {
      const r = this.requests[k];
      if (!r.granted && conflicts(r, req) && --r.blockers === 0) {
        r.granted = true;
        woken.push(r);
      }
    }
    return woken;
  }

  present(): number {
    return this.idx !== undefined ? this.idx.exclusive.size + this.idx.shared.size : this.requests.length;
  }

  /** the present requests, in arrival order */
  all(): LockRequest[] {
    return this.idx !== undefined ? all(this.idx).map((n) => n.item) : [...this.requests];
  }

  holders(): LockRequest[] {
    return this.all().filter((r) => r.granted);
  }

  waiting(): number {
    return this.all().filter((r) => !r.granted).length;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    const out: LockRequest[] = [];
    let earlier = true;
    for (const r of this.all()) {
      if (r === req) {
        earlier = false;
        continue;
      }
      if (conflicts(r, req) && (r.granted || earlier)) out.push(r);
    }
    return out;
  }
}

function add(idx: Index, req: LockRequest): void {
  const tree = req.mode === 'X' ? idx.exclusive : idx.shared;
  const node = tree.node(req, req.start, req.end, idx.arrivals++);
  tree.insert(node);
  idx.nodes.set(req, node);
}

function all(idx: Index): RangeNode<LockRequest>[] {
  const out: RangeNode<LockRequest>[] = [];
  idx.exclusive.all(out);
  idx.shared.all(out);
  return out.sort((a, b) => a.seq - b.seq);
}

function conflicting(idx: Index, req: LockRequest): RangeNode<LockRequest>[] {
  const found: RangeNode<LockRequest>[] = [];
  idx.exclusive.overlapping(req.start, req.end, found);
  if (req.mode === 'X') idx.shared.overlapping(req.start, req.end, found);
  return found.sort((a, b) => a.seq - b.seq);
}
