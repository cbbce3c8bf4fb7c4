import { describe, expect, it } from 'vitest';
import { calibrate, lowerQuartile, MAX_MODELLED_NS, modelNs, serviceTimes, sizeClassNum } from '../../../src/engine/service-model.js';
import type { Op, OpKind } from '../../../src/model/op.js';

const P = 4096;
let id = 0;
function op(kind: OpKind, lengthBytes: number, durNs?: number, parent?: number): Op {
  return { id: id++, tsNs: 0, pid: 1, proc: 'p', comm: 'c', file: 'f', kind, offset: 0, lengthBytes, line: 1, ...(durNs !== undefined ? { durNs } : {}), ...(parent !== undefined ? { parent } : {}) };
}

describe('sizeClassNum', () => {
  it('is floor(log2(pages)), one page or less being class 0', () => {
    expect(sizeClassNum(0, P)).toBe(0);
    expect(sizeClassNum(1, P)).toBe(0);
    expect(sizeClassNum(P, P)).toBe(0);
    expect(sizeClassNum(P + 1, P)).toBe(1);
    expect(sizeClassNum(2 * P, P)).toBe(1);
    expect(sizeClassNum(3 * P, P)).toBe(1);
    expect(sizeClassNum(4 * P, P)).toBe(2);
    expect(sizeClassNum(4 * P + 1, P)).toBe(2);
    expect(sizeClassNum(5 * P, P)).toBe(2);
    expect(sizeClassNum(8 * P, P)).toBe(3);
    expect(sizeClassNum((2 ** 31 - 1) * P, P)).toBe(30);
    expect(sizeClassNum(2 ** 31 * P, P)).toBe(31);
    expect(sizeClassNum(2 ** 32 * P, P)).toBe(32);
    expect(sizeClassNum(2 ** 63, P)).toBe(51);
    expect(sizeClassNum(2 ** 80, P)).toBe(53);
    expect(sizeClassNum(Infinity, P)).toBe(53);
    expect(sizeClassNum(NaN, P)).toBe(53);
  });
});

describe('lowerQuartile', () => {
  it('is the element a sort puts at floor((n - 1) / 4), within [from, to)', () => {
    expect(lowerQuartile(Float64Array.from([7]), 0, 1)).toBe(7);
    expect(lowerQuartile(Float64Array.from([]), 0, 0)).toBeNaN();
    expect(lowerQuartile(Float64Array.from([3, 1]), 1, 1)).toBeNaN();
    expect(lowerQuartile(Float64Array.from([9, 1, 5, 3, 7]), 0, 5)).toBe(3);
    expect(lowerQuartile(Float64Array.from([9, 1, 5, 3, 7, 2, 8, 4, 6]), 0, 9)).toBe(3);
    expect(lowerQuartile(Float64Array.from([100, 9, 1, 5, 3, 100]), 1, 5)).toBe(1);
    expect(lowerQuartile(Float64Array.from([4, 4, 4, 1, 4, 4]), 0, 6)).toBe(4);
    expect(lowerQuartile(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 0, 8)).toBe(2);
    expect(lowerQuartile(Float64Array.from([8, 7, 6, 5, 4, 3, 2, 1]), 0, 8)).toBe(2);
    // every permutation-ish order of a small set agrees with a sort
    const base = [5, 3, 3, 9, 1, 8, 2, 2, 7, 6, 4, 0, 11, 10];
    for (let n = 1; n <= base.length; n++) {
      for (let rot = 0; rot < n; rot++) {
        const v = base.slice(0, n);
        const rotated = [...v.slice(rot), ...v.slice(0, rot)];
        const sorted = [...v].sort((a, b) => a - b);
        expect(lowerQuartile(Float64Array.from(rotated), 0, n), `${rotated}`).toBe(sorted[Math.floor((n - 1) / 4)]);
        expect(lowerQuartile(Float64Array.from([...rotated].reverse()), 0, n)).toBe(sorted[Math.floor((n - 1) / 4)]);
      }
    }
  });
});

describe('calibrate and modelNs', () => {
  it('takes the lower quartile per (kind, size class) and per kind, from top-level observed ops only', () => {
    const ops = [
      op('read', 4096, 100), op('read', 4096, 300), op('read', 4096, 200), op('read', 4096, 400), op('read', 4096, 500),
      op('read', 65536, 1000),
      op('write', 100, 50),
      op('write', 100, 0), op('write', 100, NaN), op('write', 100),
      op('read', 4096, 1, 0),
    ];
    const m = calibrate(ops, P);
    // with a scratch array for the durations (what serviceTimes passes): the same model, and a
    // scratch too short for them is not used
    const scratch = new Float64Array(ops.length).fill(-7);
    expect(calibrate(ops, P, scratch)).toEqual(m);
    expect(scratch.slice(0, 7).every((x) => x !== -7)).toBe(true);
    const short = new Float64Array(3).fill(-7);
    expect(calibrate(ops, P, short)).toEqual(m);
    expect([...short]).toEqual([-7, -7, -7]);
    expect(m.byKindAndSize).toEqual({ read: { 0: 200, 4: 1000 }, write: { 0: 50 } });
    expect(Object.keys(m.byKindAndSize)).toEqual(['read', 'write']);
    // read over all sizes: [100, 200, 300, 400, 500, 1000] → index floor(5 / 4) = 1 → 200
    expect(m.byKind).toEqual({ read: 200, write: 50 });
    expect(m.defaultBaseNs).toBe(5000);
    expect(m.defaultPerPageNs).toBe(1000);
    expect(modelNs(m, 'read', 4096, P)).toBe(200);
    expect(modelNs(m, 'read', 70000, P)).toBe(1000);
    // a size class with no observation: the kind's quartile
    expect(modelNs(m, 'read', 10 * P, P)).toBe(200);
    // a kind with none: base + per page (at least one page)
    expect(modelNs(m, 'punch', 0, P)).toBe(6000);
    expect(modelNs(m, 'punch', 1, P)).toBe(6000);
    expect(modelNs(m, 'punch', 3 * P + 1, P)).toBe(9000);
    expect(modelNs(m, 'punch', 2 ** 80, P)).toBe(MAX_MODELLED_NS);
    expect(modelNs(m, 'punch', NaN, P)).toBe(MAX_MODELLED_NS);
    expect(modelNs(m, 'punch', 2 ** 53 * 4096, 1)).toBe(MAX_MODELLED_NS);
  });

  it('kinds are listed by name, whatever order the trace has them in', () => {
    const m = calibrate([op('write', 4096, 5), op('read', 4096, 7)], P);
    expect(Object.keys(m.byKindAndSize)).toEqual(['read', 'write']);
  });

  it('kinds met in any order, more than 16 of them... and alternating kinds share their buckets', () => {
    const ops: Op[] = [];
    const kinds: OpKind[] = ['read', 'write', 'read', 'punch', 'write', 'read'];
    kinds.forEach((k, i) => ops.push(op(k, 4096, (i + 1) * 10)));
    const m = calibrate(ops, P);
    expect(m.byKind).toEqual({ punch: 40, read: 10, write: 20 });
  });

  it('grows its buckets past 16 kinds', () => {
    const all: OpKind[] = ['read', 'write', 'dio-read', 'dio-write', 'fault-read', 'fault-write', 'readahead', 'writeback', 'truncate', 'punch', 'zero-range', 'collapse-range', 'insert-range', 'fallocate', 'fsync', 'mmap', 'munmap'];
    const ops = all.map((k, i) => op(k, 4096, i + 1));
    const m = calibrate(ops, P);
    expect(Object.keys(m.byKind)).toHaveLength(17);
    expect(m.byKind.munmap).toBe(17);
    expect(m.byKindAndSize.munmap).toEqual({ 0: 17 });
  });
});

describe('serviceTimes', () => {
  it('observed where the op has a duration, else modelled; counts both and the modelled per kind', () => {
    const ops = [
      op('read', 4096, 100), op('read', 4096, 300), op('read', 8 * 4096, 900),
      op('read', 4096), op('read', 8 * 4096), op('read', 64 * 4096), op('read', 2 ** 80),
      op('punch', 2 * 4096), op('punch', 0, 0), op('punch', 3 * 4096),
      op('read', 4096, 1, 0),
    ];
    const s = serviceTimes(ops, P);
    // a kind never observed: base + per page, for its exact page count (3 pages: 8000)
    expect([...s.ns]).toEqual([100, 300, 900, 100, 900, 100, 100, 7000, 6000, 8000, 1]);
    expect(s.observed).toBe(4);
    expect(s.modelled).toBe(7);
    expect(s.modelledByKind).toEqual({ read: 4, punch: 3 });
    expect(s.model.byKind).toEqual({ read: 100 });
  });
});
