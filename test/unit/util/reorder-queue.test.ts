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

  it('records placed far back (before most held, as a record given up), in the middle and at the tail, with releases between: (key, seq) order', () => {
    const q = new ReorderQueue<number>();
    let seed = 11;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const held: { key: number; seq: number }[] = [];
    const out: number[] = [];
    const expected: number[] = [];
    let seq = 0;
    let tagsWrong = 0;
    for (let round = 0; round < 150; round++) {
      for (let k = 0; k < 60; k++) {
        // (the oldest held as of the last round)
        const oldest = held.length > 0 ? held[0].key : 0;
        const where = rand(4);
        // (keys repeat: ties are put in seq order)
        const key = where === 0 ? Math.max(0, oldest - rand(3)) : where === 1 ? oldest + rand(400) : 1_000 + round * 10 + rand(5);
        q.push(key, seq, seq, seq % 5);
        held.push({ key, seq });
        seq++;
      }
      held.sort((a, b) => a.key - b.key || a.seq - b.seq);
      // release a few from the front (the slots there are reused by the next far-back records)
      for (let k = rand(70); k > 0 && held.length > 0; k--) {
        expected.push(held.shift()!.seq);
        out.push(q.shift()!);
        if (q.shiftedTag !== out.at(-1)! % 5) tagsWrong++;
      }
    }
    while (held.length > 0) {
      expected.push(held.shift()!.seq);
      out.push(q.shift()!);
    }
    expect(out).toEqual(expected);
    expect(tagsWrong).toBe(0);
    expect(q.size).toBe(0);
  });
});
