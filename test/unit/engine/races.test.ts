import { describe, expect, it } from 'vitest';
import { findRaces, inActivationOrder } from '../../../src/engine/races.js';
import type { OpOutcomes } from '../../../src/engine/simulator.js';
import type { Op, OpKind } from '../../../src/model/op.js';
import { chance } from '../chance.js';

interface In { pid: number; kind: OpKind; off: number; len: number; from: number; to: number; file?: string; active?: boolean; done?: boolean; workEnd?: boolean }
/** ops with sections [from, to) given directly (activeNs/workEndNs, or start/end when not active) */
function build(list: In[]): { ops: Op[]; o: OpOutcomes } {
  const n = list.length;
  const ops: Op[] = list.map((x, id) => ({ id, tsNs: x.from, pid: x.pid, proc: `p${x.pid}`, comm: `c${x.pid}`, file: x.file ?? 'F', kind: x.kind, offset: x.off, lengthBytes: x.len, line: id + 1 }));
  const o: OpOutcomes = {
    intendedNs: new Float64Array(n), startNs: new Float64Array(n), endNs: new Float64Array(n), lockWaitNs: new Float64Array(n), cpuWaitNs: new Float64Array(n),
    activeNs: new Float64Array(n).fill(-1), workEndNs: new Float64Array(n).fill(-1), activeOrder: new Int32Array(n), activeCount: 0, done: new Uint8Array(n),
  };
  list.forEach((x, i) => {
    o.startNs[i] = x.from;
    o.endNs[i] = x.to;
    o.done[i] = x.done === false ? 0 : 1;
    if (x.active !== false) o.activeNs[i] = x.from;
    if (x.workEnd !== false) o.workEndNs[i] = x.to;
  });
  const order = list.map((_, i) => i).filter((i) => o.activeNs[i] >= 0).sort((a, b) => o.activeNs[a] - o.activeNs[b] || a - b);
  order.forEach((i, k) => (o.activeOrder[k] = i));
  o.activeCount = order.length;
  return { ops, o };
}

describe('findRaces', () => {
  it('a read overlapping a truncate in time and bytes, from another task, is a stale-instantiation data race', () => {
    const { ops, o } = build([
      { pid: 1, kind: 'read', off: 8192, len: 4096, from: 0, to: 100 },
      { pid: 2, kind: 'truncate', off: 4096, len: 0, from: 50, to: 150 },
    ]);
    const r = findRaces(ops, o);
    expect(r.count).toBe(1);
    expect(r.ordering).toBe(0);
    expect(r.byClass).toEqual([{
      class: 'stale-instantiation', severity: 'data', consequence: 'a page instantiated in a range being removed: stale data survives the removal', count: 1,
      first: [{
        file: 'F', class: 'stale-instantiation', consequence: 'a page instantiated in a range being removed: stale data survives the removal',
        a: { opId: 0, pid: 1, comm: 'c1', kind: 'read', start: 8192, end: 12288, fromNs: 0, toNs: 100 },
        b: { opId: 1, pid: 2, comm: 'c2', kind: 'truncate', start: 4096, end: null, fromNs: 50, toNs: 150 },
      }],
    }]);
  });

  it('no race: same task, disjoint bytes, sections that only touch, another file, kinds that do not conflict, ops not done', () => {
    const base = { kind: 'read' as OpKind, off: 0, len: 4096 };
    const cases: In[][] = [
      [{ pid: 1, ...base, from: 0, to: 100 }, { pid: 1, kind: 'punch', off: 0, len: 4096, from: 50, to: 150 }],
      [{ pid: 1, ...base, from: 0, to: 100 }, { pid: 2, kind: 'punch', off: 4096, len: 4096, from: 50, to: 150 }],
      [{ pid: 1, ...base, from: 0, to: 100 }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 100, to: 150 }],
      [{ pid: 1, ...base, from: 0, to: 100 }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 50, to: 150, file: 'G' }],
      [{ pid: 1, ...base, from: 0, to: 100 }, { pid: 2, kind: 'write', off: 0, len: 4096, from: 50, to: 150 }],
      [{ pid: 1, ...base, from: 0, to: 100 }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 50, to: 150, done: false }],
      [{ pid: 1, ...base, from: 0, to: 100, done: false }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 50, to: 150 }],
      [{ pid: 1, kind: 'fsync', off: 0, len: 4096, from: 0, to: 100 }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 50, to: 150 }],
      [{ pid: 1, kind: 'fallocate', off: 0, len: 4096, from: 0, to: 100 }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 50, to: 150 }],
      // an empty section (from = to) is no section
      [{ pid: 1, ...base, from: 60, to: 60 }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 50, to: 150 }],
    ];
    for (const c of cases) {
      const { ops, o } = build(c);
      expect(findRaces(ops, o), JSON.stringify(c)).toEqual({ count: 0, ordering: 0, byClass: [] });
    }
  });

  it('byte ranges for races: truncate/collapse/insert to EOF, an empty punch/zero/writeback range is the whole file, another empty range its first byte', () => {
    const pair = (a: In, b: In): number => {
      const { ops, o } = build([a, b]);
      return findRaces(ops, o).count;
    };
    const reader = (off: number, len = 4096): In => ({ pid: 1, kind: 'read', off, len, from: 0, to: 100 });
    for (const kind of ['collapse-range', 'insert-range', 'truncate'] as const) {
      expect(pair(reader(1 << 30), { pid: 2, kind, off: 4096, len: 10, from: 50, to: 150 }), kind).toBe(1);
      expect(pair(reader(0), { pid: 2, kind, off: 4096, len: 10, from: 50, to: 150 }), kind).toBe(0);
    }
    for (const kind of ['punch', 'zero-range'] as const) {
      expect(pair(reader(1 << 30), { pid: 2, kind, off: 4096, len: 0, from: 50, to: 150 }), kind).toBe(1);
      expect(pair(reader(0), { pid: 2, kind, off: 4096, len: 0, from: 50, to: 150 }), kind).toBe(1);
      expect(pair(reader(1 << 30), { pid: 2, kind, off: 4096, len: 10, from: 50, to: 150 }), kind).toBe(0);
    }
    // a zero-length read is its first byte: [off, off + 1)
    expect(pair(reader(4096, 0), { pid: 2, kind: 'punch', off: 4096, len: 1, from: 50, to: 150 })).toBe(1);
    expect(pair(reader(4095, 0), { pid: 2, kind: 'punch', off: 4096, len: 1, from: 50, to: 150 })).toBe(0);
    expect(pair(reader(4097, 0), { pid: 2, kind: 'punch', off: 4096, len: 1, from: 50, to: 150 })).toBe(0);
    // byte ranges are half-open
    expect(pair(reader(0, 4096), { pid: 2, kind: 'punch', off: 4096, len: 4096, from: 50, to: 150 })).toBe(0);
    expect(pair(reader(0, 4097), { pid: 2, kind: 'punch', off: 4096, len: 4096, from: 50, to: 150 })).toBe(1);
    expect(pair({ ...reader(4096, 4096), from: 0, to: 100 }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 50, to: 150 })).toBe(0);
    expect(pair({ ...reader(4095, 4096), from: 0, to: 100 }, { pid: 2, kind: 'punch', off: 0, len: 4096, from: 50, to: 150 })).toBe(1);
    // mmap and munmap touch no bytes
    expect(pair(reader(0), { pid: 2, kind: 'mmap', off: 0, len: 4096, from: 50, to: 150 })).toBe(0);
  });

  it('ordering overlaps (two writes) are counted apart from races', () => {
    const { ops, o } = build([
      { pid: 1, kind: 'write', off: 0, len: 4096, from: 0, to: 100 },
      { pid: 2, kind: 'write', off: 0, len: 4096, from: 10, to: 20 },
      { pid: 3, kind: 'dio-write', off: 0, len: 4096, from: 30, to: 40 },
    ]);
    const r = findRaces(ops, o);
    expect(r.count).toBe(1);
    expect(r.ordering).toBe(1);
    expect(r.byClass.map((c) => [c.class, c.severity, c.count])).toEqual([['dio-lost-update', 'data', 1], ['torn-write', 'ordering', 1]]);
  });

  it('lists the first `listed` overlaps of a class by the later side\'s start, then the earlier op, then the later', () => {
    // one long truncate, five readers starting at 50, 10, 40, 10, 30
    const list: In[] = [{ pid: 9, kind: 'truncate', off: 0, len: 0, from: 0, to: 1000 }];
    for (const [i, from] of [50, 10, 40, 10, 30].entries()) list.push({ pid: i + 1, kind: 'read', off: 0, len: 10, from, to: from + 5 });
    const { ops, o } = build(list);
    const r = findRaces(ops, o, 3);
    expect(r.count).toBe(5);
    const pairs = (k: number) => r.byClass[0].first.slice(0, k).map((x) => [x.a.opId, x.b.opId, x.b.fromNs]);
    expect(pairs(3)).toEqual([[0, 2, 10], [0, 4, 10], [0, 5, 30]]);
    expect(findRaces(ops, o, 0).byClass[0].first).toEqual([]);
    expect(findRaces(ops, o, 0).byClass[0].count).toBe(5);
    expect(findRaces(ops, o, 1).byClass[0].first.map((x) => x.b.opId)).toEqual([2]);
    expect(findRaces(ops, o, 10).byClass[0].first.map((x) => x.b.opId)).toEqual([2, 4, 5, 3, 1]);
    // default: 3
    expect(findRaces(ops, o).byClass[0].first).toHaveLength(3);
  });

  it('ties on the later side\'s start are listed by the earlier op, then the later', () => {
    const { ops, o } = build([
      { pid: 1, kind: 'punch', off: 0, len: 100, from: 0, to: 100 },
      { pid: 2, kind: 'punch', off: 0, len: 100, from: 0, to: 100 },
      { pid: 3, kind: 'read', off: 0, len: 10, from: 20, to: 30 },
      { pid: 4, kind: 'read', off: 0, len: 10, from: 20, to: 30 },
    ]);
    const r = findRaces(ops, o, 10);
    expect(r.byClass[0].first.map((x) => [x.a.opId, x.b.opId])).toEqual([[0, 2], [0, 3], [1, 2], [1, 3]]);
    const two = findRaces(ops, o, 2);
    expect(two.byClass[0].first.map((x) => [x.a.opId, x.b.opId])).toEqual([[0, 2], [0, 3]]);
  });

  it('a section is [activeNs, workEndNs), falling back to [startNs, endNs) for an op that never worked', () => {
    // (each check writes the sections over the outcomes: every case builds its own)
    const withPunchFrom = (startNs: number) => {
      const built = build([
        { pid: 1, kind: 'read', off: 0, len: 10, from: 0, to: 100 },
        { pid: 2, kind: 'punch', off: 0, len: 10, from: 50, to: 150, active: false, workEnd: false },
      ]);
      built.o.startNs[1] = startNs;
      return built;
    };
    // the punch's section starts at its startNs 50 and ends at its endNs
    let { ops, o } = withPunchFrom(50);
    expect(findRaces(ops, o).count).toBe(1);
    ({ ops, o } = withPunchFrom(100));
    expect(findRaces(ops, o).count).toBe(0);
    ({ ops, o } = withPunchFrom(99));
    const r = findRaces(ops, o);
    expect(r.byClass[0].first[0].b).toMatchObject({ fromNs: 99, toNs: 150 });
    // activeNs wins over startNs when set
    ({ ops, o } = withPunchFrom(99));
    o.activeNs[1] = 120;
    o.workEndNs[1] = 150;
    o.activeOrder[1] = 1;
    o.activeCount = 2;
    expect(findRaces(ops, o).count).toBe(0);
  });

  it('many open sections on one file (past the pruning threshold) are all compared', () => {
    const list: In[] = [];
    // 100 readers of task 1 one after the other, each 10 ns; then a punch from task 2 over [0, 10) at 995
    for (let i = 0; i < 100; i++) list.push({ pid: 1, kind: 'read', off: 0, len: 10, from: i * 10, to: i * 10 + 10 });
    list.push({ pid: 2, kind: 'punch', off: 0, len: 10, from: 995, to: 2000 });
    const { ops, o } = build(list);
    const r = findRaces(ops, o, 5);
    expect(r.count).toBe(1);
    expect(r.byClass[0].first[0].a.opId).toBe(99);
    // 100 long reads all open at once, and the punch overlaps every one
    const open: In[] = [];
    for (let i = 0; i < 100; i++) open.push({ pid: 1, kind: 'read', off: 0, len: 10, from: i, to: 5000 });
    open.push({ pid: 2, kind: 'punch', off: 0, len: 10, from: 995, to: 2000 });
    const b = build(open);
    expect(findRaces(b.ops, b.o).count).toBe(100);
  });

  it('files are swept apart, in the order first seen; the report keeps the conflict matrix order', () => {
    const { ops, o } = build([
      { pid: 1, kind: 'write', off: 0, len: 10, from: 0, to: 100, file: 'B' },
      { pid: 2, kind: 'punch', off: 0, len: 10, from: 10, to: 100, file: 'B' },
      { pid: 1, kind: 'read', off: 0, len: 10, from: 0, to: 100, file: 'A' },
      { pid: 2, kind: 'punch', off: 0, len: 10, from: 20, to: 100, file: 'A' },
    ]);
    const r = findRaces(ops, o);
    expect(r.byClass.map((c) => [c.class, c.count, c.first[0].file])).toEqual([['stale-instantiation', 1, 'A'], ['write-into-removal', 1, 'B']]);
  });
});

describe('findRaces: more orders and sections', () => {
  it('the first listed of a class come in time order across files (a later file\'s earlier race first)', () => {
    const { ops, o } = build([
      { pid: 1, kind: 'read', off: 0, len: 10, from: 0, to: 100, file: 'A' },
      { pid: 2, kind: 'punch', off: 0, len: 10, from: 50, to: 100, file: 'A' },
      { pid: 1, kind: 'read', off: 0, len: 10, from: 0, to: 100, file: 'B' },
      { pid: 2, kind: 'punch', off: 0, len: 10, from: 10, to: 100, file: 'B' },
    ]);
    const r = findRaces(ops, o, 2);
    expect(r.byClass[0].first.map((x) => [x.file, x.b.fromNs])).toEqual([['B', 10], ['A', 50]]);
    expect(findRaces(ops, o, 1).byClass[0].first.map((x) => x.file)).toEqual(['B']);
  });

  it('ops that never worked race by [startNs, endNs) (sorted, not taken in activation order)', () => {
    const { ops, o } = build([
      { pid: 1, kind: 'read', off: 0, len: 10, from: 0, to: 100, active: false, workEnd: false },
      { pid: 2, kind: 'punch', off: 0, len: 10, from: 50, to: 150, active: false, workEnd: false },
    ]);
    expect(o.activeCount).toBe(0);
    expect(findRaces(ops, o).count).toBe(1);
    // the check writes their sections over activeNs and workEndNs, and a second check agrees
    expect([...o.activeNs]).toEqual([...o.startNs]);
    expect([...o.workEndNs]).toEqual([...o.endNs]);
    expect(findRaces(ops, o)).toEqual(findRaces(ops, o));
    expect(findRaces(ops, o).count).toBe(1);
  });

  it('ops that never worked among ops that did: every candidate is swept once (the activation order misses some, so all are sorted)', () => {
    // three overlapping writes of three tasks; the first never did work (its section is its start to end)
    const { ops, o } = build([
      { pid: 1, kind: 'write', off: 0, len: 10, from: 0, to: 100, active: false, workEnd: false },
      { pid: 2, kind: 'write', off: 0, len: 10, from: 20, to: 120 },
      { pid: 3, kind: 'write', off: 0, len: 10, from: 10, to: 110 },
    ]);
    expect([...o.activeOrder.subarray(0, o.activeCount)]).toEqual([2, 1]);
    const r = findRaces(ops, o, 5);
    expect([r.count, r.ordering]).toEqual([0, 3]);
    expect(r.byClass[0]).toMatchObject({ class: 'torn-write', count: 3 });
    expect(r.byClass[0].first.map((x) => [x.a.opId, x.b.opId])).toEqual([[0, 2], [0, 1], [2, 1]]);
  });

  it('a section ends at the end of the work: the release cost after it is outside', () => {
    const { ops, o } = build([
      { pid: 1, kind: 'read', off: 0, len: 10, from: 0, to: 100 },
      { pid: 2, kind: 'punch', off: 0, len: 10, from: 120, to: 150 },
    ]);
    o.endNs[0] = 130;
    expect(findRaces(ops, o).count).toBe(0);
    o.workEndNs[0] = 121;
    expect(findRaces(ops, o).count).toBe(1);
  });

  it('an op that did not complete is no side of a race, even on a file with other conflicting kinds', () => {
    const { ops, o } = build([
      { pid: 1, kind: 'read', off: 0, len: 10, from: 0, to: 100 },
      { pid: 2, kind: 'punch', off: 0, len: 10, from: 200, to: 300 },
      { pid: 3, kind: 'punch', off: 0, len: 10, from: 50, to: 150, done: false },
    ]);
    expect(findRaces(ops, o).count).toBe(0);
  });
});

describe('inActivationOrder', () => {
  it('reads only the first activeCount entries of the activation order', () => {
    const out = new Int32Array(2);
    inActivationOrder(out, { activeOrder: Int32Array.from([2, 0, 0]), activeCount: 2 }, Uint8Array.from([1, 0, 1]), Float64Array.from([5, 0, 1]));
    expect([...out]).toEqual([2, 0]);
  });

  it('keeps the candidates in activation order and sorts runs of equal starts by index', () => {
    const out = new Int32Array(4);
    const candidate = Uint8Array.from([1, 1, 1, 1, 0]);
    const from = Float64Array.from([5, 5, 1, 5, 0]);
    inActivationOrder(out, { activeOrder: Int32Array.from([2, 4, 3, 1, 0]), activeCount: 5 }, candidate, from);
    expect([...out]).toEqual([2, 0, 1, 3]);
  });

  it('says so when the candidates are not all in the activation order, and leaves the list it was given as it was', () => {
    const given = Int32Array.from([0, 1]);
    expect(inActivationOrder(given, { activeOrder: Int32Array.from([1]), activeCount: 1 }, Uint8Array.from([1, 1]), new Float64Array(2))).toBe(false);
    expect([...given]).toEqual([0, 1]);
    expect(inActivationOrder(new Int32Array(2), { activeOrder: Int32Array.from([1, 0]), activeCount: 2 }, Uint8Array.from([1, 1]), Float64Array.from([3, 2]))).toBe(true);
  });
});

describe('findRaces: open sections indexed by byte range', () => {
  it('finds the same races, counts and listed examples whether a kind\'s open sections are scanned or indexed (random ops on two files)', async () => {
    const fc = (await import('fast-check')).default;
    const kinds: OpKind[] = ['read', 'write', 'punch', 'truncate', 'fault-read', 'fault-write', 'dio-write', 'writeback', 'mmap', 'zero-range'];
    const one = fc.record({
      pid: fc.integer({ min: 1, max: 4 }),
      kind: fc.constantFrom(...kinds),
      off: fc.integer({ min: 0, max: 60 }),
      len: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(0)),
      from: fc.integer({ min: 0, max: 200 }),
      dur: fc.integer({ min: 0, max: 80 }),
      file: fc.constantFrom('F', 'G'),
      active: chance(0.9),
      done: chance(0.95),
    });
    fc.assert(fc.property(fc.array(one, { maxLength: 90 }), fc.integer({ min: 0, max: 5 }), (list, listed) => {
      const input: In[] = list.map((x) => ({ pid: x.pid, kind: x.kind, off: x.off, len: x.len, from: x.from, to: x.from + x.dur, file: x.file, active: x.active, done: x.done }));
      const scanned = build(input);
      const expected = findRaces(scanned.ops, scanned.o, listed, undefined, undefined, Infinity);
      for (const above of [0, 1, 3]) {
        const b = build(input);
        expect(findRaces(b.ops, b.o, listed, undefined, undefined, above)).toEqual(expected);
      }
    }), { numRuns: 300 });
  });

  it('thousands of writes open at once on one file, each on its own bytes, one overlapping pair: found by the index', () => {
    const list: In[] = [];
    for (let i = 0; i < 5000; i++) list.push({ pid: i + 1, kind: 'write', off: i * 4096, len: 4096, from: i, to: 10_000 + i });
    // a punch of task 1's page from another task, while every write is open
    list.push({ pid: 9999, kind: 'punch', off: 0, len: 4096, from: 6000, to: 6001 });
    const { ops, o } = build(list);
    const r = findRaces(ops, o, 3);
    expect(r.count).toBe(1);
    expect(r.byClass.find((c) => c.severity === 'data')?.first[0].a.opId).toBe(0);
  });
});
