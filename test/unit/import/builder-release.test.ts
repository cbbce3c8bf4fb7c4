/** The op builder's shared state and release: issue order, flush points (every 2,048 events), idle records, task identity, file strength; event-field parsers. */
import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { decimalField, eventInodeKey, inodeKey, parseSyscallReturn } from '../../../src/import/event-fields.js';
import { OpBuilder } from '../../../src/import/op-builder.js';
import { SelectingSink } from '../../../src/import/selection.js';
import type { ObservedLock, Op } from '../../../src/model/op.js';
import { HEADER, imported, load } from './helpers.js';

/** a line at `ns` nanoseconds past 1 s (9 fraction digits) */
const N = (pid: number, ns: number, ev: string): string => `             fio-${pid}   [000] .....   1.${String(ns).padStart(9, '0')}: ${ev}`;
const filler = (n: number, fromNs: number, stepNs: number): string[] => Array.from({ length: n }, (_, i) => N(99, fromNs + i * stepNs, 'sched_stat_runtime: x'));
const short = (o: Op): string => `${o.id} ${o.pid} ${o.kind} ${o.file} ${o.offset}+${o.lengthBytes}${o.durNs !== undefined ? ` dur ${o.durNs}` : ''}${o.parent !== undefined ? ` parent ${o.parent}` : ''}`;

describe('release at flush points', () => {
  it('a syscall open across a flush point holds back later ops, and is not given up', async () => {
    const r = await imported(HEADER + [
      N(1, 0, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(2, 1000, 'sys_pwrite64(fd: 4, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(2, 2000, 'sys_pwrite64 -> 0x1000'),
      ...filler(2100, 3000, 10),
      N(1, 100_000, 'sys_pwrite64 -> 0x1000'),
      '',
    ].join('\n'));
    // streamed: ids in issue order, the long write first
    expect(r.ops.map(short)).toEqual(['0 1 write fd:1:3 0+4096 dur 100000', '1 2 write fd:2:4 0+4096 dur 1000']);
    expect(r.summary.notes.filter((n) => n.includes('released before their exit'))).toEqual([]);
  });

  it('a fault still active at a flush point goes on; one idle for 50 ms is closed (a child fault inside a syscall is not)', async () => {
    const r = await imported(HEADER + [
      N(1, 0, 'page_fault_user: address=0x7f ip=0x7f error_code=0x4'),
      N(1, 1000, 'mm_filemap_fault: dev=7:0 ino=85 ofs=4096'),
      N(2, 2000, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(2, 3000, 'mmap_lock_start_locking: mm=00000000aa memcg_id=1 write=false'),
      N(2, 4000, 'mm_filemap_fault: dev=7:0 ino=86 ofs=0'),
      ...filler(2100, 5000, 30_000),
      N(1, 5000 + 2100 * 30_000, 'mm_filemap_map_pages: dev=7:0 ino=85 ofs=0-65535'),
      N(2, 5000 + 2100 * 30_000 + 1000, 'mmap_lock_released: mm=00000000aa memcg_id=1 write=false'),
      N(2, 5000 + 2100 * 30_000 + 2000, 'sys_pwrite64 -> 0x1000'),
      '',
    ].join('\n'), { keepLocks: false });
    expect(r.ops.map(short)).toEqual([
      '0 1 fault-read 7:0:133 4096+4096 dur 1000',
      '1 2 write fd:2:3 0+4096 dur 63005000',
      '2 2 fault-read 7:0:134 0+4096 dur 63003000 parent 1',
      '3 1 fault-read 7:0:133 0+65536 dur 0',
    ]);
    const busy = await imported(HEADER + [
      N(1, 0, 'page_fault_user: address=0x7f ip=0x7f error_code=0x4'),
      N(1, 1000, 'mm_filemap_fault: dev=7:0 ino=85 ofs=4096'),
      ...filler(2100, 2000, 100),
      N(1, 300_000, 'mm_filemap_map_pages: dev=7:0 ino=85 ofs=0-65535'),
      '',
    ].join('\n'));
    expect(busy.ops.map(short)).toEqual(['0 1 fault-read 7:0:133 4096+4096 dur 300000']);
  });

  it('an fs-event op still active at a flush point goes on (ext4 chunks merge across it)', async () => {
    const r = await imported(HEADER + [
      N(1, 0, 'ext4_da_write_begin: dev 254,0 ino 77 pos 0 len 4096'),
      ...filler(2100, 1, 1),
      N(1, 10_000, 'ext4_da_write_begin: dev 254,0 ino 77 pos 4096 len 4096'),
      '',
    ].join('\n'));
    expect(r.ops.map(short)).toEqual(['0 1 write 254:0:77 0+8192']);
  });
});

describe('issue order of records that start at the same time', () => {
  it('syscalls, faults, fs-event ops and locks: first opened, first released', async () => {
    const r = await imported(HEADER + [
      N(2, 0, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(1, 0, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(1, 1000, 'sys_pwrite64 -> 0x1000'),
      N(2, 2000, 'sys_pwrite64 -> 0x1000'),
      N(4, 10_000, 'mm_filemap_fault: dev=7:0 ino=85 ofs=0'),
      N(3, 10_000, 'mm_filemap_fault: dev=7:0 ino=86 ofs=0'),
      N(6, 20_000, 'ext4_da_write_begin: dev 254,0 ino 77 pos 0 len 4096'),
      N(5, 20_000, 'ext4_da_write_begin: dev 254,0 ino 78 pos 0 len 4096'),
      N(8, 30_000, 'xfs_ilock: dev 7:0 ino 0x85 flags ILOCK_EXCL caller x'),
      N(7, 30_000, 'xfs_ilock: dev 7:0 ino 0x86 flags ILOCK_EXCL caller x'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => o.pid)).toEqual([2, 1, 4, 3, 6, 5]);
    expect(r.locks.map((l: ObservedLock) => l.pid)).toEqual([8, 7]);
  });
});

describe('task identity and the file a syscall names', () => {
  it('a TGID shown later names the process; a line without one (-----) does not unname it', async () => {
    const T = (pid: number, tgid: string, ns: number, ev: string): string => `             fio-${pid}   (${tgid}) [000] .....   1.${String(ns).padStart(9, '0')}: ${ev}`;
    const r = await load(HEADER + [
      T(5, '-----', 0, 'sys_fsync(fd: 3)'),
      T(5, '  500', 1000, 'sys_fsync -> 0x0'),
      T(6, '-----', 2000, 'sys_fsync(fd: 3)'),
      T(7, '  700', 2500, 'sched_stat_runtime: x'),
      T(6, '  600', 3000, 'xfs_file_fsync: dev 7:0 ino 0x85 flags 0x0'),
      T(6, '-----', 4000, 'sys_fsync -> 0x0'),
      T(7, '-----', 5000, 'sys_fsync(fd: 3)'),
      T(8, '  800', 5500, 'sys_fsync(fd: 3)'),
      T(7, '-----', 6000, 'sys_fsync -> 0x0'),
      T(8, '-----', 6500, 'sys_fsync -> 0x0'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => `${o.pid} ${o.proc} ${o.file}`)).toEqual(['5 tgid:500 fd:500:3', '6 tgid:600 7:0:133', '7 pid:7 fd:7:3', '8 tgid:800 fd:800:3']);
  });

  it('the first strong event names the syscall\'s file; a weak event naming no inode changes nothing', async () => {
    const r = await load(HEADER + [
      N(1, 0, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(1, 1000, 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x1000'),
      N(1, 2000, 'xfs_file_buffered_write: dev 7:0 ino 0x86 disize 0x0 pos 0x0 bytecount 0x1000'),
      N(1, 3000, 'sys_pwrite64 -> 0x1000'),
      N(1, 4000, 'sys_pwrite64(fd: 4, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(1, 5000, 'xfs_setattr: dev 7:0 iflags 0x0'),
      N(1, 6000, 'sys_pwrite64 -> 0x1000'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => o.file)).toEqual(['7:0:133', 'fd:1:4']);
  });

  it('an op whose parent was not selected has no parent; a provisional key never released is no alias', async () => {
    const lines = [
      N(1, 0, 'sys_pread64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(1, 1000, 'iomap_writepage: dev 7:0 ino 0x86 size 0x4000 offset 0x0 length 0x1000'),
      N(1, 2000, 'sys_pread64 -> 0x1000'),
      N(1, 3000, 'sys_pread64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      N(1, 4000, 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x1000'),
      N(1, 5000, 'sys_pread64 -> 0x1000'),
      '',
    ];
    const r = await imported(HEADER + lines.join('\n'), { files: new Set(['7:0:134', '7:0:133']) });
    expect(r.ops.map(short)).toEqual(['0 1 writeback 7:0:134 0+4096', '1 1 read 7:0:133 0+4096 dur 2000']);
    expect('parent' in r.ops[0]).toBe(false);
    expect(r.summary.fileAliases).toBeUndefined();
  });
});

describe('the kernel\'s waits after other events', () => {
  it('a wait after mm_filemap_fault is on the mapping\'s MMAPLOCK; mmap_lock events keep an xfs_ilock context, other events end it', async () => {
    const r = await load(HEADER + [
      N(1, 0, 'mm_filemap_fault: dev=7:0 ino=85 ofs=0'),
      N(1, 1000, 'contention_begin: 00000000a1 (flags=READ)'),
      N(1, 2000, 'contention_end: 00000000a1 (ret=0)'),
      N(2, 3000, 'xfs_ilock: dev 7:0 ino 0x86 flags IOLOCK_SHARED caller x'),
      N(2, 4000, 'mmap_lock_released: mm=00000000aa memcg_id=1 write=false'),
      N(2, 5000, 'contention_begin: 00000000a2 (flags=READ)'),
      N(2, 6000, 'contention_end: 00000000a2 (ret=0)'),
      N(2, 7000, 'contention_begin: 00000000a3 (flags=READ)'),
      N(2, 8000, 'contention_end: 00000000a3 (ret=0)'),
      N(3, 9000, 'xfs_ilock: dev 7:0 ino 0x86 flags IOLOCK_SHARED caller x'),
      N(3, 10_000, 'xfs_file_buffered_read: dev 7:0 ino 0x86 disize 0x0 pos 0x0 bytecount 0x1000'),
      N(3, 11_000, 'contention_begin: 00000000a4 (flags=READ)'),
      N(3, 12_000, 'contention_end: 00000000a4 (ret=0)'),
      '',
    ].join('\n'), { keepLocks: false, keepContention: true });
    expect(r.locks.map((l) => `${l.pid} ${l.target} ${l.caller}`)).toEqual(['1 7:0:133 MMAPLOCK', '2 7:0:134 IOLOCK', '2 7:0:134 IOLOCK', '3 lock:00000000a4 unknown']);
  });

  it('setattr and ext4 details outside an op are counted apart', async () => {
    const r = await load(HEADER + [
      N(1, 0, 'xfs_setattr: dev 7:0 ino 0x85 iflags 0x0'),
      N(2, 1000, 'xfs_itruncate_extents_start: dev 7:0 ino 0x85'),
      N(3, 2000, 'ext4_da_write_end: dev 254,0 ino 9 pos 0 len 1 copied 1'),
      '',
    ].join('\n'));
    expect(r.summary.lines.skipped).toEqual({ 'ext4-detail-outside-op': 1, 'header-comment': 4, 'setattr-outside-op': 2 });
  });

  it('a DIO completion before its begin (events out of order, fed directly) leaves the op without a duration', () => {
    const counter = new LineCounter();
    const ops: Op[] = [];
    const b = new OpBuilder(new SelectingSink({ op: (o) => ops.push(o), lock: () => {} }, counter), counter, new BadLines('in', true, counter));
    b.handle({ pid: 1, tgid: -1, comm: 'fio', tsNs: 100, event: 'iomap_dio_rw_begin', phase: 0, body: 'dev 7:0 ino 0x85 size 0x4000 offset 0x0 length 0x1000' }, 1);
    b.handle({ pid: 1, tgid: -1, comm: 'fio', tsNs: 50, event: 'iomap_dio_complete', phase: 0, body: 'dev 7:0 ino 0x85 size 0x4000 offset 0x0 ret 4096' }, 2);
    b.finish();
    expect(ops.map((o) => [o.kind, o.durNs])).toEqual([['dio-write', undefined]]);
    expect(counter.result()).toMatchObject({ used: 2, bad: 0 });
  });
});

describe('event-field parsers', () => {
  it('inodeKey: the key is reused only for the same inode in the same radix', () => {
    expect(inodeKey('dev 7:0 ino 85 x', 16)).toBe('7:0:133');
    expect(inodeKey('dev 7:0 ino 85 x', 10)).toBe('7:0:85');
    expect(inodeKey('dev 7:0 ino 85 x', 16)).toBe('7:0:133');
    expect(inodeKey('dev 8:1 ino 0x99 yy', 16)).toBe('8:1:153');
    for (const [next, key] of [['a', '7:0:2138'], ['f', '7:0:2143'], ['0', '7:0:2128'], ['9', '7:0:2137'], ['A', '7:0:2138']]) {
      expect(inodeKey('dev 7:0 ino 0x85 z', 16)).toBe('7:0:133');
      expect(inodeKey(`dev 7:0 ino 0x85${next} z`, 16), next).toBe(key);
    }
    expect(inodeKey('dev 7:0 ino 0x85 z', 16)).toBe('7:0:133');
    expect(inodeKey('dev 7:0 ino 0x85g z', 16)).toBe('7:0:133');
  });

  it('inodeKey: "ino" first, after a comma, or missing; no device', () => {
    expect(inodeKey('ino 0x85 dev 7:0', 16)).toBe('7:0:133');
    expect(inodeKey('dev 7:0,ino 0x86', 16)).toBe('7:0:134');
    expect(inodeKey('ino 0x85', 16)).toBeUndefined();
    expect(inodeKey('dev 7:0 size 0x85', 16)).toBeUndefined();
  });

  it('eventInodeKey: ext4 and f2fs print the inode in decimal, the others in hex', () => {
    expect(eventInodeKey('ext4_da_write_begin', 'dev 254,0 ino 100 pos 0')).toBe('254:0:100');
    expect(eventInodeKey('f2fs_write_begin', 'dev = (254,0), ino = 101, pos = 0')).toBe('254:0:101');
    expect(eventInodeKey('xfs_ilock', 'dev 7:0 ino 102 flags x')).toBe('7:0:258');
  });

  it('decimalField: "name N" as a word, "name = N", "name=N"', () => {
    expect(decimalField('xpos 1 pos 2', 'pos')).toBe(2);
    expect(decimalField('a,pos 3', 'pos')).toBe(3);
    expect(decimalField('pos 7 len 1', 'pos')).toBe(7);
    expect(decimalField('ino = 9, pos = 5', 'pos')).toBe(5);
    expect(decimalField('ino=9, pos=4', 'pos')).toBe(4);
    expect(decimalField('len 3 pos', 'pos')).toBeNaN();
  });

  it('parseSyscallReturn: a return value that is not a number is NaN', () => {
    expect(parseSyscallReturn('garbage')).toBeNaN();
    expect(parseSyscallReturn(' 0x10 ')).toBe(16);
  });
});
