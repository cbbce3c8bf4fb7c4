import { describe, expect, it } from 'vitest';
import { type LockMode, type LockRequest, Mutex, overlaps, RwSem } from '../../../src/locks/primitives.js';
import { ListRangeLock } from '../../../src/locks/list-range.js';
import { RangeLock } from '../../../src/locks/range-lock.js';
import { TwoStateLock } from '../../../src/locks/two-state.js';

let nextTask = 0;
function req(mode: LockMode, start = 0, end = Infinity, task = nextTask++): LockRequest {
  return { task, mode, start, end, granted: false, blockers: 0, requestedNs: 0, grantedNs: 0, spinning: false, woken: false };
}
const tasks = (list: LockRequest[]): number[] => list.map((r) => r.task);

describe('overlaps', () => {
  it('is true only for ranges sharing a byte ([start, end) half-open)', () => {
    expect(overlaps(req('S', 0, 10), req('S', 9, 20))).toBe(true);
    expect(overlaps(req('S', 0, 10), req('S', 10, 20))).toBe(false);
    expect(overlaps(req('S', 10, 20), req('S', 0, 10))).toBe(false);
    expect(overlaps(req('S', 5, 6), req('S', 0, Infinity))).toBe(true);
    expect(overlaps(req('S', 0, 10), req('S', 0, 10))).toBe(true);
  });
});

describe('Mutex', () => {
  it('grants the first request, queues the rest FIFO, hands over one at a time', () => {
    const m = new Mutex();
    const a = req('S', 0, 1, 1);
    const b = req('S', 5, 6, 2);
    const c = req('X', 9, 10, 3);
    expect(m.acquire(a)).toBe(true);
    expect(a.granted).toBe(true);
    expect(m.hasWaiters()).toBe(false);
    expect(m.acquire(b)).toBe(false);
    expect(m.acquire(c)).toBe(false);
    expect(b.granted).toBe(false);
    expect(m.hasWaiters()).toBe(true);
    expect(tasks(m.holders())).toEqual([1]);
    expect(tasks(m.blockersOf(b))).toEqual([1]);
    expect(tasks(m.blockersOf(c))).toEqual([1, 2]);
    expect(() => m.release(b)).toThrow('mutex released by a request that does not hold it');
    expect(m.release(a)).toEqual([b]);
    expect(b.granted).toBe(true);
    expect(c.granted).toBe(false);
    expect(tasks(m.holders())).toEqual([2]);
    expect(tasks(m.blockersOf(c))).toEqual([2]);
    expect(m.release(b)).toEqual([c]);
    expect(m.hasWaiters()).toBe(false);
    expect(m.release(c)).toEqual([]);
    expect(m.holders()).toEqual([]);
    // a free mutex with nobody queued: a request not in the queue has no blockers
    expect(m.blockersOf(req('X', 0, 1, 9))).toEqual([]);
  });

  it('a new request queues behind waiters even while the mutex is between holders', () => {
    const m = new Mutex();
    const a = req('X');
    const b = req('X');
    m.acquire(a);
    m.acquire(b);
    m.release(a);
    const c = req('X');
    expect(m.acquire(c)).toBe(false);
    expect(m.blockersOf(c)).toEqual([b]);
  });
});

describe('RwSem fifo (Linux fairness)', () => {
  it('readers share; a writer waits; readers after a waiting writer queue behind it', () => {
    const s = new RwSem();
    const r1 = req('S', 0, Infinity, 1);
    const r2 = req('S', 0, Infinity, 2);
    const w = req('X', 0, Infinity, 3);
    const r3 = req('S', 0, Infinity, 4);
    const r4 = req('S', 0, Infinity, 5);
    expect(s.acquire(r1)).toBe(true);
    expect(s.acquire(r2)).toBe(true);
    expect([r1.granted, r2.granted]).toEqual([true, true]);
    expect(s.hasWaiters()).toBe(false);
    expect(s.acquire(w)).toBe(false);
    expect(s.acquire(r3)).toBe(false);
    expect(s.acquire(r4)).toBe(false);
    expect(s.hasWaiters()).toBe(true);
    expect(tasks(s.holders())).toEqual([1, 2]);
    // the writer waits for both readers; a reader waits for the writer ahead (not for the other readers)
    expect(tasks(s.blockersOf(w))).toEqual([1, 2]);
    expect(tasks(s.blockersOf(r3))).toEqual([3]);
    expect(tasks(s.blockersOf(r4))).toEqual([3]);
    expect(s.release(r1)).toEqual([]);
    expect(s.release(r2)).toEqual([w]);
    expect(w.granted).toBe(true);
    expect(tasks(s.blockersOf(r3))).toEqual([3]);
    // the writer's release grants every reader up to the next writer
    const w2 = req('X', 0, Infinity, 6);
    const r5 = req('S', 0, Infinity, 7);
    s.acquire(w2);
    s.acquire(r5);
    expect(tasks(s.blockersOf(w2))).toEqual([3, 4, 5]);
    expect(s.release(w)).toEqual([r3, r4]);
    expect([r3.granted, r4.granted, r5.granted]).toEqual([true, true, false]);
    expect(tasks(s.holders())).toEqual([4, 5]);
    expect(s.release(r3)).toEqual([]);
    expect(s.release(r4)).toEqual([w2]);
    expect(s.release(w2)).toEqual([r5]);
    expect(s.hasWaiters()).toBe(false);
    expect(() => s.release(w2)).toThrow('rwsem released by a request that does not hold it');
  });

  it('a writer is granted alone, and a writer at the head stops the grant of readers behind it', () => {
    const s = new RwSem('fifo');
    const w1 = req('X');
    const w2 = req('X');
    const r = req('S');
    expect(s.acquire(w1)).toBe(true);
    expect(s.acquire(w2)).toBe(false);
    expect(s.acquire(r)).toBe(false);
    expect(s.release(w1)).toEqual([w2]);
    expect([w2.granted, r.granted]).toEqual([true, false]);
    expect(s.release(w2)).toEqual([r]);
  });

  it('a writer does not pass a free lock while others queue', () => {
    const s = new RwSem();
    const r = req('S');
    const w1 = req('X');
    s.acquire(r);
    s.acquire(w1);
    s.release(r);
    // w1 was granted at the release; a new writer waits for it
    const w2 = req('X');
    expect(s.acquire(w2)).toBe(false);
    expect(s.blockersOf(w2)).toEqual([w1]);
  });
});

describe('RwSem reader-pref', () => {
  it('a reader passes a waiting writer; a release grants every waiting reader when no writer holds', () => {
    const s = new RwSem('reader-pref');
    const r1 = req('S', 0, Infinity, 1);
    const w = req('X', 0, Infinity, 2);
    const r2 = req('S', 0, Infinity, 3);
    expect(s.acquire(r1)).toBe(true);
    expect(s.acquire(w)).toBe(false);
    expect(s.acquire(r2)).toBe(true);
    expect(s.release(r1)).toEqual([]);
    expect(s.release(r2)).toEqual([w]);
    const r3 = req('S', 0, Infinity, 4);
    expect(s.acquire(r3)).toBe(false);
    const w2 = req('X', 0, Infinity, 5);
    const r4 = req('S', 0, Infinity, 6);
    s.acquire(w2);
    s.acquire(r4);
    // w's release: the head reader r3, then (reader preference) r4 past the waiting writer w2
    expect(s.release(w)).toEqual([r3, r4]);
    expect([r3.granted, r4.granted, w2.granted]).toEqual([true, true, false]);
    expect(s.hasWaiters()).toBe(true);
    expect(s.release(r3)).toEqual([]);
    expect(s.release(r4)).toEqual([w2]);
  });

  it('two readers queued behind a writer with a writer between them are all granted', () => {
    const s = new RwSem('reader-pref');
    const w = req('X');
    const ra = req('S');
    const w2 = req('X');
    const rb = req('S');
    const rc = req('S');
    s.acquire(w);
    s.acquire(ra);
    s.acquire(w2);
    s.acquire(rb);
    s.acquire(rc);
    expect(s.release(w)).toEqual([ra, rb, rc]);
    expect(s.hasWaiters()).toBe(true);
  });
});

describe('RangeLock fifo', () => {
  it('counts earlier conflicting requests as blockers and grants when they are gone', () => {
    const l = new RangeLock();
    const a = req('S', 0, 100, 1);
    const b = req('S', 50, 150, 2);
    const c = req('X', 90, 110, 3);
    const d = req('S', 100, 120, 4);
    const e = req('S', 200, 300, 5);
    expect(l.acquire(a)).toBe(true);
    expect(l.acquire(b)).toBe(true);
    expect(l.acquire(c)).toBe(false);
    expect(c.blockers).toBe(2);
    // d overlaps the waiting exclusive c only: it waits (FIFO)
    expect(l.acquire(d)).toBe(false);
    expect(d.blockers).toBe(1);
    expect(l.acquire(e)).toBe(true);
    expect(e.blockers).toBe(0);
    expect(l.waiting()).toBe(2);
    expect(l.hasWaiters()).toBe(true);
    expect(tasks(l.holders())).toEqual([1, 2, 5]);
    expect(tasks(l.blockersOf(c))).toEqual([1, 2]);
    expect(tasks(l.blockersOf(d))).toEqual([3]);
    expect(l.blockersOf(e)).toEqual([]);
    expect(l.release(a)).toEqual([]);
    expect(c.blockers).toBe(1);
    expect(l.release(b)).toEqual([c]);
    expect(c.granted).toBe(true);
    // a granted request still blocks a later conflicting one
    expect(tasks(l.blockersOf(d))).toEqual([3]);
    expect(l.release(c)).toEqual([d]);
    expect(l.waiting()).toBe(0);
    expect(l.hasWaiters()).toBe(false);
    expect(l.release(e)).toEqual([]);
    expect(l.release(d)).toEqual([]);
    expect(l.holders()).toEqual([]);
  });

  it('a release grants several waiters at once, in arrival order, and only conflicting ones lose a blocker', () => {
    const l = new RangeLock('fifo');
    const x = req('X', 0, 100);
    const s1 = req('S', 0, 10);
    const s2 = req('S', 90, 100);
    const s3 = req('S', 5, 95);
    l.acquire(x);
    l.acquire(s1);
    l.acquire(s2);
    l.acquire(s3);
    expect([s1.blockers, s2.blockers, s3.blockers]).toEqual([1, 1, 1]);
    expect(l.release(x)).toEqual([s1, s2, s3]);
  });

  it('a release only decrements requests that conflicted with it', () => {
    const l = new RangeLock();
    const x1 = req('X', 0, 10);
    const x2 = req('X', 20, 30);
    const w = req('X', 0, 30);
    l.acquire(x1);
    l.acquire(x2);
    expect(l.acquire(w)).toBe(false);
    expect(w.blockers).toBe(2);
    // releasing the last request of the list (pop) and one in the middle (splice) both work
    const tail = req('S', 500, 600);
    l.acquire(tail);
    expect(l.release(tail)).toEqual([]);
    expect(l.release(x2)).toEqual([]);
    expect(w.blockers).toBe(1);
    expect(l.release(x1)).toEqual([w]);
    // a waiting request that does not conflict with the released one is untouched
    const y = req('X', 40, 50);
    const z = req('S', 45, 46);
    l.acquire(y);
    l.acquire(z);
    expect(l.release(w)).toEqual([]);
    expect(z.blockers).toBe(1);
  });

  it('shared requests never block each other; a request is no blocker of itself', () => {
    const l = new RangeLock();
    const a = req('S', 0, 10);
    const b = req('S', 0, 10);
    expect(l.acquire(a)).toBe(true);
    expect(l.acquire(b)).toBe(true);
    expect(l.blockersOf(a)).toEqual([]);
  });

  it('throws on the release of a request granted by another lock', () => {
    const other = req('X', 0, 10);
    other.granted = true;
    expect(() => new RangeLock().release(other)).toThrow('range lock released by a request that does not hold it');
  });

  it('throws on the release of a waiting or unknown request', () => {
    const l = new RangeLock();
    const a = req('X', 0, 10);
    const b = req('X', 0, 10);
    l.acquire(a);
    l.acquire(b);
    expect(() => l.release(b)).toThrow('range lock released by a request that does not hold it');
    expect(() => l.release(req('X', 0, 10))).toThrow('range lock released by a request that does not hold it');
  });
});

describe('RangeLock reader-pref and nested-shared-ok', () => {
  it('reader-pref: a shared request passes a waiting exclusive one it overlaps', () => {
    const l = new RangeLock('reader-pref');
    const s1 = req('S', 0, 100, 1);
    const x = req('X', 0, 10, 2);
    const s2 = req('S', 0, 10, 3);
    const x2 = req('X', 200, 300, 4);
    expect(l.acquire(s1)).toBe(true);
    expect(l.acquire(x)).toBe(false);
    expect(l.acquire(s2)).toBe(true);
    expect(l.acquire(x2)).toBe(true);
    expect(tasks(l.blockersOf(x))).toEqual([1, 3]);
    expect(l.release(s1)).toEqual([]);
    expect(l.release(s2)).toEqual([x]);
    // an exclusive request does not pass: it waits for earlier waiting ones
    const x3 = req('X', 0, 5, 5);
    expect(l.acquire(x3)).toBe(false);
    const y = req('S', 0, 5, 6);
    expect(l.acquire(y)).toBe(false);
    // y passes the waiting x3 but not the granted x
    expect(tasks(l.blockersOf(y))).toEqual([2]);
    expect(tasks(l.blockersOf(x3))).toEqual([2]);
    expect(l.release(x)).toEqual([x3]);
    expect(y.granted).toBe(false);
    expect(l.release(x3)).toEqual([y]);
  });

  it('reader-pref: a release wakes only waiting requests that overlap it', () => {
    const l = new RangeLock('reader-pref');
    const a = req('X', 0, 10);
    const b = req('X', 20, 30);
    const wa = req('S', 0, 5);
    const wb = req('S', 20, 25);
    l.acquire(a);
    l.acquire(b);
    l.acquire(wa);
    l.acquire(wb);
    expect(l.release(b)).toEqual([wb]);
    expect(wa.granted).toBe(false);
  });

  it('nested-shared-ok: only a task holding an overlapping shared range passes waiting exclusive ones', () => {
    const l = new RangeLock('nested-shared-ok');
    const held = req('S', 0, 100, 1);
    const x = req('X', 0, 100, 2);
    expect(l.acquire(held)).toBe(true);
    expect(l.acquire(x)).toBe(false);
    // task 1 again, overlapping its own shared range: passes
    const nested = req('S', 10, 20, 1);
    expect(l.acquire(nested)).toBe(true);
    // another task: waits (FIFO) behind the exclusive request
    const other = req('S', 10, 20, 3);
    expect(l.acquire(other)).toBe(false);
    expect(tasks(l.blockersOf(other))).toEqual([2]);
    // task 1, but not overlapping its shared range: waits
    const apart = req('S', 100, 200, 1);
    expect(l.acquire(apart)).toBe(true); // no conflict at all (x ends at 100)
    const apart2 = req('S', 0, 5, 7);
    expect(l.acquire(apart2)).toBe(false);
    // task 1 holding an exclusive range only does not pass
    const l2 = new RangeLock('nested-shared-ok');
    const hx = req('X', 0, 10, 1);
    const wx = req('X', 50, 60, 2);
    const mine = req('S', 50, 60, 1);
    l2.acquire(hx);
    l2.acquire(req('S', 50, 60, 9));
    expect(l2.acquire(wx)).toBe(false);
    expect(l2.acquire(mine)).toBe(false);
  });

  it('nested-shared-ok: an exclusive request from a task holding a shared range does not pass', () => {
    const l = new RangeLock('nested-shared-ok');
    const held = req('S', 0, 100, 1);
    const x = req('X', 0, 100, 2);
    l.acquire(held);
    l.acquire(x);
    const mineX = req('X', 200, 300, 1);
    expect(l.acquire(mineX)).toBe(true);
    const again = req('X', 50, 60, 1);
    expect(l.acquire(again)).toBe(false);
    expect(tasks(l.blockersOf(again))).toEqual([1, 2]);
  });
});

describe('ListRangeLock', () => {
  it('no queue: a request fitting the granted ranges passes a sleeper; a release wakes every sleeper that fits, in order', () => {
    const l = new ListRangeLock();
    const s1 = req('S', 0, 100, 1);
    const x = req('X', 0, 100, 2);
    const s2 = req('S', 0, 100, 3);
    const x2 = req('X', 50, 60, 4);
    const far = req('X', 500, 600, 5);
    expect(l.acquire(s1)).toBe(true);
    expect(l.acquire(x)).toBe(false);
    expect(l.acquire(s2)).toBe(true);
    expect(l.acquire(far)).toBe(true);
    expect([s1.granted, x.granted, s2.granted, far.granted]).toEqual([true, false, true, true]);
    expect(l.hasWaiters()).toBe(true);
    expect(tasks(l.holders())).toEqual([1, 3, 5]);
    expect(tasks(l.blockersOf(x))).toEqual([1, 3]);
    expect(l.blockersOf(far)).toEqual([]);
    expect(l.release(s1)).toEqual([]);
    expect(l.acquire(x2)).toBe(false);
    expect(l.release(s2)).toEqual([x]);
    expect([x.granted, x2.granted]).toEqual([true, false]);
    expect(l.hasWaiters()).toBe(true);
    expect(l.release(x)).toEqual([x2]);
    expect(l.hasWaiters()).toBe(false);
    expect(l.release(far)).toEqual([]);
    expect(() => l.release(far)).toThrow('list range lock released by a request that does not hold it');
  });

  it('exclusiveOnly: shared requests exclude each other too', () => {
    const l = new ListRangeLock(true);
    const a = req('S', 0, 10);
    const b = req('S', 5, 15);
    const c = req('S', 10, 20);
    expect(l.acquire(a)).toBe(true);
    expect(l.acquire(b)).toBe(false);
    expect(l.acquire(c)).toBe(true);
    expect(l.blockersOf(b)).toEqual([a, c]);
    expect(l.release(a)).toEqual([]);
    expect(l.release(c)).toEqual([b]);
    const plain = new ListRangeLock(false);
    expect(plain.acquire(req('S', 0, 10))).toBe(true);
    expect(plain.acquire(req('S', 5, 15))).toBe(true);
  });
});

describe('a lone holder\'s release', () => {
  it('grants nobody, in every primitive', () => {
    for (const l of [new Mutex(), new RwSem(), new RwSem('reader-pref'), new RangeLock(), new RangeLock('reader-pref'), new ListRangeLock(), new ListRangeLock(true), new TwoStateLock()]) {
      const r = req('X', 0, 10);
      expect(l.acquire(r)).toBe(true);
      expect(l.hasWaiters()).toBe(false);
      expect(l.release(r)).toEqual([]);
      expect(l.holders()).toEqual([]);
    }
  });
});

describe('TwoStateLock', () => {
  it('requests of the same state share; the other state waits for zero; the first waiter\'s state wins', () => {
    const l = new TwoStateLock();
    const a1 = req('S', 0, 1, 1);
    const a2 = req('S', 0, 1, 2);
    const b1 = req('X', 0, 1, 3);
    const a3 = req('S', 0, 1, 4);
    const b2 = req('X', 0, 1, 5);
    expect(l.acquire(a1)).toBe(true);
    expect(l.acquire(a2)).toBe(true);
    expect(l.acquire(b1)).toBe(false);
    // same state as the holders: granted at once, past the waiter
    expect(l.acquire(a3)).toBe(true);
    expect(l.acquire(b2)).toBe(false);
    expect(l.hasWaiters()).toBe(true);
    expect(tasks(l.holders())).toEqual([1, 2, 4]);
    expect(tasks(l.blockersOf(b1))).toEqual([1, 2, 4]);
    expect(l.blockersOf(a1)).toEqual([]);
    expect(l.release(a1)).toEqual([]);
    expect(l.release(a2)).toEqual([]);
    expect([a1.granted, a3.granted, b1.granted]).toEqual([true, true, false]);
    expect(l.release(a3)).toEqual([b1, b2]);
    expect([b1.granted, b2.granted]).toEqual([true, true]);
    expect(l.hasWaiters()).toBe(false);
    // now in state X: an S request waits, another X shares
    const a4 = req('S', 0, 1, 6);
    const b3 = req('X', 0, 1, 7);
    const a5 = req('S', 0, 1, 8);
    expect(l.acquire(a4)).toBe(false);
    expect(l.acquire(b3)).toBe(true);
    expect(l.acquire(a5)).toBe(false);
    l.release(b1);
    l.release(b2);
    expect(l.release(b3)).toEqual([a4, a5]);
    expect(() => l.release(b3)).toThrow('two-state lock released by a request that does not hold it');
  });

  it('at zero the waiters of the first waiter\'s state are granted; the others keep waiting', () => {
    const l = new TwoStateLock();
    const x = req('X');
    l.acquire(x);
    const s1 = req('S');
    const s2 = req('S');
    l.acquire(s1);
    l.acquire(s2);
    const l2 = new TwoStateLock();
    const h = req('S');
    l2.acquire(h);
    const w1 = req('X');
    const w2 = req('X');
    l2.acquire(w1);
    l2.acquire(w2);
    expect(l.release(x)).toEqual([s1, s2]);
    expect(l2.release(h)).toEqual([w1, w2]);
    // mixed waiters: held in X, waiting S then X... impossible (X would share); held S, waiting X then S is also impossible.
    // mixed waiters do arise once the state flips: S waits while X holds, then X holders leave with an X waiter queued after a flip
    const l3 = new TwoStateLock();
    const hx = req('X');
    l3.acquire(hx);
    const ws = req('S');
    l3.acquire(ws);
    expect(l3.release(hx)).toEqual([ws]);
    const wx = req('X');
    expect(l3.acquire(wx)).toBe(false);
    const ws2 = req('S');
    expect(l3.acquire(ws2)).toBe(true);
    l3.release(ws);
    expect(l3.release(ws2)).toEqual([wx]);
    expect(l3.hasWaiters()).toBe(false);
  });
});
