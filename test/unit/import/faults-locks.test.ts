/** Fault episodes without page_fault_user (their state machine), and what observed locks and the kernel's waits say about ops and files. */
import { describe, expect, it } from 'vitest';
import { HEADER, load } from './helpers.js';

const C = (pid: number, t: string, ev: string, comm = 'fio'): string => `${comm.padStart(16)}-${pid}   [000] .....   ${t}: ${ev}`;
const run = (lines: string[], options = {}) => load(HEADER + lines.join('\n') + '\n', { lenient: true, ...options });
const short = (o: { kind: string; file: string; offset: number; lengthBytes: number; durNs?: number; parent?: number; line: number; proc: string }): string =>
  `${o.kind} ${o.file} ${o.offset}+${o.lengthBytes}${o.durNs !== undefined ? ` dur ${o.durNs}` : ''}${o.parent !== undefined ? ` parent ${o.parent}` : ''} line ${o.line}`;
const samples = (r: { summary: { lines: { badSamples: string[] } }; path: string }): string[] => r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1));

const MAP = (ofs: string) => `mm_filemap_map_pages: dev=7:0 ino=85 ofs=${ofs}`;
const FS = 'xfs_read_fault: dev 7:0 ino 0x85 order 0';
const FILEMAP = (ofs: number) => `mm_filemap_fault: dev=7:0 ino=85 ofs=${ofs}`;

describe('fault episodes without page_fault_user', () => {
  it('map_pages, the filesystem\'s fault, filemap\'s fault, map_pages again: one episode; a repeated step starts another', async () => {
    const r = await run([
      // one episode in four events; the range of the first map_pages stands, the filemap page wins
      C(1, '1.000000', MAP('0-65535')),
      C(1, '1.000001', FS),
      C(1, '1.000002', MAP('65536-131071')),
      // map_pages after map_pages: a new episode; the fs fault fits it
      C(1, '1.000010', MAP('0-4095')),
      C(1, '1.000011', FS),
      // a second fs fault: a new episode; a filemap fault after it fits, a second one does not
      C(1, '1.000020', FS),
      C(1, '1.000021', FILEMAP(8192)),
      C(1, '1.000022', FILEMAP(12288)),
      // an fs fault after a filemap fault does not fit; map_pages after a fault does (then Post)
      C(1, '1.000030', FS),
      C(1, '1.000040', MAP('0-4095')),
      // after Post, a filemap fault does not fit; map_pages after it keeps the exact page
      C(1, '1.000041', FILEMAP(4096)),
      C(1, '1.000042', MAP('0-8191')),
      C(1, '1.000043', FILEMAP(16384)),
      // map_pages without a range, then (another task) a filemap fault without an offset
      C(1, '1.000050', 'mm_filemap_map_pages: dev=7:0 ino=85'),
      C(2, '1.000060', 'mm_filemap_fault: dev=7:0 ino=85'),
      C(3, '1.000070', 'xfs_write_fault: dev 7:0 ino 0x85 order 0'),
      C(4, '1.000080', 'xfs_read_fault: dev 7:0 order 0'),
    ]);
    expect(r.ops.map(short)).toEqual([
      'fault-read 7:0:133 0+65536 dur 2000 line 5',
      'fault-read 7:0:133 0+4096 dur 1000 line 8',
      'fault-read 7:0:133 8192+4096 dur 1000 line 10',
      'fault-read 7:0:133 12288+4096 dur 0 line 12',
      'fault-read 7:0:133 0+4096 dur 10000 line 13',
      'fault-read 7:0:133 4096+4096 dur 1000 line 15',
      'fault-read 7:0:133 16384+4096 dur 7000 line 17',
      'fault-read 7:0:133 0+0 dur 0 line 19',
      'fault-write 7:0:133 0+0 dur 0 line 20',
    ]);
    expect(samples(r)).toEqual(['21: xfs_read_fault: no device and inode in the event body']);
  });

  it('a fault outside a syscall ends the task\'s fs-event op', async () => {
    const r = await run([
      C(1, '1.000000', 'ext4_da_write_begin: dev 254,0 ino 77 pos 0 len 4096'),
      C(1, '1.000005', FS),
      C(1, '1.000010', 'ext4_da_write_begin: dev 254,0 ino 77 pos 4096 len 4096'),
    ]);
    expect(r.ops.map(short)).toEqual(['write 254:0:77 0+4096 line 5', 'fault-read 7:0:133 0+0 dur 0 line 6', 'write 254:0:77 4096+4096 line 7']);
  });
});

describe('observed locks and the kernel\'s waits', () => {
  it('a wait after xfs_ilock is on that inode lock; after xfs_ilock_nowait, on an unknown lock; after mmap_lock_start_locking, on the mmap_lock', async () => {
    const r = await run([
      C(1, '1.000000', 'xfs_ilock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller x'),
      C(1, '1.000001', 'contention_begin: 00000000a1 (flags=WRITE)'),
      C(1, '1.000005', 'contention_end: 00000000a1 (ret=0)'),
      C(2, '1.000010', 'xfs_ilock_nowait: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller x'),
      C(2, '1.000011', 'contention_begin: 00000000a2 (flags=WRITE)'),
      C(2, '1.000015', 'contention_end: 00000000a2 (ret=0)'),
      C(3, '1.000020', 'mmap_lock_start_locking: mm=00000000bb memcg_id=1 write=true'),
      C(3, '1.000021', 'contention_begin: 00000000a3 (flags=WRITE)'),
      C(3, '1.000025', 'contention_end: 00000000a3 (ret=0)'),
      C(3, '1.000026', 'mmap_lock_acquire_returned: mm=00000000bb memcg_id=1 write=true success=true'),
      C(4, '1.000030', 'xfs_ilock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller x'),
    ]);
    expect(r.locks.map((l) => `${l.event} ${l.target} ${l.mode} ${l.caller}${l.waitNs !== undefined ? ` ${l.waitNs}` : ''}`)).toEqual([
      'xfs_ilock 7:0:133 IOLOCK_EXCL x', 'contention 7:0:133 WRITE IOLOCK 4000',
      'xfs_ilock_nowait 7:0:133 IOLOCK_EXCL x', 'contention lock:00000000a2 WRITE unknown 4000',
      'mmap_lock_start mm:00000000bb write ', 'contention mm:00000000bb WRITE mmap_lock 4000', 'mmap_lock_acquired mm:00000000bb write ',
      'xfs_ilock 7:0:133 IOLOCK_EXCL x',
    ]);
  });

  it('an xfs_ilock inside a syscall names its file (locks kept or not); one naming no inode is a bad line when locks are kept', async () => {
    const lines = [
      C(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C(1, '1.000001', 'xfs_ilock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller x'),
      C(1, '1.000002', 'sys_pwrite64 -> 0x1000'),
      C(2, '1.000010', 'xfs_ilock: flags IOLOCK_EXCL caller x'),
    ];
    const kept = await run(lines);
    expect(kept.ops.map((o) => o.file)).toEqual(['7:0:133']);
    expect(samples(kept)).toEqual(['8: xfs_ilock: no device and inode in the event body']);
    const dropped = await run(lines, { keepLocks: false });
    expect(dropped.ops.map((o) => o.file)).toEqual(['7:0:133']);
    expect(dropped.summary.lines).toMatchObject({ used: 3, bad: 0, skipped: { 'header-comment': 4, 'lock-event': 1 } });
  });

  it('lock calls after a fault\'s last fault event are still its work; inside a syscall they do not stretch its child fault', async () => {
    const r = await run([
      C(1, '1.000000', 'page_fault_user: address=0x7f ip=0x7f error_code=0x6'),
      C(1, '1.000001', 'xfs_write_fault: dev 7:0 ino 0x85 order 0'),
      C(1, '1.000005', 'xfs_ilock: dev 7:0 ino 0x85 flags MMAPLOCK_SHARED caller x'),
      C(2, '1.000010', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C(2, '1.000011', 'xfs_file_buffered_write: dev 7:0 ino 0x86 disize 0x0 pos 0x0 bytecount 0x1000'),
      C(2, '1.000012', 'mmap_lock_start_locking: mm=00000000aa memcg_id=1 write=false'),
      C(2, '1.000013', 'mm_filemap_fault: dev=7:0 ino=87 ofs=0'),
      C(2, '1.000017', 'xfs_ilock: dev 7:0 ino 0x86 flags ILOCK_EXCL caller x'),
      C(2, '1.000018', 'mmap_lock_released: mm=00000000aa memcg_id=1 write=true'),
      C(2, '1.000020', 'sys_pwrite64 -> 0x1000'),
      C(3, '1.000030', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C(3, '1.000031', 'mmap_lock_released: mm=00000000aa memcg_id=1 write=false'),
      C(3, '1.000032', 'sys_pwrite64 -> 0x1000'),
    ], { keepLocks: false });
    expect(r.ops.map(short)).toEqual([
      'fault-write 7:0:133 0+0 dur 5000 line 5',
      'write 7:0:134 0+4096 dur 10000 line 8',
      'fault-read 7:0:135 0+4096 dur 1000 parent 1 line 10',
      'write fd:3:3 0+4096 dur 2000 line 15',
    ]);
  });

  it('mmap_lock outside a syscall does not split a fault; the process is the first mm the task showed', async () => {
    const r = await run([
      C(1, '1.000000', 'page_fault_user: address=0x7f ip=0x7f error_code=0x6'),
      C(1, '1.000001', 'mmap_lock_start_locking: mm=00000000aa memcg_id=1 write=false'),
      C(1, '1.000002', 'mmap_lock_acquire_returned: mm=00000000aa memcg_id=1 write=false success=true'),
      C(1, '1.000003', 'mm_filemap_fault: dev=7:0 ino=85 ofs=0'),
      C(1, '1.000004', 'mmap_lock_released: mm=00000000bb memcg_id=1 write=false'),
      C(1, '1.000010', 'sys_fsync(fd: 3)'),
      C(1, '1.000011', 'sys_fsync -> 0x0'),
    ], { keepLocks: false });
    // (the fault's process is the task as known when the fault began)
    expect(r.ops.map((o) => `${short(o)} proc ${o.proc} ts ${o.tsNs}`)).toEqual([
      'fault-write 7:0:133 0+4096 dur 3000 line 5 proc pid:1 ts 1000000000',
      'fsync fd:1:3 0+0 dur 1000 line 10 proc mm:00000000aa ts 1000010000',
    ]);
  });

  it('waits on one inode lock inside syscalls on fds tie an unnamed fd to the named one\'s file (not for a spinlock, a mutex or mmap_lock)', async () => {
    const tgid = (pid: number, t: string, ev: string): string => `             fio-${pid}   (  ${pid + 100}) [000] .....   ${t}: ${ev}`;
    const r = await load(HEADER + [
      tgid(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      tgid(1, '1.000001', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x1000'),
      tgid(1, '1.000002', 'contention_begin: 00000000c1 (flags=WRITE)'),
      tgid(1, '1.000003', 'contention_end: 00000000c1 (ret=0)'),
      tgid(1, '1.000004', 'sys_pwrite64 -> 0x1000'),
      tgid(2, '1.000010', 'sys_fallocate(fd: 4, mode: 0x3, offset: 0x0, len: 0x1000)'),
      tgid(2, '1.000011', 'contention_begin: 00000000c1 (flags=WRITE)'),
      tgid(2, '1.000012', 'contention_end: 00000000c1 (ret=0)'),
      tgid(2, '1.000013', 'sys_fallocate -> 0x0'),
      tgid(3, '1.000020', 'sys_fallocate(fd: 5, mode: 0x3, offset: 0x0, len: 0x1000)'),
      tgid(3, '1.000021', 'contention_begin: 00000000c2 (flags=SPIN)'),
      tgid(3, '1.000022', 'contention_end: 00000000c2 (ret=0)'),
      tgid(3, '1.000023', 'sys_fallocate -> 0x0'),
      tgid(1, '1.000030', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      tgid(1, '1.000031', 'contention_begin: 00000000c2 (flags=SPIN)'),
      tgid(1, '1.000032', 'contention_end: 00000000c2 (ret=0)'),
      tgid(1, '1.000033', 'sys_pwrite64 -> 0x1000'),
      tgid(4, '1.000040', 'sys_fallocate(fd: 6, mode: 0x3, offset: 0x0, len: 0x1000)'),
      tgid(4, '1.000041', 'contention_begin: 00000000c3 (flags=MUTEX)'),
      tgid(4, '1.000042', 'contention_end: 00000000c3 (ret=0)'),
      tgid(4, '1.000043', 'sys_fallocate -> 0x0'),
      tgid(1, '1.000050', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      tgid(1, '1.000051', 'contention_begin: 00000000c3 (flags=MUTEX)'),
      tgid(1, '1.000052', 'contention_end: 00000000c3 (ret=0)'),
      tgid(1, '1.000053', 'sys_pwrite64 -> 0x1000'),
      tgid(5, '1.000060', 'sys_fallocate(fd: 7, mode: 0x3, offset: 0x0, len: 0x1000)'),
      tgid(5, '1.000061', 'mmap_lock_start_locking: mm=00000000aa memcg_id=1 write=true'),
      tgid(5, '1.000062', 'contention_begin: 00000000c4 (flags=WRITE)'),
      tgid(5, '1.000063', 'contention_end: 00000000c4 (ret=0)'),
      tgid(5, '1.000064', 'sys_fallocate -> 0x0'),
      tgid(1, '1.000070', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      tgid(1, '1.000071', 'mmap_lock_start_locking: mm=00000000aa memcg_id=1 write=true'),
      tgid(1, '1.000072', 'contention_begin: 00000000c4 (flags=WRITE)'),
      tgid(1, '1.000073', 'contention_end: 00000000c4 (ret=0)'),
      tgid(1, '1.000074', 'sys_pwrite64 -> 0x1000'),
      '',
    ].join('\n'), { keepLocks: false });
    expect(r.ops.map((o) => `${o.kind} ${o.file}`)).toEqual([
      'write 7:0:133', 'punch 7:0:133', 'punch fd:103:5', 'write 7:0:133', 'punch fd:104:6', 'write 7:0:133', 'punch fd:105:7', 'write 7:0:133',
    ]);
    expect(r.summary.fileAliases).toEqual({ 'fd:102:4': '7:0:133' });
    expect(r.summary.notes).toContain('1 fds were identified by a lock they waited on (lock:contention_* events): their syscalls waited on the same inode lock as syscalls on a known file');
  });
});
