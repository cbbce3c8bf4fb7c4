/**
 * The FIFO range lock keeps, for each waiting request, one earlier conflicting request (its witness)
 * instead of counting them all: against the counting lock it replaced (range-lock-counting.ts, kept
 * as the reference) on random acquires and releases, and RangeTree.latestBefore against a scan.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { LockMode, LockRequest } from '../../../src/locks/primitives.js';
import { INDEX_ABOVE, RangeLock } from '../../../src/locks/range-lock.js';
import { type RangeNode, RangeTree } from '../../../src/locks/range-tree.js';
import { chance } from '../chance.js';
import { CountingFifoRangeLock } from './range-lock-counting.js';

const req = (task: number, mode: LockMode, start: number, end: number): LockRequest => ({ task, mode, start, end, granted: false, blockers: 0, requestedNs: 0, grantedNs: 0, spinning: false, woken: false });
const ids = (list: readonly LockRequest[]): number[] => list.map((r) => r.task);

type Action = { acquire: true; mode: LockMode; start: number; length: number; toEof: boolean } | { acquire: false; pick: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  // (ranges from a few starts and lengths: long queues of requests that overlap, and some apart)
  { weight: 3, arbitrary: fc.record({ acquire: fc.constant(true as const), mode: fc.constantFrom<LockMode>('S', 'X', 'X'), start: fc.oneof(fc.constantFrom(0, 8, 16), fc.integer({ min: 0, max: 40 })), length: fc.oneof(fc.constant(8), fc.integer({ min: 1, max: 24 })), toEof: chance(0.05) }) as fc.Arbitrary<Action> },
  { weight: 2, arbitrary: fc.record({ acquire: fc.constant(false as const), pick: fc.nat() }) },
);

/** the same actions on both locks (each on its own copies of the requests), everything compared after each */
function agree(actions: Action[], indexAbove: number): void {
  const lock = new RangeLock('fifo', indexAbove);
  const ref = new CountingFifoRangeLock(indexAbove);
  const a: LockRequest[] = [];
  const b: LockRequest[] = [];
  for (const act of actions) {
    if (act.acquire) {
      const end = act.toEof ? Infinity : act.start + act.length;
      const ra = req(a.length, act.mode, act.start, end);
      const rb = req(b.length, act.mode, act.start, end);
      a.push(ra);
      b.push(rb);
      expect(lock.acquire(ra)).toBe(ref.acquire(rb));
    } else {
      const granted = ref.holders();
      if (granted.length === 0) continue;
      const rb = granted[act.pick % granted.length];
      // the requests granted, in grant order
      expect(ids(lock.release(a[rb.task]))).toEqual(ids(ref.release(rb)));
    }
    const present = ref.all();
    expect(lock.present()).toBe(present.length);
    expect(ids(lock.holders())).toEqual(ids(ref.holders()));
    expect(lock.waiting()).toBe(ref.waiting());
    expect(lock.hasWaiters()).toBe(ref.waiting() > 0);
    for (const rb of present) {
      expect(a[rb.task].granted).toBe(rb.granted);
      // (counts are the lock's while it scans; indexed, a waiting request keeps 1)
      if (!ref.indexed) expect(a[rb.task].blockers).toBe(rb.blockers);
      expect(ids(lock.blockersOf(a[rb.task]))).toEqual(ids(ref.blockersOf(rb)));
    }
    const many = lock.blockersOfMany(present.map((rb) => a[rb.task]));
    many.forEach((p, i) => {
      if (p !== undefined) expect(ids(p.list.slice(0, p.length))).toEqual(ids(ref.blockersOf(present[i])));
    });
  }
}

describe('RangeLock fifo: a witness per waiting request', () => {
  it('grants what the counting lock grants, in the same order, and answers the same, on random acquires and releases (always indexed; indexed above 3, 8 and 32 present and back below half of it)', () => {
    for (const indexAbove of [0, 3, 8, INDEX_ABOVE]) {
      fc.assert(fc.property(fc.array(action, { maxLength: 200 }), (actions) => agree(actions, indexAbove)), { numRuns: 300, seed: indexAbove });
    }
  });

  it('a queue of 20,000 requests on one range, exclusive, then shared and exclusive in turn: each release grants the next, and the index is asked about a few requests for each, not the queue (counting, each arrival counted every request ahead and each release visited every waiter: seconds)', () => {
    // the requests the index's queries visit or answer with
    let visited = 0;
    const proto = RangeTree.prototype as RangeTree<LockRequest>;
    const { countOverlapping, overlapping, latestBefore } = proto;
    const spies = [
      vi.spyOn(proto, 'countOverlapping').mockImplementation(function (this: RangeTree<LockRequest>, start, end) {
        const n = countOverlapping.call(this, start, end);
        visited += n;
        return n;
      }),
      vi.spyOn(proto, 'overlapping').mockImplementation(function (this: RangeTree<LockRequest>, start, end, out) {
        const before = out.length;
        overlapping.call(this, start, end, out);
        visited += out.length - before;
      }),
      vi.spyOn(proto, 'latestBefore').mockImplementation(function (this: RangeTree<LockRequest>, start, end, bound, floor) {
        visited++;
        return latestBefore.call(this, start, end, bound, floor);
      }),
    ];
    for (const modes of [['X'], ['S', 'S', 'X']] as LockMode[][]) {
      const lock = new RangeLock('fifo');
      const reqs = Array.from({ length: 20_000 }, (_, i) => req(i, modes[i % modes.length], 0, 4096));
      visited = 0;
      for (const r of reqs) lock.acquire(r);
      let granted = ids(lock.holders());
      let released = 0;
      const grants: number[][] = [];
      while (granted.length > 0) {
        const woken: number[] = [];
        for (const t of granted) woken.push(...ids(lock.release(reqs[t])));
        released += granted.length;
        granted = woken;
        grants.push(woken);
      }
      // each release granted the next exclusive request, or the shared ones up to the next exclusive one
      let next = modes.length === 1 ? 1 : 2;
      for (const woken of grants.slice(0, -1)) {
        const want = modes.length === 1 || modes[next % 3] === 'X' ? [next] : [next, next + 1];
        expect(woken).toEqual(want);
        next += want.length;
      }
      // (2 queries an arrival, an exclusive one's, and as many for each time a request is looked at again)
      expect(visited).toBeLessThan(5 * 20_000);
      expect(released).toBe(20_000);
      expect(lock.present()).toBe(0);
    }
    for (const spy of spies) spy.mockRestore();
  }, 60_000);
});

describe('RangeTree.latestBefore', () => {
  it('finds the overlapping node of the largest seq below the bound and above the floor, as a scan does, with nodes coming and going', () => {
    const op = fc.oneof(
      fc.record({ add: fc.constant(true as const), start: fc.integer({ min: 0, max: 50 }), length: fc.integer({ min: 1, max: 20 }), toEof: chance(0.05) }),
      fc.record({ add: fc.constant(false as const), pick: fc.nat() }),
    );
    const query = fc.record({ start: fc.integer({ min: 0, max: 60 }), length: fc.integer({ min: 1, max: 30 }), bound: fc.integer({ min: 0, max: 90 }), floor: fc.integer({ min: -1, max: 60 }) });
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), fc.array(query, { minLength: 1, maxLength: 10 }), (ops, queries) => {
      const tree = new RangeTree<number>();
      const present: RangeNode<number>[] = [];
      let seq = 0;
      for (const o of ops) {
        if (o.add) {
          const n = tree.node(seq, o.start, o.toEof ? Infinity : o.start + o.length, seq);
          seq++;
          tree.insert(n);
          present.push(n);
        } else if (present.length > 0) {
          tree.remove(present.splice(o.pick % present.length, 1)[0]);
        }
      }
      for (const q of queries) {
        const end = q.start + q.length;
        let want: RangeNode<number> | undefined;
        for (const n of present) if (n.start < end && n.end > q.start && n.seq < q.bound && n.seq > q.floor && (want === undefined || n.seq > want.seq)) want = n;
        expect(tree.latestBefore(q.start, end, q.bound, q.floor)?.item).toBe(want?.item);
        expect(tree.latestBefore(q.start, end, q.bound)?.item).toBe(present.filter((n) => n.start < end && n.end > q.start && n.seq < q.bound).reduce<RangeNode<number> | undefined>((m, n) => (m === undefined || n.seq > m.seq ? n : m), undefined)?.item);
      }
    }), { numRuns: 2000 });
  });
});
