/** The builder's release past its limits: a record open for 40,000 lines (fed as events, without text), idle records at exactly 50 ms, open records across two flush points. */
import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { type KernelEvent, OpBuilder } from '../../../src/import/op-builder.js';
import { SelectingSink } from '../../../src/import/selection.js';
import type { ObservedLock, Op } from '../../../src/model/op.js';
import { HEADER, imported } from './helpers.js';

function harness() {
  const counter = new LineCounter();
  const ops: Op[] = [];
  const locks: ObservedLock[] = [];
  const b = new OpBuilder(new SelectingSink({ op: (o) => ops.push(o), lock: (l) => locks.push(l) }, counter), counter, new BadLines('in', true, counter));
  let line = 0;
  const ev = (pid: number, tsNs: number, event: string, body: string, phase: 0 | 1 | 2 = 0): void => {
    const e: KernelEvent = { pid, tgid: -1, comm: 'fio', tsNs, event, phase, body };
    expect(b.handle(e, ++line)).toBeUndefined();
  };
  // (every event takes the next line, as the importer numbers them: the give-up counts lines)
  const next = (): number => ++line;
  return { b, ev, ops, locks, counter, next };
}

const N = (pid: number, ns: number, ev: string): string => `             fio-${pid}   [000] .....   1.${String(ns).padStart(9, '0')}: ${ev}`;
const short = (o: Op): string => `${o.id} ${o.pid} ${o.kind} ${o.file} ${o.offset}+${o.lengthBytes}${o.durNs !== undefined ? ` dur ${o.durNs}` : ''}`;

describe('a record open for 40,000 lines', () => {
  it('the oldest open syscall is released early with the length it asked for and no duration; its exit is skipped as such', () => {
    const t = harness();
    t.ev(5, 0, 'sys_pwrite64', 'fd: 3, buf: 0x1, count: 0x2000, pos: 0x1000', 1);
    t.ev(7, 1, 'sys_pread64', 'fd: 4, buf: 0x1, count: 0x0, pos: 0x0', 1);
    for (let i = 0; i < 42_000; i++) t.b.handle({ pid: 6, tgid: -1, comm: 'fio', tsNs: 10 + i, event: 'xfs_ilock', phase: 0, body: 'dev 7:0 ino 0x85 flags ILOCK_SHARED caller x' }, t.next());
    t.ev(5, 100_000, 'sys_pwrite64', '0x2000', 2);
    t.ev(7, 100_001, 'sys_pread64', '0x1000', 2);
    t.b.finish();
    expect(t.ops.map(short)).toEqual(['0 5 write fd:5:3 4096+8192', '1 7 read fd:7:4 0+0']);
    expect(t.b.stats.releasedEarly).toBe(2);
    expect(t.locks).toHaveLength(42_000);
    expect(t.counter.result()).toMatchObject({ total: 42_004, used: 42_002, bad: 0, skipped: { 'exit-of-syscall-released-early': 2 } });
  });
});

describe('a record open for 40,000 lines, held back by a silent task', () => {
  it('the record holding the rest back is given up, not the oldest syscall: a silent task\'s fault episode is closed, and a later write keeps its exit', () => {
    const t = harness();
    // a task faults (no file event yet) and falls silent; a flood of lock records, a write in the middle
    t.ev(8, 0, 'page_fault_user', 'address=0x7f ip=0x7f error_code=0x4');
    const lock = (i: number): void => void t.b.handle({ pid: 6, tgid: -1, comm: 'fio', tsNs: 10 + i, event: 'xfs_ilock', phase: 0, body: 'dev 7:0 ino 0x85 flags ILOCK_SHARED caller x' }, t.next());
    for (let i = 0; i < 20_000; i++) lock(i);
    t.ev(5, 30_000, 'sys_pwrite64', 'fd: 3, buf: 0x1, count: 0x1000, pos: 0x0', 1);
    for (let i = 30_001; i < 52_000; i++) lock(i);
    t.ev(5, 60_000, 'sys_pwrite64', '0x1000', 2);
    t.b.finish();
    expect(t.ops.map(short)).toEqual(['0 5 write fd:5:3 0+4096 dur 30000']);
    expect(t.b.stats.releasedEarly).toBe(0);
    expect(t.counter.result().skipped).toEqual({ 'fault-not-on-file': 1 });
    expect(t.locks).toHaveLength(41_999);
  });

  it('a direct IO seen only by its filesystem events (no syscall) holding the rest back is closed as it stands: an op without a duration', () => {
    const t = harness();
    t.ev(1, 0, 'iomap_dio_rw_begin', 'dev 7:0 ino 0x85 size 0x4000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0');
    const lock = (i: number): void => void t.b.handle({ pid: 6, tgid: -1, comm: 'fio', tsNs: 10 + i, event: 'xfs_ilock', phase: 0, body: 'dev 7:0 ino 0x85 flags ILOCK_SHARED caller x' }, t.next());
    for (let i = 0; i < 42_000; i++) lock(i);
    t.ev(1, 50_000, 'iomap_dio_complete', 'dev 7:0 ino 0x85 size 0x4000 offset 0x0 flags DIRECT aio 0 error 0 ret 4096');
    t.b.finish();
    expect(t.ops.map(short)).toEqual(['0 1 dio-write 7:0:133 0+4096']);
    expect(t.b.stats.releasedEarly).toBe(0);
    expect(t.counter.result().skipped).toEqual({ 'dio-complete-without-begin': 1 });
  });

  it('when giving up one record lets the rest go, only that one is given up', () => {
    const t = harness();
    // a read blocked for the whole trace holds everything back; two short writes come later
    t.ev(4, 0, 'sys_read', 'fd: 9, buf: 0x1, count: 0x10', 1);
    const lock = (i: number): void => void t.b.handle({ pid: 6, tgid: -1, comm: 'fio', tsNs: 10 + i, event: 'xfs_ilock', phase: 0, body: 'dev 7:0 ino 0x85 flags ILOCK_SHARED caller x' }, t.next());
    for (let i = 0; i < 39_990; i++) lock(i);
    t.ev(5, 50_000, 'sys_pwrite64', 'fd: 3, buf: 0x1, count: 0x1000, pos: 0x0', 1);
    t.ev(7, 50_001, 'sys_pwrite64', 'fd: 4, buf: 0x1, count: 0x1000, pos: 0x0', 1);
    for (let i = 50_010; i < 52_100; i++) lock(i);
    t.ev(5, 60_000, 'sys_pwrite64', '0x1000', 2);
    t.ev(7, 60_001, 'sys_pwrite64', '0x1000', 2);
    t.b.finish();
    expect(t.ops.map(short)).toEqual(['0 4 read fd:4:9 0+16', '1 5 write fd:5:3 0+4096 dur 10000', '2 7 write fd:7:4 0+4096 dur 10000']);
    expect(t.b.stats.releasedEarly).toBe(1);
  });
});

describe('many records open for 40,000 lines', () => {
  it('are given up oldest first (ties in the order tasks opened), each releasing what it lets go, until the oldest line still open is recent: thousands of tasks at once', () => {
    const t = harness();
    const lock = (i: number): void => void t.b.handle({ pid: 1, tgid: -1, comm: 'fio', tsNs: 5_000 + i, event: 'xfs_ilock', phase: 0, body: 'dev 7:0 ino 0x85 flags ILOCK_SHARED caller x' }, t.next());
    // 3,000 writers enter at two instants (task 2,999 first, then the rest at one time), then a
    // long run of lock lines; a late reader enters near the end and is not given up
    t.ev(2_999 + 10, 0, 'sys_pwrite64', 'fd: 3, buf: 0x1, count: 0x1000, pos: 0x0', 1);
    for (let k = 0; k < 2_999; k++) t.ev(k + 10, 1, 'sys_pwrite64', `fd: 3, buf: 0x1, count: 0x1000, pos: 0x${(k * 4096).toString(16)}`, 1);
    for (let i = 0; i < 42_000; i++) lock(i);
    t.ev(9, 100_000, 'sys_pread64', 'fd: 4, buf: 0x1, count: 0x1000, pos: 0x0', 1);
    for (let i = 42_000; i < 43_000; i++) lock(i);
    t.ev(9, 100_500, 'sys_pread64', '0x1000', 2);
    t.b.finish();
    expect(t.b.stats.releasedEarly).toBe(3_000);
    const writes = t.ops.filter((o) => o.kind === 'write');
    expect(writes.map((o) => o.pid).slice(0, 4)).toEqual([3_009, 10, 11, 12]);
    expect(writes.map((o) => o.pid).at(-1)).toBe(3_008);
    expect(writes.every((o) => o.durNs === undefined)).toBe(true);
    expect(t.ops.filter((o) => o.kind === 'read').map(short)).toEqual(['3000 9 read fd:9:4 0+4096 dur 500']);
  });
});

describe('records given up across flushes', () => {
  it('by time, ties in the order tasks entered the open tasks: a task that left them and opened a record again comes after one open all along, past thousands of records closed since', () => {
    const t = harness();
    const lock = (i: number): void => void t.b.handle({ pid: 1, tgid: -1, comm: 'fio', tsNs: 20_000 + i, event: 'xfs_ilock', phase: 0, body: 'dev 7:0 ino 0x85 flags ILOCK_SHARED caller x' }, t.next());
    // task 20 enters the open tasks first, and leaves them (its read ends, a flush drops it)
    t.ev(20, 0, 'sys_pread64', 'fd: 4, buf: 0x1, count: 0x1000, pos: 0x0', 1);
    t.ev(20, 1, 'sys_pread64', '0x1000', 2);
    // task 21's write stays open; 5,000 fsyncs open across two flushes and end across three
    t.ev(21, 1000, 'sys_pwrite64', 'fd: 3, buf: 0x1, count: 0x1000, pos: 0x0', 1);
    for (let k = 0; k < 5_000; k++) t.ev(1_000 + k, 1_001 + k, 'sys_fsync', 'fd: 3', 1);
    for (let k = 0; k < 5_000; k++) t.ev(1_000 + k, 7_000 + k, 'sys_fsync', '0x0', 2);
    for (let i = 0; i < 20_000; i++) lock(i);
    // task 20 reads again, at the time of task 21's write (the trace's clock went back)
    t.ev(20, 1000, 'sys_pread64', 'fd: 4, buf: 0x1, count: 0x1000, pos: 0x0', 1);
    for (let i = 20_000; i < 32_000; i++) lock(i);
    t.ev(20, 60_000, 'sys_pread64', '0x1000', 2);
    t.ev(21, 60_001, 'sys_pwrite64', '0x1000', 2);
    t.b.finish();
    // the write (line 3) is given up first; then the oldest line open is the read's, recent enough
    expect(t.b.stats.releasedEarly).toBe(1);
    expect(t.ops.filter((o) => o.kind !== 'fsync').map(short)).toEqual(['0 20 read fd:20:4 0+4096 dur 1', '1 21 write fd:21:3 0+4096', '2 20 read fd:20:4 0+4096 dur 59000']);
    expect(t.ops.filter((o) => o.kind === 'fsync')).toHaveLength(5_000);
    expect(t.counter.result().skipped).toEqual({ 'exit-of-syscall-released-early': 1 });
  });
});

describe('flush points', () => {
  it('a fault or an fs-event op idle for exactly 50 ms at a flush point is not closed; a DIO idle for longer is (its completion comes too late)', async () => {
    // the flush point is the 2,048th event: its time is 50 ms after the records' last events
    const fill = (before: number, at: number): string[] => Array.from({ length: 2048 - before }, (_, i) => N(99, i === 2048 - before - 1 ? at : 3000 + i, 'sched_stat_runtime: x'));
    const fault = await imported(HEADER + [
      N(1, 0, 'page_fault_user: address=0x7f ip=0x7f error_code=0x4'),
      N(1, 1000, 'mm_filemap_fault: dev=7:0 ino=85 ofs=4096'),
      ...fill(2, 1000 + 50_000_000),
      N(1, 60_000_000, 'mm_filemap_map_pages: dev=7:0 ino=85 ofs=0-65535'),
      '',
    ].join('\n'));
    expect(fault.ops.map(short)).toEqual(['0 1 fault-read 7:0:133 4096+4096 dur 60000000']);
    const dio = await imported(HEADER + [
      N(1, 0, 'iomap_dio_rw_begin: dev 7:0 ino 0x85 size 0x4000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0'),
      ...fill(1, 50_000_000),
      N(1, 60_000_000, 'iomap_dio_complete: dev 7:0 ino 0x85 size 0x4000 offset 0x0 flags DIRECT aio 0 error 0 ret 4096'),
      '',
    ].join('\n'));
    expect(dio.ops.map(short)).toEqual(['0 1 dio-write 7:0:133 0+4096 dur 60000000']);
    const late = await imported(HEADER + [
      N(1, 0, 'iomap_dio_rw_begin: dev 7:0 ino 0x85 size 0x4000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0'),
      ...fill(1, 50_000_001),
      N(1, 60_000_000, 'iomap_dio_complete: dev 7:0 ino 0x85 size 0x4000 offset 0x0 flags DIRECT aio 0 error 0 ret 4096'),
      '',
    ].join('\n'));
    expect(late.ops.map(short)).toEqual(['0 1 dio-write 7:0:133 0+4096']);
    expect('durNs' in late.ops[0]).toBe(false);
    expect(late.summary.lines.skipped['dio-complete-without-begin']).toBe(1);
  });

  it('open records hold back later ops across several flush points; the earliest open record sets the watermark', async () => {
    const r = await imported(HEADER + [
      N(1, 0, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(2, 5, 'sys_fsync(fd: 4)'),
      N(2, 6, 'sys_fsync -> 0x0'),
      N(3, 10, 'sys_pwrite64(fd: 5, buf: 0x1, count: 0x1000, pos: 0x0)'),
      ...Array.from({ length: 2100 }, (_, i) => N(99, 100 + i, 'sched_stat_runtime: x')),
      N(4, 3000, 'sys_fsync(fd: 6)'),
      N(4, 3001, 'sys_fsync -> 0x0'),
      ...Array.from({ length: 2100 }, (_, i) => N(99, 4000 + i, 'sched_stat_runtime: x')),
      N(3, 7000, 'sys_pwrite64 -> 0x1000'),
      N(1, 7001, 'sys_pwrite64 -> 0x1000'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => `${o.id} ${o.pid}`)).toEqual(['0 1', '1 2', '2 3', '3 4']);
  });
});

describe('task identity', () => {
  it('a TGID seen on another task\'s turn still names the process', async () => {
    const T = (pid: number, tgid: string, ns: number, ev: string): string => `             fio-${pid}   (${tgid}) [000] .....   1.${String(ns).padStart(9, '0')}: ${ev}`;
    const r = await imported(HEADER + [
      T(6, '-----', 0, 'sys_fsync(fd: 3)'),
      T(7, '  700', 1000, 'xfs_setattr: dev 7:0 ino 0x85 iflags 0x0'),
      T(6, '  600', 2000, 'xfs_file_fsync: dev 7:0 ino 0x85 flags 0x0'),
      T(6, '-----', 3000, 'sys_fsync -> 0x0'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => `${o.pid} ${o.proc}`)).toEqual(['6 tgid:600']);
  });
});
