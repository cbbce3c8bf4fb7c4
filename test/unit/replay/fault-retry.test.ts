/** A read fault's retry (replay/fault-retry.ts), from hand-built ops and mmap_lock events. */
import { describe, expect, it } from 'vitest';
import type { ObservedLock, Op, OpKind } from '../../../src/model/op.js';
import { faultRetries } from '../../../src/replay/fault-retry.js';

const US = 1000;
const op = (id: number, pid: number, kind: OpKind, tUs: number, durUs: number, lengthBytes: number, parent?: number): Op => ({
  id, tsNs: tUs * US, durNs: durUs * US, pid, proc: `pid:${pid}`, comm: 'fio', file: '7:0:133', kind, offset: 0, lengthBytes, line: id + 1, ...(parent !== undefined ? { parent } : {}),
});
const start = (pid: number, tUs: number): ObservedLock => ({ tsNs: tUs * US, pid, comm: 'fio', target: 'mm:1', event: 'mmap_lock_start', mode: 'read', caller: '', line: 0 });

describe('a read fault\'s retry', () => {
  it('is the time from the fault\'s last mmap_lock acquisition inside it to its end, for faults that read their page', () => {
    const ops = [
      op(0, 1, 'fault-read', 0, 30, 4096),
      // a fault-around window (a minor fault: no invalidate lock to leave)
      op(1, 1, 'fault-read', 100, 10, 65536),
      // the first attempt's own acquisition (at the fault's start) is no retry
      op(2, 2, 'fault-read', 0, 10, 4096),
      // a fault inside a write runs on its parent's frame
      op(3, 3, 'write', 0, 10, 4096),
      op(4, 3, 'fault-read', 2, 5, 4096, 3),
      // an acquisition after the fault ended is another fault's
      op(5, 4, 'fault-read', 0, 10, 4096),
    ];
    const locks = [start(1, 12), start(1, 20), start(1, 105), start(2, 0), start(3, 4), start(4, 50)];
    const r = faultRetries(ops, locks, Float64Array.from(ops.map((o) => o.durNs as number)), 4096);
    expect([...r.afterPlanNs]).toEqual([10 * US, 0, 0, 0, 0, 0]);
    expect(r.faults).toBe(1);
    // never longer than the service time left after the kernel's waits were taken out
    expect([...faultRetries(ops, locks, Float64Array.from([5 * US, 0, 0, 0, 0, 0]), 4096).afterPlanNs]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('an op without a duration, an acquisition exactly at the fault\'s end, other lock events, no mmap_lock events at all', () => {
    const ops = [op(0, 1, 'fault-read', 0, 10, 4096), { ...op(1, 2, 'fault-read', 0, 10, 4096), durNs: undefined }, op(2, 3, 'fault-read', 0, 10, 4096)];
    const other: ObservedLock = { ...start(3, 5), event: 'mmap_lock_acquired' };
    const r = faultRetries(ops, [start(1, 10), start(2, 5), other], Float64Array.from([10 * US, 10 * US, 10 * US]), 4096);
    // an acquisition at the very end leaves no time after it: nothing
    expect([...r.afterPlanNs]).toEqual([0, 0, 0]);
    expect(r.faults).toBe(0);
    expect(faultRetries(ops, [], Float64Array.from([10 * US, 10 * US, 10 * US]), 4096)).toEqual({ afterPlanNs: new Float64Array(3), faults: 0 });
    // the page size decides which faults read a page: with 64 KiB pages a 64 KiB fault does
    const big = [op(0, 1, 'fault-read', 0, 10, 65536)];
    expect([...faultRetries(big, [start(1, 4)], Float64Array.from([10 * US]), 65536).afterPlanNs]).toEqual([6 * US]);
  });
});
