/** Re-anchored replays: which ops each window replays and which it counts (fidelity/contention.ts). */
import { describe, expect, it } from 'vitest';
import { anchoredWindows } from '../../../src/fidelity/contention.js';
import type { Op } from '../../../src/model/op.js';

const MS = 1_000_000;
const op = (id: number, tMs: number, parent?: number): Op => ({
  id, tsNs: tMs * MS, durNs: MS, pid: 1, proc: 'pid:1', comm: 'fio', file: '7:0:133', kind: 'write', offset: 0, lengthBytes: 4096, line: id + 1, ...(parent !== undefined ? { parent } : {}),
});

describe('anchoredWindows', () => {
  it('windows from the first issue, each replaying the half window before it; a child goes with its parent; empty windows are skipped', () => {
    // ops at 0, 40, 60 (a child of 60 recorded at 130), 110, 160, and 900; the second window [100, 200) replays from 50
    const ops = [op(0, 0), op(1, 40), op(2, 60), op(3, 110), op(4, 130, 2), op(5, 160), op(6, 900)];
    const w = anchoredWindows(ops, 100 * MS);
    expect(w.map((x) => x.ops)).toEqual([[0, 1, 2, 4], [2, 3, 4, 5], [6]]);
    expect(w.map((x) => x.ops.filter((i) => x.counts(i)))).toEqual([[0, 1, 2, 4], [3, 5], [6]]);
    // every op counted once
    expect(w.flatMap((x) => x.ops.filter((i) => x.counts(i))).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('no ops, or no window: nothing', () => {
    expect(anchoredWindows([], 100 * MS)).toEqual([]);
    expect(anchoredWindows([op(0, 0)], 0)).toEqual([]);
  });
});
