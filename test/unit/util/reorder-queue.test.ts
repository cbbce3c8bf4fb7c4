/** The release queue: (key, seq) order whatever the arrival order, tags kept with their records, slots reused. */
import { describe, expect, it } from 'vitest';
import { ReorderQueue } from '../../../src/util/reorder-queue.js';

describe('ReorderQueue', () => {
  it('releases in (key, seq) order with each record its tag, across many compactions', () => {
    const q = new ReorderQueue<{ key: number; seq: number }>();
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const out: { key: number; seq: number; tag: number }[] = [];
    let seq = 0;
    let minKey = 0;
    for (let round = 0; round < 200; round++) {
      // records arrive a little out of order (keys up to 50 behind the newest)
      for (let k = 0; k < 100; k++) {
        const key = minKey + rand(50);
        const s = seq++;
        q.push(key, s, { key, seq: s }, s % 3 === 0 ? -1 : s % 7);
      }
      minKey += 40;
      while (q.size > 0 && q.peekKey() < minKey) {
        const r = q.shift()!;
        out.push({ ...r, tag: q.shiftedTag });
      }
    }
    while (q.size > 0) {
      const r = q.shift()!;
      out.push({ ...r, tag: q.shiftedTag });
    }
    expect(out).toHaveLength(20_000);
    for (let k = 1; k < out.length; k++) {
      const a = out[k - 1], b = out[k];
      expect(a.key < b.key || (a.key === b.key && a.seq < b.seq)).toBe(true);
    }
    for (const r of out) expect(r.tag).toBe(r.seq % 3 === 0 ? -1 : r.seq % 7);
    expect(q.shift()).toBeUndefined();
    expect(q.peekKey()).toBe(Infinity);
  });

  it('an insert before every held record, and a queue emptied and refilled', () => {
    const q = new ReorderQueue<string>();
    q.push(5, 1, 'b');
    q.push(5, 2, 'c');
    q.push(1, 3, 'a', 9);
    expect([q.shift(), q.shiftedTag, q.shift(), q.shift(), q.size]).toEqual(['a', 9, 'b', 'c', 0]);
    q.push(2, 4, 'd');
    expect([q.size, q.peekKey(), q.shift()]).toEqual([1, 2, 'd']);
  });
});
