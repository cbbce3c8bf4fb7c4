import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conflicts, type LockMode, type LockRequest } from '../../../src/locks/primitives.js';
import { INDEX_ABOVE, RangeLock } from '../../../src/locks/range-lock.js';
import { type RangeNode, RangeTree } from '../../../src/locks/range-tree.js';
import { chainOrder } from '../chain-order.js';
import { chance } from '../chance.js';

/**
 * The FIFO range lock as a scan of every present request in arrival order: what RangeLock did
 * before it indexed its requests by range, kept as the reference it must agree with.
 */
class ScanFifoRangeLock {
  readonly requests: LockRequest[] = [];
  acquire(req: LockRequest): boolean {
    let blockers = 0;
    for (const r of this.requests) if (conflicts(r, req)) blockers++;
    req.blockers = blockers;
    this.requests.push(req);
    if (blockers === 0) req.granted = true;
    return req.granted;
  }
  release(req: LockRequest): LockRequest[] {
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
  holders(): LockRequest[] {
    return this.requests.filter((r) => r.granted);
  }
  waiting(): number {
    return this.requests.filter((r) => !r.granted).length;
  }
  blockersOf(req: LockRequest): LockRequest[] {
    const out: LockRequest[] = [];
    let earlier = true;
    for (const r of this.requests) {
      if (r === req) {
        earlier = false;
        continue;
      }
      if (conflicts(r, req) && (r.granted || earlier)) out.push(r);
    }
    return out;
  }
}

const req = (task: number, mode: LockMode, start: number, end: number): LockRequest => ({ task, mode, start, end, granted: false, blockers: 0, requestedNs: 0, grantedNs: 0, spinning: false, woken: false });
const ids = (list: LockRequest[]): number[] => list.map((r) => r.task);

type Action = { acquire: true; mode: LockMode; start: number; length: number; toEof: boolean } | { acquire: false; pick: number };

/** runs the actions on both locks (each on its own copies of the requests), comparing everything after each */
function agree(actions: Action[], indexAbove: number): void {
  const indexed = new RangeLock('fifo', indexAbove);
  const scan = new ScanFifoRangeLock();
  const a: LockRequest[] = [];
  const b: LockRequest[] = [];
  for (const act of actions) {
    if (act.acquire) {
      const end = act.toEof ? Infinity : act.start + act.length;
      const ra = req(a.length, act.mode, act.start, end);
      const rb = req(b.length, act.mode, act.start, end);
      a.push(ra);
      b.push(rb);
      expect(indexed.acquire(ra)).toBe(scan.acquire(rb));
      // (indexed, a waiting request keeps 1 blocker, its witness, not their count: range-lock-witness.test.ts)
      expect(ra.blockers > 0).toBe(rb.blockers > 0);
    } else {
      // release a granted request (every 7th pick: try a waiting one, which both must refuse)
      const present = scan.requests;
      if (present.length === 0) continue;
      const waiting = present.filter((r) => !r.granted);
      if (act.pick % 7 === 0 && waiting.length > 0) {
        const rb = waiting[act.pick % waiting.length];
        expect(() => indexed.release(a[rb.task])).toThrow('range lock released by a request that does not hold it');
        expect(() => scan.release(rb)).toThrow();
        continue;
      }
      const granted = present.filter((r) => r.granted);
      const rb = granted[act.pick % granted.length];
      expect(ids(indexed.release(a[rb.task]))).toEqual(ids(scan.release(rb)));
    }
    expect(ids(indexed.holders())).toEqual(ids(scan.holders()));
    expect(indexed.waiting()).toBe(scan.waiting());
    expect(indexed.hasWaiters()).toBe(scan.waiting() > 0);
    expect(indexed.present()).toBe(scan.requests.length);
    for (const rb of scan.requests) {
      expect(a[rb.task].granted).toBe(rb.granted);
      expect(a[rb.task].blockers > 0).toBe(rb.blockers > 0);
      expect(ids(indexed.blockersOf(a[rb.task]))).toEqual(ids(scan.blockersOf(rb)));
    }
  }
  // a request never acquired: every conflicting present request blocks it
  const stranger = req(-1, 'X', 0, Infinity);
  expect(ids(indexed.blockersOf(stranger))).toEqual(ids(scan.blockersOf({ ...stranger })));
  expect(() => indexed.release(stranger)).toThrow('range lock released by a request that does not hold it');
}

describe('RangeLock fifo, indexed by range', () => {
  it('agrees with a scan of every request on random acquires and releases: grants, blockers, wake order, holders, wait-for edges (always indexed; indexed above 3 or 8 present and back below half of it; as built)', () => {
    const action: fc.Arbitrary<Action> = fc.oneof(
      fc.record({ acquire: fc.constant(true as const), mode: fc.constantFrom<LockMode>('S', 'X'), start: fc.integer({ min: 0, max: 40 }), length: fc.integer({ min: 1, max: 12 }), toEof: chance(0.1) }) as fc.Arbitrary<Action>,
      fc.record({ acquire: fc.constant(false as const), pick: fc.nat() }),
    );
    for (const indexAbove of [0, 3, 8, INDEX_ABOVE]) {
      fc.assert(fc.property(fc.array(action, { maxLength: 120 }), (actions) => agree(actions, indexAbove)), { numRuns: 250 });
    }
  });

  it('goes back to a scan in arrival order: a waiter behind another is still behind it', () => {
    const l = new RangeLock('fifo', 8);
    const first = req(0, 'X', 0, 10);
    const second = req(1, 'X', 0, 10);
    const third = req(2, 'X', 0, 10);
    const others = Array.from({ length: 6 }, (_, i) => req(3 + i, 'S', 100 + 10 * i, 110 + 10 * i));
    for (const r of [first, second, third, ...others]) l.acquire(r);
    // 9 present: indexed; 3 left: a scan again
    for (const r of others) expect(l.release(r)).toEqual([]);
    expect(l.present()).toBe(3);
    expect(ids(l.blockersOf(third))).toEqual([0, 1]);
    expect(ids(l.release(first))).toEqual([1]);
    expect(ids(l.release(second))).toEqual([2]);
  });

  it('a request released to another lock is not this one\'s', () => {
    const one = new RangeLock('fifo', 0);
    const two = new RangeLock('fifo', 0);
    const r = req(1, 'X', 0, 10);
    expect(one.acquire(r)).toBe(true);
    expect(() => two.release(r)).toThrow('range lock released by a request that does not hold it');
    expect(one.release(r)).toEqual([]);
    expect(() => one.release(r)).toThrow('range lock released by a request that does not hold it');
  });
});

describe('RangeTree: no trace can give it a bad shape', () => {
  it('ranges arriving in the order of the old fixed seed\'s priorities (a chain 20,000 deep then) are indexed and found (was: stack overflow)', () => {
    // the priorities the tree drew from its fixed seed (0x9e3779b9), in order: the k-th node made got the k-th
    const { starts, byRank } = chainOrder(0x9e3779b9, 20_000, 4096);
    const tree = new RangeTree<number>();
    const nodes = starts.map((s, k) => tree.node(k, s, s + 4096, k));
    for (const n of nodes) tree.insert(n);
    expect(tree.countOverlapping(0, Infinity)).toBe(20_000);
    const found: RangeNode<number>[] = [];
    tree.overlapping(4096 * 19_999, 4096 * 20_000, found);
    expect(found.map((n) => n.item)).toEqual([byRank[19_999]]);
    for (const n of nodes) tree.remove(n);
    expect(tree.size).toBe(0);
  });
});

describe('RangeLock: blockersOf keeps its last query only while no request comes or goes', () => {
  it('a request not in the lock, asked about before and after another arrives and after one leaves', () => {
    const lock = new RangeLock('fifo', 0);
    const a = req(1, 'S', 0, 10);
    lock.acquire(a);
    const outside = req(9, 'X', 0, 10);
    expect(lock.blockersOf(outside)).toEqual([a]);
    const b = req(2, 'S', 0, 10);
    expect(lock.acquire(b)).toBe(true);
    expect(lock.blockersOf(outside)).toEqual([a, b]);
    lock.release(a);
    expect(lock.blockersOf(outside)).toEqual([b]);
    // the same range in the other mode is another query
    expect(lock.blockersOf(req(9, 'S', 0, 10))).toEqual([]);
  });
});
