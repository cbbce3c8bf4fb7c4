import { describe, expect, it } from 'vitest';
import { sortIndicesByKey, sortIndicesByKeyComparator } from '../src/util/radix-sort.js';
import { inActivationOrder } from '../src/engine/races.js';

/** a deterministic pseudo-random sequence in [0, 1) */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function both(keys: Float64Array, indices: Int32Array): [Int32Array, Int32Array] {
  const a = indices.slice();
  const b = indices.slice();
  sortIndicesByKey(a, keys);
  sortIndicesByKeyComparator(b, keys);
  return [a, b];
}

describe('sortIndicesByKey (radix) against the comparator sort', () => {
  it('orders by key, ties by input position, on integer ns with many ties, fractions, zeros and Infinity', () => {
    const rnd = lcg(7);
    const n = 50_000;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      keys[i] = r < 0.1 ? 0 : r < 0.2 ? Infinity : r < 0.5 ? Math.floor(rnd() * 1000) : r < 0.7 ? rnd() * 1e12 : Math.floor(rnd() * 2 ** 40);
    }
    keys[3] = -0;
    const indices = Int32Array.from({ length: n }, (_, i) => i);
    const [radix, reference] = both(keys, indices);
    expect(Array.from(radix)).toEqual(Array.from(reference));
    for (let j = 1; j < n; j++) {
      const x = keys[radix[j - 1]];
      const y = keys[radix[j]];
      expect(x < y || (x === y && radix[j - 1] < radix[j]) || (x === Infinity && y === Infinity && radix[j - 1] < radix[j])).toBe(true);
    }
  });

  it('keeps the input order of equal keys for a subset of indices in any order', () => {
    const rnd = lcg(3);
    const keys = Float64Array.from({ length: 5000 }, () => Math.floor(rnd() * 50));
    // 3000 distinct indices, shuffled
    const all = Array.from({ length: 5000 }, (_, i) => i);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    const indices = Int32Array.from(all.slice(0, 3000));
    const [radix, reference] = both(keys, indices);
    expect(Array.from(radix)).toEqual(Array.from(reference));
  });

  it('falls back to the comparator for negative keys and still sorts', () => {
    const keys = Float64Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) - 500);
    const indices = Int32Array.from({ length: 1000 }, (_, i) => i);
    const [radix, reference] = both(keys, indices);
    expect(Array.from(radix)).toEqual(Array.from(reference));
    expect(keys[radix[0]]).toBe(-500);
  });
});

describe('race candidates in activation order', () => {
  it('gives the order of the sort by (start, index) when ops became active in start order, ties in any order', () => {
    const rnd = lcg(11);
    const n = 20_000;
    // start times with many ties (the simulation activates several ops at one instant)
    const from = Float64Array.from({ length: n }, () => Math.floor(rnd() * 3000) * 1000);
    // activation order: by start time, ties in a shuffled order
    const shuffled = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const activeOrder = Int32Array.from(shuffled.sort((a, b) => from[a] - from[b]));
    // a subset of the active ops are race candidates
    const candidate = Uint8Array.from({ length: n }, () => (rnd() < 0.6 ? 1 : 0));
    const candidates = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => candidate[i] === 1));
    const out = new Int32Array(candidates.length);
    inActivationOrder(out, { activeOrder, activeCount: n }, candidate, from);
    const reference = candidates.slice();
    sortIndicesByKeyComparator(reference, from);
    expect(Array.from(out)).toEqual(Array.from(reference));
    // an activation list that misses a candidate is refused, not silently mis-ordered
    expect(() => inActivationOrder(new Int32Array(candidates.length), { activeOrder, activeCount: n - 50 }, candidate, from)).toThrow(/candidates/);
  });
});
