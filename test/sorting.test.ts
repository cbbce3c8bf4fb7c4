import { describe, expect, it } from 'vitest';
import { sortIndicesByKey, sortIndicesByKeyComparator } from '../src/util/radix-sort.js';
import { selectKth } from '../src/util/select.js';
import fc from 'fast-check';
import { inActivationOrder } from '../src/engine/races.js';
import { calibrate, lowerQuartile, sizeClassNum } from '../src/engine/service-model.js';
import { loadForReplay } from '../src/replay/index.js';
import { type Op, OP_KINDS } from '../src/model/op.js';
import { trace } from './helpers.js';

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
    expect(inActivationOrder(out, { activeOrder, activeCount: n }, candidate, from)).toBe(true);
    const reference = candidates.slice();
    sortIndicesByKeyComparator(reference, from);
    expect(Array.from(out)).toEqual(Array.from(reference));
    // an activation list that misses a candidate is refused (the caller sorts), not silently mis-ordered
    expect(inActivationOrder(new Int32Array(candidates.length), { activeOrder, activeCount: n - 50 }, candidate, from)).toBe(false);
  });
});

describe('lower quartile by selection against a sort', () => {
  it('finds the element a sort puts at floor((n - 1) / 4), for every length up to 300 and heavy duplicates', () => {
    const rnd = lcg(7);
    for (let n = 1; n <= 300; n++) {
      for (const distinct of [1, 3, 1000]) {
        const values = Float64Array.from({ length: n }, () => 1 + Math.floor(rnd() * distinct) * 250.5);
        const sorted = values.slice().sort();
        const padded = new Float64Array(n + 4).fill(-1);
        padded.set(values, 2);
        expect(lowerQuartile(padded, 2, n + 2)).toBe(sorted[Math.floor((n - 1) / 4)]);
        // only the range was reordered, and it holds the same values
        expect([padded[0], padded[1], padded[n + 2], padded[n + 3]]).toEqual([-1, -1, -1, -1]);
        expect(padded.slice(2, n + 2).sort()).toEqual(sorted);
      }
    }
  });

  it('already sorted and reversed inputs', () => {
    const up = Float64Array.from({ length: 10_001 }, (_, i) => i);
    expect(lowerQuartile(up.slice(), 0, up.length)).toBe(2500);
    expect(lowerQuartile(up.slice().reverse(), 0, up.length)).toBe(2500);
  });

  it('an empty range has no quartile', () => {
    expect(lowerQuartile(new Float64Array([3, 1, 2]), 1, 1)).toBeNaN();
  });

  it('calibrates every op kind (more kinds than the first bucket array holds) as the sort does, without NaN durations', () => {
    const rnd = lcg(3);
    const ops: Op[] = [];
    for (let i = 0; i < 4000; i++) {
      const kind = OP_KINDS[i % OP_KINDS.length];
      const op: Op = { id: i, tsNs: i * 1000, pid: 1 + (i % 5), proc: '1', comm: 'c', file: '7:0:1', kind, offset: 0, lengthBytes: 4096 * (1 + Math.floor(rnd() * 40)), line: i + 1 };
      op.durNs = i % 97 === 0 ? NaN : 1000 + Math.floor(rnd() * 50_000);
      ops.push(op);
    }
    const model = calibrate(ops, 4096);
    expect(Object.keys(model.byKind).length).toBe(OP_KINDS.length);
    expect(model).toEqual(calibrateBySort(ops.map((o) => (Number.isNaN(o.durNs) ? { ...o, durNs: undefined } : o)), 4096));
  });

  it('puts ops of 2^32 pages and more (a punch of 2^63 bytes) in the top size classes instead of failing', () => {
    expect(sizeClassNum(2 ** 63, 4096)).toBe(51);
    expect(sizeClassNum(2 ** 44, 4096)).toBe(32);
    expect(sizeClassNum(Infinity, 4096)).toBe(53);
    expect(sizeClassNum(4096 * (2 ** 31 - 1), 4096)).toBe(30);
    expect(sizeClassNum(4096 * 2 ** 31, 4096)).toBe(31);
    const base: Op = { id: 0, tsNs: 0, pid: 1, proc: '1', comm: 'c', file: '7:0:1', kind: 'punch', offset: 0, lengthBytes: 2 ** 63, line: 1, durNs: 900_000 };
    const model = calibrate([base, { ...base, id: 1, kind: 'write', lengthBytes: 4096, durNs: 5000 }], 4096);
    expect(model.byKindAndSize).toEqual({ punch: { '51': 900_000 }, write: { '0': 5000 } });
    expect(model.byKind).toEqual({ punch: 900_000, write: 5000 });
  });

  it('calibrates the same service model as sorting each (kind, size class) sample list, on a real trace', async () => {
    const { ops } = await loadForReplay(trace('xfs-mix.trace.gz'));
    expect(ops.filter((o) => o.durNs !== undefined && o.durNs > 0).length).toBeGreaterThan(1000);
    expect(calibrate(ops, 4096)).toEqual(calibrateBySort(ops, 4096));
  });
});

/** The service model as first written: every sample list sorted (the reference for the selection). */
function calibrateBySort(ops: readonly Op[], pageSizeBytes: number): ReturnType<typeof calibrate> {
  const q = (xs: number[]): number => Float64Array.from(xs).sort()[Math.floor((xs.length - 1) / 4)];
  const samples = new Map<string, number[][]>();
  for (const op of ops) {
    const d = op.durNs;
    if (d === undefined || d <= 0 || op.parent !== undefined) continue;
    const pages = op.lengthBytes <= pageSizeBytes ? 1 : Math.ceil(op.lengthBytes / pageSizeBytes);
    const cls = 31 - Math.clz32(pages);
    let perKind = samples.get(op.kind);
    if (perKind === undefined) samples.set(op.kind, (perKind = []));
    while (perKind.length <= cls) perKind.push([]);
    perKind[cls].push(d);
  }
  const byKindAndSize: Record<string, Record<string, number>> = {};
  const byKind: Record<string, number> = {};
  for (const kind of [...samples.keys()].sort()) {
    const row: Record<string, number> = {};
    const all: number[] = [];
    (samples.get(kind) as number[][]).forEach((list, cls) => {
      if (list.length === 0) return;
      row[String(cls)] = q(list);
      all.push(...list);
    });
    byKindAndSize[kind] = row;
    byKind[kind] = q(all);
  }
  return { byKindAndSize, byKind, defaultBaseNs: 5_000, defaultPerPageNs: 1_000 };
}

describe('selectKth (selection) against the sort', () => {
  it('every rank of arrays with many ties, runs, sorted and reversed input, Infinity', () => {
    const rnd = lcg(11);
    const shapes: Float64Array[] = [
      Float64Array.of(5),
      Float64Array.of(2, 1),
      new Float64Array(300).fill(7),
      Float64Array.from({ length: 500 }, (_, i) => i),
      Float64Array.from({ length: 500 }, (_, i) => 500 - i),
      Float64Array.from({ length: 1000 }, () => Math.floor(rnd() * 5)),
      Float64Array.from({ length: 1000 }, () => (rnd() < 0.1 ? Infinity : rnd() * 1e9)),
    ];
    for (const a of shapes) {
      const sorted = a.slice().sort();
      for (let k = 0; k < a.length; k += Math.max(1, Math.floor(a.length / 97))) expect(selectKth(a.slice(), 0, a.length, k)).toBe(sorted[k]);
      expect(selectKth(a.slice(), 0, a.length, a.length - 1)).toBe(sorted[a.length - 1]);
      // a part of the array: the rest is left alone
      if (a.length >= 10) {
        const b = a.slice();
        const part = a.slice(3, a.length - 2).sort();
        expect(selectKth(b, 3, a.length - 2, 3 + (part.length >> 1))).toBe(part[part.length >> 1]);
        expect([b[0], b[1], b[2], b[a.length - 2], b[a.length - 1]]).toEqual([a[0], a[1], a[2], a[a.length - 2], a[a.length - 1]]);
      }
    }
    expect(() => selectKth(Float64Array.of(1), 0, 1, 1)).toThrow(RangeError);
    expect(() => selectKth(Float64Array.of(1, 2, 3), 1, 3, 0)).toThrow(RangeError);
  });

  it('property: the value the sort has at rank k, for any array and rank', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -1e15, max: 1e15 }), { minLength: 1, maxLength: 200 }), fc.nat(), (xs, r) => {
      const a = Float64Array.from(xs);
      const k = r % a.length;
      const want = a.slice().sort()[k];
      const got = selectKth(a, 0, a.length, k);
      // (-0 and +0 are one value here)
      return got === want;
    }), { numRuns: 500, seed: 4242 });
  });
});
