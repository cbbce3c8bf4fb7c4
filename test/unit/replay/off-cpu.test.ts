/** Each op's own time asleep, from the capture's sched-sleep records (replay/off-cpu.ts). */
import { describe, expect, it } from 'vitest';
import type { ObservedLock, Op } from '../../../src/model/op.js';
import { OpColumns } from '../../../src/model/op-columns.js';
import { offCpuShares } from '../../../src/replay/off-cpu.js';

const op = (id: number, pid: number, kind: Op['kind'], tsNs: number, durNs: number, parent?: number): Op => ({
  id, tsNs, durNs, pid, proc: `pid:${pid}`, comm: 'fio', file: '7:0:133', kind, offset: 0, lengthBytes: 4096, line: id + 1, ...(parent !== undefined ? { parent } : {}),
});
const rec = (event: string, pid: number, fromNs: number, toNs: number, caller = ''): ObservedLock => ({ tsNs: toNs, pid, comm: 'fio', target: '', event, mode: event === 'sched-sleep' ? 'D' : 'WRITE', caller, line: 1, waitNs: toNs - fromNs });

describe('offCpuShares', () => {
  // task 1: a write over 0-100 with a fault inside (20-30); asleep 10-40 and 60-90, of which 60-80 a
  // modelled IOLOCK wait (taken out of its service time) and 85-90 an ILOCK wait (kept in it)
  const ops = [op(0, 1, 'write', 0, 100), op(1, 1, 'fault-read', 20, 10, 0), op(2, 2, 'dio-read', 0, 50), op(3, 1, 'write', 200, 10)];
  const sleeps = [rec('sched-sleep', 1, 10, 40), rec('sched-sleep', 1, 60, 90)];
  const waits = [rec('contention', 1, 60, 80, 'IOLOCK'), rec('contention', 1, 85, 90, 'ILOCK')];
  // (service times after the IOLOCK wait is taken out of the write's)
  const service = Float64Array.from([80, 10, 50, 10]);

  it('an op\'s own share: its sleeps less the modelled waits taken out and its children\'s time', () => {
    const { share, summary } = offCpuShares(OpColumns.fromOps(ops), service, sleeps, waits, false);
    // the write: asleep 30 + 10 (60-90 less 60-80), less the fault's 10 = 30 of its own 70 (80 less the fault's 10)
    expect([...(share as Float64Array)]).toEqual([30 / 70, 1, NaN, 0]);
    expect(summary).toEqual({ ops: 3, asleepNs: 40, byKind: { 'fault-read': { ops: 1, asleepNs: 10, serviceNs: 10 }, write: { ops: 2, asleepNs: 30, serviceNs: 80 } } });
  });

  it('with the kernel\'s waits kept in the service times, their sleep counts too', () => {
    const kept = Float64Array.from([100, 10, 50, 10]);
    const { share } = offCpuShares(ops, kept, sleeps, waits, true);
    expect([...(share as Float64Array)]).toEqual([50 / 90, 1, NaN, 0]);
  });

  it('no sched-sleep records: no shares, every op keeps its kind\'s rule', () => {
    const { share, summary } = offCpuShares(ops, service, [], waits, false);
    expect(share).toBeUndefined();
    expect(summary).toEqual({ ops: 0, asleepNs: 0, byKind: {} });
  });

  it('records out of order are sorted; an op without an observed duration has no share', () => {
    const noDur = [{ ...op(0, 1, 'write', 0, 100), durNs: undefined }, op(1, 1, 'write', 100, 100)];
    const { share } = offCpuShares(noDur, Float64Array.from([100, 100]), [rec('sched-sleep', 1, 150, 170), rec('sched-sleep', 1, 110, 120)], [], false);
    expect([...(share as Float64Array)]).toEqual([NaN, 0.3]);
  });
});
