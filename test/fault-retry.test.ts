import { describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import type { ObservedLock, Op, OpKind } from '../src/model/op.js';
import { faultRetries } from '../src/replay/fault-retry.js';
import { trace } from './helpers.js';

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

  it('on a real capture: most exact-page read faults were retried, each retry inside its fault', async () => {
    const { ops, locks } = await loadTrace(trace('xfs-contended-faults.trace.gz'), { keepLocks: true });
    const service = Float64Array.from(ops.map((o) => o.durNs ?? 0));
    const r = faultRetries(ops, locks, service, 4096);
    const exact = ops.filter((o) => o.kind === 'fault-read' && o.lengthBytes === 4096 && o.parent === undefined);
    expect(r.faults).toBe(1741);
    expect(r.faults).toBeGreaterThan(0.8 * exact.length);
    ops.forEach((o, i) => {
      if (r.afterPlanNs[i] > 0) {
        expect(o.kind).toBe('fault-read');
        expect(r.afterPlanNs[i]).toBeLessThanOrEqual(o.durNs as number);
      }
    });
  });
});
