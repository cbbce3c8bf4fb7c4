/** The syscalls the op builder follows, from enter to exit: kinds, sizes, files, and what it skips. */
import { describe, expect, it } from 'vitest';
import { brief, HEADER, load } from './helpers.js';

const C = (comm: string, pid: number, t: string, ev: string): string => `${comm.padStart(16)}-${pid}   [000] .....   ${t}: ${ev}`;
const L = (pid: number, t: string, ev: string): string => `             fio-${pid}   [000] .....   ${t}: ${ev}`;

describe('syscalls', () => {
  it('write, fallocate modes, ftruncate (sized by earlier ops), fsync, mmap, munmap, failed and cut syscalls', async () => {
    const lines = [
      L(1, '100.000001', 'sys_pwrite64(fd: 7, buf: 0x1, count: 0x3000, pos: 0x0)'),
      L(1, '100.000002', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x3000'),
      L(1, '100.000003', 'sys_pwrite64 -> 0x3000'),
      L(1, '100.000010', 'sys_fallocate(fd: 7, mode: 0x3, offset: 0x1000, len: 0x1000)'),
      L(1, '100.000011', 'xfs_free_file_space: dev 7:0 ino 0x85 iflags 0x0'),
      L(1, '100.000012', 'sys_fallocate -> 0x0'),
      L(1, '100.000020', 'sys_fallocate(fd: 7, mode: 0x10, offset: 0x0, len: 0x1000)'),
      L(1, '100.000022', 'sys_fallocate -> 0x0'),
      L(1, '100.000030', 'sys_fallocate(fd: 7, mode: 0x8, offset: 0x1000, len: 0x1000)'),
      L(1, '100.000032', 'sys_fallocate -> 0x0'),
      L(1, '100.000040', 'sys_fallocate(fd: 7, mode: 0x20, offset: 0x1000, len: 0x1000)'),
      L(1, '100.000042', 'sys_fallocate -> 0x0'),
      L(1, '100.000050', 'sys_fallocate(fd: 7, mode: 0x0, offset: 0x0, len: 0x8000)'),
      L(1, '100.000052', 'sys_fallocate -> 0x0'),
      L(1, '100.000060', 'sys_ftruncate(fd: 7, length: 0x2000)'),
      L(1, '100.000062', 'sys_ftruncate -> 0x0'),
      L(1, '100.000070', 'sys_fsync(fd: 7)'),
      L(1, '100.000071', 'xfs_file_fsync: dev 7:0 ino 0x85 flags 0x0'),
      L(1, '100.000072', 'sys_fsync -> 0x0'),
      L(1, '100.000080', 'sys_mmap(addr: 0x0, len: 0x4000, prot: 0x3, flags: 0x1, fd: 0x7, off: 0x0)'),
      L(1, '100.000082', 'sys_mmap -> 0x7f0000000000'),
      L(1, '100.000090', 'sys_munmap(addr: 0x7f0000000000, len: 0x4000)'),
      L(1, '100.000092', 'sys_munmap -> 0x0'),
      L(1, '100.000100', 'sys_pread64(fd: 7, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '100.000102', 'sys_pread64 -> 0xfffffffffffffff2'),
      L(1, '100.000110', 'sys_pread64 -> 0x1000'),
      L(1, '100.000120', 'sys_openat(dfd: 0xffffff9c, filename: 0x1, flags: 0x0, mode: 0x0)'),
      L(1, '100.000130', 'sys_pread64(fd: 7, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '100.000140', 'sys_pwrite64(fd: 7, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '100.000150', 'sys_pwrite64 -> 0x1000'),
      L(1, '100.000160', 'sys_truncate(path: 0x1, length: 0x0)'),
      L(1, '100.000162', 'sys_truncate -> 0x0'),
      L(2, '100.000170', 'sys_pread64'),
      L(3, '100.000180', 'sys_pwrite64(fd: 7, buf: 7ffc998fa250, count: 1000, pos: 3dc000)'),
      L(3, '100.000181', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x3dc000 bytecount 0x1000'),
      L(3, '100.000182', 'sys_pwrite64 -> 0x1000'),
      L(3, '100.000190', 'sys_pwrite64(fd: 7, buf: 0x1, count: 4096, pos: 8192)'),
      L(3, '100.000192', 'sys_pwrite64 -> 0x800'),
      L(3, '100.000200', 'sys_pwrite64(fd 7)'),
      L(3, '100.000210', 'sys_fsync(fd: 7)'),
      L(3, '100.000209', 'sys_fsync -> 0x0'),
      '',
    ];
    const r = await load(HEADER + lines.join('\n'), { lenient: true });
    expect(r.ops.map(brief)).toEqual([
      '0 write 7:0:133 0+12288 pid 1 fio proc pid:1 ts 100000001000 dur 2000 line 5',
      '1 punch 7:0:133 4096+4096 pid 1 fio proc pid:1 ts 100000010000 dur 2000 line 8',
      '2 zero-range 7:0:133 0+4096 pid 1 fio proc pid:1 ts 100000020000 dur 2000 line 11',
      '3 collapse-range 7:0:133 4096+4096 pid 1 fio proc pid:1 ts 100000030000 dur 2000 line 13',
      '4 insert-range 7:0:133 4096+4096 pid 1 fio proc pid:1 ts 100000040000 dur 2000 line 15',
      '5 fallocate 7:0:133 0+32768 pid 1 fio proc pid:1 ts 100000050000 dur 2000 line 17',
      // the file is 32 KiB (the fallocate): truncating to 8 KiB removes 24 KiB
      '6 truncate 7:0:133 8192+24576 pid 1 fio proc pid:1 ts 100000060000 dur 2000 line 19',
      '7 fsync 7:0:133 0+0 pid 1 fio proc pid:1 ts 100000070000 dur 2000 line 21',
      '8 mmap pid:1 0+16384 pid 1 fio proc pid:1 ts 100000080000 dur 2000 line 24',
      '9 munmap pid:1 0+16384 pid 1 fio proc pid:1 ts 100000090000 dur 2000 line 26',
      '10 write 7:0:133 0+4096 pid 1 fio proc pid:1 ts 100000140000 dur 10000 line 33',
      '11 truncate fd:1:-1 0+0 pid 1 fio proc pid:1 ts 100000160000 dur 2000 line 35',
      // arguments without 0x but with hex letters are hex (count 1000 = 4 KiB)
      '12 write 7:0:133 4046848+4096 pid 3 fio proc pid:3 ts 100000180000 dur 2000 line 38',
      // decimal again once a 0x is seen; the length is what the syscall returned
      '13 write 7:0:133 8192+2048 pid 3 fio proc pid:3 ts 100000190000 dur 2000 line 41',
    ]);
    // files by their op count, most first, then by name; kinds by name
    expect(Object.keys(r.summary.ops.byFile)).toEqual(['7:0:133', 'pid:1', 'fd:1:-1']);
    expect(Object.keys(r.summary.ops.byKind)).toEqual(['collapse-range', 'fallocate', 'fsync', 'insert-range', 'mmap', 'munmap', 'punch', 'truncate', 'write', 'zero-range']);
    expect(r.summary.ops.total).toBe(14);
    expect(Object.keys(r.summary.ops.byFile['7:0:133'])).toEqual(['collapse-range', 'fallocate', 'fsync', 'insert-range', 'punch', 'truncate', 'write', 'zero-range']);
    const lines_ = r.summary.lines;
    expect({ ...lines_, badSamples: lines_.badSamples.map((s) => s.slice(r.path.length + 1)) }).toEqual({
      // (the openat is an fd's lifetime: used)
      total: 45, used: 33, bad: 2,
      skipped: { 'header-comment': 4, 'irrelevant-event': 1, 'syscall-cut-by-trace-end': 1, 'syscall-exit-without-enter': 1, 'syscall-failed': 2, 'syscall-without-exit': 1 },
      badSamples: ['43: sys_pwrite64: syscall arguments are missing or cut short', '45: timestamp goes backwards (100.000209s after 100.000210s on line 44)'],
    });
    expect(r.summary.notes).toEqual([
      '7 syscalls had no filesystem event inside: their file came from an earlier syscall on the same fd',
      '1 syscalls named no inode inside (1 fds stay "fd:PID:FD": nothing in the trace identifies their file; `lockreplay record` writes the traced processes\' open files into the capture)',
    ]);
  });

  it('an fd names one file from its open to its close: a reused fd number is another file, a dup is the same one', async () => {
    const lines = [
      // fd 7 is 7:0:133 (its write names the inode), fd 5 is 7:0:200 by the recorder's scan
      L(1, '100.000001', 'sys_pwrite64(fd: 7, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '100.000002', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x1000'),
      L(1, '100.000003', 'sys_pwrite64 -> 0x1000'),
      '# lockreplay fd: 1 5 7:0:200',
      L(1, '100.000010', 'sys_pread64(fd: 5, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '100.000011', 'sys_pread64 -> 0x1000'),
      // both closed; fd 7 reopened onto another file (a /proc file: no inode event)
      L(1, '100.000020', 'sys_close(fd: 7)'),
      L(1, '100.000021', 'sys_close -> 0x0'),
      L(1, '100.000022', 'sys_close(fd: 5)'),
      L(1, '100.000023', 'sys_close -> 0x0'),
      L(1, '100.000030', 'sys_openat(dfd: 0xffffff9c, filename: 0x1, flags: 0x80000, mode: 0x0)'),
      L(1, '100.000031', 'sys_openat -> 0x7'),
      L(1, '100.000040', 'sys_read(fd: 7, buf: 0x1, count: 0x400)'),
      L(1, '100.000041', 'sys_read -> 0x4'),
      // fd 9 becomes a copy of fd 7; fd 5 is reopened
      L(1, '100.000050', 'sys_dup2(oldfd: 0x7, newfd: 0x9)'),
      L(1, '100.000051', 'sys_dup2 -> 0x9'),
      L(1, '100.000060', 'sys_openat(dfd: 0xffffff9c, filename: 0x2, flags: 0x0, mode: 0x0)'),
      L(1, '100.000061', 'sys_openat -> 0x5'),
      L(1, '100.000070', 'sys_pread64(fd: 5, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '100.000071', 'sys_pread64 -> 0x1000'),
      // fd 9's write names an inode: fd 7 (whose copy it is) was that file all along
      L(1, '100.000080', 'sys_pwrite64(fd: 9, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '100.000081', 'xfs_file_buffered_write: dev 7:0 ino 0x86 disize 0x0 pos 0x0 bytecount 0x1000'),
      L(1, '100.000082', 'sys_pwrite64 -> 0x1000'),
      // a failed open changes nothing; an exit without its enter is skipped
      L(1, '100.000090', 'sys_openat(dfd: 0xffffff9c, filename: 0x3, flags: 0x0, mode: 0x0)'),
      L(1, '100.000091', 'sys_openat -> 0xfffffffffffffffe'),
      L(1, '100.000092', 'sys_dup -> 0x3'),
      L(1, '100.000093', 'sys_close(fd: )'),
      L(1, '100.000100', 'sys_pread64(fd: 5, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '100.000101', 'sys_pread64 -> 0x1000'),
      '',
    ];
    const r = await load(HEADER + lines.join('\n'));
    expect(r.ops.map((o) => `${o.kind} ${o.file} line ${o.line}`)).toEqual([
      'write 7:0:133 line 5',
      'read 7:0:200 line 9',
      // before: 7:0:133, the file fd 7 was before its close
      'read 7:0:134 line 17',
      // before: 7:0:200, the scan of the fd's earlier lifetime
      'read fd:1:5/1 line 23',
      'write 7:0:134 line 25',
      'read fd:1:5/1 line 32',
    ]);
    expect(r.summary.lines.skipped).toEqual({ 'fd-syscall-unparsed': 1, 'file-identity-comment': 1, 'header-comment': 4, 'syscall-exit-without-enter': 1, 'syscall-failed': 1 });
    expect(r.summary.lines.used).toBe(r.summary.lines.total - 8);
  });

  it('fd lifetimes are the process\'s: threads share them; fd 0; dup of a known fd, dup2 onto itself, an exit of another call', async () => {
    const T = (pid: number, tgid: number, t: string, ev: string): string => `             fio-${pid}   (${String(tgid).padStart(7)}) [000] .....   ${t}: ${ev}`;
    const lines = [
      // thread 11 of process 10 learns fd 7 and fd 0; thread 12 closes and reopens fd 7
      T(11, 10, '100.000001', 'sys_pwrite64(fd: 7, buf: 0x1, count: 0x1000, pos: 0x0)'),
      T(11, 10, '100.000002', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x1000'),
      T(11, 10, '100.000003', 'sys_pwrite64 -> 0x1000'),
      T(11, 10, '100.000004', 'sys_pwrite64(fd: 0, buf: 0x1, count: 0x1000, pos: 0x0)'),
      T(11, 10, '100.000005', 'xfs_file_buffered_write: dev 7:0 ino 0x86 disize 0x0 pos 0x0 bytecount 0x1000'),
      T(11, 10, '100.000006', 'sys_pwrite64 -> 0x1000'),
      T(12, 10, '100.000010', 'sys_close(fd: 7)'),
      T(12, 10, '100.000011', 'sys_close -> 0x0'),
      T(12, 10, '100.000012', 'sys_openat(dfd: 0xffffff9c, filename: 0x1, flags: 0x0, mode: 0x0)'),
      T(12, 10, '100.000013', 'sys_openat -> 0x7'),
      T(11, 10, '100.000020', 'sys_pread64(fd: 7, buf: 0x1, count: 0x1000, pos: 0x0)'),
      T(11, 10, '100.000021', 'sys_pread64 -> 0x1000'),
      // fd 0 closed and reopened: another file
      T(11, 10, '100.000030', 'sys_close(fd: 0)'),
      T(11, 10, '100.000031', 'sys_close -> 0x0'),
      T(11, 10, '100.000032', 'sys_openat(dfd: 0xffffff9c, filename: 0x2, flags: 0x0, mode: 0x0)'),
      T(11, 10, '100.000033', 'sys_openat -> 0x0'),
      T(11, 10, '100.000034', 'sys_pread64(fd: 0, buf: 0x1, count: 0x1000, pos: 0x0)'),
      T(11, 10, '100.000035', 'sys_pread64 -> 0x1000'),
      // a dup of a known fd: the copy is that file at once; dup2 onto itself changes nothing
      T(11, 10, '100.000040', 'sys_pwrite64(fd: 0, buf: 0x1, count: 0x1000, pos: 0x0)'),
      T(11, 10, '100.000041', 'xfs_file_buffered_write: dev 7:0 ino 0x87 disize 0x0 pos 0x0 bytecount 0x1000'),
      T(11, 10, '100.000042', 'sys_pwrite64 -> 0x1000'),
      T(11, 10, '100.000050', 'sys_dup(fildes: 0x0)'),
      T(11, 10, '100.000051', 'sys_dup -> 0xb'),
      T(11, 10, '100.000052', 'sys_dup2(oldfd: 0x0, newfd: 0x0)'),
      T(11, 10, '100.000053', 'sys_dup2 -> 0x0'),
      T(11, 10, '100.000054', 'sys_pread64(fd: 11, buf: 0x1, count: 0x1000, pos: 0x0)'),
      T(11, 10, '100.000055', 'sys_pread64 -> 0x1000'),
      T(11, 10, '100.000056', 'sys_pread64(fd: 0, buf: 0x1, count: 0x1000, pos: 0x0)'),
      T(11, 10, '100.000057', 'sys_pread64 -> 0x1000'),
      // an exit of another call than the one entered: skipped, the fd it names untouched
      T(11, 10, '100.000060', 'sys_openat(dfd: 0xffffff9c, filename: 0x3, flags: 0x0, mode: 0x0)'),
      T(11, 10, '100.000061', 'sys_dup -> 0xb'),
      T(11, 10, '100.000062', 'sys_pread64(fd: 11, buf: 0x1, count: 0x1000, pos: 0x0)'),
      T(11, 10, '100.000063', 'sys_pread64 -> 0x1000'),
      '',
    ];
    const r = await load(HEADER + lines.join('\n'));
    expect(r.ops.map((o) => `${o.kind} ${o.file} line ${o.line}`)).toEqual([
      'write 7:0:133 line 5',
      'write 7:0:134 line 8',
      // the thread that reads fd 7 did not close it: its process did
      'read fd:10:7/1 line 15',
      'read 7:0:135 line 21',
      'write 7:0:135 line 23',
      'read 7:0:135 line 30',
      'read 7:0:135 line 32',
      'read 7:0:135 line 36',
    ]);
    expect(r.summary.lines.skipped).toEqual({ 'header-comment': 4, 'syscall-exit-without-enter': 1 });
    // the dup's copy (fd 11) and fd 0 after dup2 onto itself come from the fd's history at once;
    // fd 0's read before its write waited for the end; the read of fd 7's new lifetime stays unknown
    expect(r.summary.notes).toEqual([
      '3 syscalls had no filesystem event inside: their file came from an earlier syscall on the same fd',
      '2 fds were closed or reused (open and close syscalls): what identifies an fd holds for that lifetime only; a later lifetime\'s ops are keyed "fd:PID:FD/N" until something names their file',
      '1 provisional file keys were identified after their first ops were released (fd:10:0/1 → 7:0:135): replay renames them',
      '2 syscalls named no inode inside (1 fds stay "fd:PID:FD": nothing in the trace identifies their file; `lockreplay record` writes the traced processes\' open files into the capture)',
    ]);
  });

  it('filesystem events outside a syscall: readahead, writeback, ext4 fallocate and truncate, faults, the kernel\'s lock waits', async () => {
    const lines = [
      C('fio', 5, '200.000001', 'page_cache_sync_ra: dev=254:0 ino=512063 index=3 req_count=2 order=0 size=0 async_size=0 ra_pages=2048 mmap_miss=0 prev_pos=-1'),
      C('fio', 6, '200.000002', 'iomap_readahead: dev 7:0 ino 0x85 nr_pages 4'),
      C('kworker/u8:2', 36, '200.000003', 'writeback_single_inode: bdi 254:0: ino=15343617 state=I_SYNC dirtied_when=4295468297 age=7 index=16531 to_write=0 wrote=0 cgroup_ino=1'),
      C('fio', 7, '200.000004', 'ext4_writepages: dev 254,0 ino 2146575 nr_to_write 9223372036854775807 pages_skipped 0 range_start 0 range_end 9223372036854775807 sync_mode 0 for_kupdate 0 range_cyclic 0 writeback_index 0'),
      C('fio', 8, '200.000010', 'sys_fallocate(fd: 3, mode: 0x3, offset: 0x1000, len: 0x1000)'),
      C('fio', 8, '200.000011', 'ext4_punch_hole: dev 254,0 ino 2154529 offset 4096 len 4096 mode '),
      C('fio', 8, '200.000012', 'sys_fallocate -> 0x0'),
      C('fio', 9, '200.000020', 'ext4_fallocate_enter: dev 254,0 ino 2154529 offset 0 len 67108864 mode '),
      C('fio', 9, '200.000021', 'ext4_fallocate_exit: dev 254,0 ino 2154529 pos 0 len 67108864 ret 0'),
      C('fio', 10, '200.000030', 'ext4_truncate_enter: dev 254,0 ino 2146575 blocks 48'),
      C('fio', 10, '200.000031', 'ext4_truncate_exit: dev 254,0 ino 2146575 blocks 48'),
      C('fio', 11, '200.000040', 'page_fault_user: address=0x7fc0d5ef7000 ip=0x7fc0ec8f2d8a error_code=0x6'),
      C('fio', 11, '200.000041', 'xfs_write_fault: dev 7:0 ino 0x85 order 0'),
      C('fio', 11, '200.000045', 'xfs_filemap_fault: dev 7:0 ino 0x85 write_fault 0'),
      C('node', 12, '200.000050', 'contention_begin: 000000005351eb82 (flags=SPIN)'),
      C('node', 12, '200.000053', 'contention_end: 000000005351eb82 (ret=0)'),
      C('node', 12, '200.000060', 'contention_end: 0000000000000001 (ret=0)'),
      C('fio', 13, '200.000070', 'xfs_zero_file_space: dev 7:0 ino 0x85 iflags 0x0'),
      C('fio', 14, '200.000080', 'mm_filemap_get_pages: dev=254:0 ino=52db4 ofs=0-4095'),
      C('fio', 15, '200.000090', 'writeback_dirty_folio: bdi 7:0: ino=133 index=988'),
      C('fio', 16, '200.000100', 'iomap_writepage: dev 7:0 ino 0x85 size 0x4000000 offset 0x3dc000 length 0x1000'),
      C('fio', 17, '200.000110', 'sched_stat_runtime: comm=fio'),
      '',
    ];
    const r = await load(HEADER + lines.join('\n'), { lenient: true });
    expect(r.ops.map(brief)).toEqual([
      // page_cache_ra: hex inode, index and count in pages
      '0 readahead 254:0:5316707 12288+8192 pid 5 fio proc pid:5 ts 200000001000 line 5',
      '1 writeback 254:0:2146575 0+0 pid 7 fio proc pid:7 ts 200000004000 line 8',
      '2 punch 254:0:2154529 4096+4096 pid 8 fio proc pid:8 ts 200000010000 dur 2000 line 9',
      '3 fallocate 254:0:2154529 0+67108864 pid 9 fio proc pid:9 ts 200000020000 line 12',
      '4 truncate 254:0:2146575 0+0 pid 10 fio proc pid:10 ts 200000030000 line 14',
      '5 fault-write 7:0:133 0+0 pid 11 fio proc pid:11 ts 200000040000 dur 5000 line 16',
      '6 zero-range 7:0:133 0+0 pid 13 fio proc pid:13 ts 200000070000 line 22',
      '7 read 254:0:339380 0+4096 pid 14 fio proc pid:14 ts 200000080000 line 23',
      '8 writeback 7:0:133 4046848+4096 pid 16 fio proc pid:16 ts 200000100000 line 25',
    ]);
    expect(r.locks).toEqual([{ tsNs: 200000053000, pid: 12, comm: 'node', target: 'lock:000000005351eb82', event: 'contention', mode: 'SPIN', caller: 'spinlock', line: 19, waitNs: 3000 }]);
    expect(r.summary.lines).toEqual({
      total: 26, used: 17, bad: 0, badSamples: [],
      skipped: { 'contention-end-without-begin': 1, 'dirty-folio-outside-op': 1, 'header-comment': 4, 'irrelevant-event': 1, 'readahead-without-range': 1, 'writeback-summary': 1 },
    });
    expect(r.summary.notes).toEqual([]);
  });

  it('filesystem operations seen only through their events: ext4 write chunks, DIO begin/complete, fallocate modes, reads through get_pages', async () => {
    const lines = [
      C('fio', 1, '300.000000', 'ext4_da_write_begin: dev 254,0 ino 77 pos 0 len 4096'),
      C('fio', 1, '300.000005', 'ext4_da_write_begin: dev 254,0 ino 77 pos 4096 len 4096'),
      C('fio', 1, '300.000010', 'ext4_da_write_begin: dev 254,0 ino 77 pos 4096 len 2048'),
      C('fio', 1, '300.000100', 'ext4_da_write_begin: dev 254,0 ino 77 pos 8192 len 100'),
      C('fio', 2, '300.000200', 'iomap_dio_rw_begin: dev 7:0 ino 0x85 size 0x4000000 offset 0x2000 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0'),
      C('fio', 2, '300.000201', 'iomap_dio_rw_begin: dev 7:0 ino 0x85 size 0x4000000 offset 0x3000 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0'),
      C('fio', 2, '300.000210', 'iomap_dio_complete: dev 7:0 ino 0x85 size 0x4000000 offset 0x3000 flags DIRECT aio 0 error 0 ret 4096'),
      C('fio', 2, '300.000220', 'iomap_dio_complete: dev 7:0 ino 0x85 size 0x4000000 offset 0x3000 flags DIRECT aio 0 error 0 ret 4096'),
      C('fio', 3, '300.000300', 'xfs_file_direct_write: dev 7:0 ino 0x85 disize 0x4000000 pos 0x5000 bytecount 0x2000'),
      C('fio', 3, '300.000301', 'xfs_file_buffered_read: dev 7:0 ino 0x86 disize 0x4000000 offset 0x0 count 0x100'),
      C('fio', 4, '300.000400', 'ext4_fallocate_enter: dev 254,0 ino 77 offset 4096 len 4096 mode FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE'),
      C('fio', 4, '300.000401', 'ext4_fallocate_enter: dev 254,0 ino 78 offset 4096 len 4096 mode FALLOC_FL_ZERO_RANGE'),
      C('fio', 4, '300.000402', 'ext4_fallocate_enter: dev 254,0 ino 79 offset 4096 len 4096 mode FALLOC_FL_COLLAPSE_RANGE'),
      C('fio', 4, '300.000403', 'ext4_fallocate_enter: dev 254,0 ino 80 offset 4096 len 4096 mode FALLOC_FL_INSERT_RANGE'),
      C('fio', 4, '300.000404', 'ext4_zero_range: dev 254,0 ino 81 offset 0 len 10 mode '),
      C('fio', 4, '300.000405', 'ext4_collapse_range: dev 254,0 ino 82 offset 0 len 10'),
      C('fio', 4, '300.000406', 'ext4_insert_range: dev 254,0 ino 83 offset 0 len 10'),
      C('fio', 4, '300.000407', 'ext4_truncate_enter: dev 254,0 ino 77 blocks 48'),
      C('fio', 5, '300.000500', 'mm_filemap_get_pages: dev=254:0 ino=52db4 ofs=0-8191'),
      C('fio', 5, '300.000501', 'page_cache_sync_ra: dev=254:0 ino=52db4 index=0 req_count=2 order=0 size=0 async_size=0 ra_pages=2048 mmap_miss=0 prev_pos=-1'),
      C('fio', 5, '300.000502', 'mm_filemap_get_pages: dev=254:0 ino=52db4 ofs=8192-12287'),
      C('fio', 6, '300.000600', 'xfs_file_direct_write: dev 7:0 ino'),
      C('fio', 6, '300.000601', 'mm_filemap_get_pages: dev=254:0'),
      C('fio', 6, '300.000602', 'page_cache_async_ra: dev=254:0 ino=52db4'),
      C('fio', 7, '300.000700', 'writeback_single_inode: bdi btrfs-1: ino=1 state=I_SYNC'),
      C('fio', 7, '300.000701', 'iomap_dio_complete: dev 7:0 ino 0x85 size 0x4000000 offset 0x3000 flags DIRECT aio 0 error 0 ret 4096'),
      '',
    ];
    const r = await load(HEADER + lines.join('\n'), { lenient: true });
    expect(r.ops.map(brief)).toEqual([
      // the next page within 20 µs, and a retry at the same position, are the same write
      '0 write 254:0:77 0+8192 pid 1 fio proc pid:1 ts 300000000000 line 5',
      '1 write 254:0:77 8192+100 pid 1 fio proc pid:1 ts 300000100000 line 8',
      '2 dio-write 7:0:133 8192+4096 pid 2 fio proc pid:2 ts 300000200000 dur 10000 line 9',
      '3 dio-write 7:0:133 20480+8192 pid 3 fio proc pid:3 ts 300000300000 line 13',
      '4 read 7:0:134 0+256 pid 3 fio proc pid:3 ts 300000301000 line 14',
      '5 punch 254:0:77 4096+4096 pid 4 fio proc pid:4 ts 300000400000 line 15',
      '6 zero-range 254:0:78 4096+4096 pid 4 fio proc pid:4 ts 300000401000 line 16',
      '7 collapse-range 254:0:79 4096+4096 pid 4 fio proc pid:4 ts 300000402000 line 17',
      '8 insert-range 254:0:80 4096+4096 pid 4 fio proc pid:4 ts 300000403000 line 18',
      '9 zero-range 254:0:81 0+10 pid 4 fio proc pid:4 ts 300000404000 line 19',
      '10 collapse-range 254:0:82 0+10 pid 4 fio proc pid:4 ts 300000405000 line 20',
      '11 insert-range 254:0:83 0+10 pid 4 fio proc pid:4 ts 300000406000 line 21',
      '12 truncate 254:0:77 0+0 pid 4 fio proc pid:4 ts 300000407000 line 22',
      '13 read 254:0:339380 0+8192 pid 5 fio proc pid:5 ts 300000500000 line 23',
    ]);
    expect({ ...r.summary.lines, badSamples: r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1)) }).toEqual({
      total: 30, used: 20, bad: 3,
      skipped: { 'dio-complete-without-begin': 2, 'filesystem-metadata': 1, 'header-comment': 4 },
      badSamples: ['26: xfs_file_direct_write: no device and inode in the event body', '27: mm_filemap_get_pages: no device and inode in the event body', '28: page_cache_async_ra: no device and inode in the event body'],
    });
    expect(r.summary.notes).toEqual(['1 direct IOs were seen only as iomap events, which do not say read or write: counted as dio-write']);
  });

  it('child ops inside a syscall, writeback ranges and summaries, fault episodes, observed locks and waits', async () => {
    const lines = [
      C('py', 1, '400.000000', 'sys_pwrite64(fd: 3, buf: 0x7fcf84280030, count: 0x2000, pos: 0)'),
      C('py', 1, '400.000001', 'xfs_ilock: dev 7:0 ino 0x86 flags IOLOCK_EXCL caller xfs_file_buffered_write+0x12f/0x2e0'),
      C('py', 1, '400.000002', 'xfs_file_buffered_write: dev 7:0 ino 0x86 disize 0x1000000 pos 0x0 bytecount 0x2000'),
      C('py', 1, '400.000003', 'mmap_lock_start_locking: mm=00000000aa memcg_id=1 write=false'),
      C('py', 1, '400.000004', 'mmap_lock_acquire_returned: mm=00000000aa memcg_id=1 write=false success=true'),
      C('py', 1, '400.000005', 'mm_filemap_fault: dev=7:0 ino=87 ofs=8192'),
      C('py', 1, '400.000008', 'mmap_lock_released: mm=00000000aa memcg_id=1 write=false'),
      C('py', 1, '400.000010', 'iomap_writeback_folio: dev 7:0 ino 0x86 size 0x4000000 offset 0x0 length 0x1000'),
      C('py', 1, '400.000011', 'contention_begin: 00000000ff (flags=WRITE)'),
      C('py', 1, '400.000015', 'contention_end: 00000000ff (ret=0)'),
      C('py', 1, '400.000020', 'sys_pwrite64 -> 0x2000'),
      C('kw', 2, '400.000100', 'ext4_writepages: dev 254,0 ino 9 nr_to_write 9 pages_skipped 0 range_start 4096 range_end 8191 sync_mode 0 for_kupdate 0 range_cyclic 0 writeback_index 0'),
      C('kw', 2, '400.000101', 'ext4_writepages: dev 254,0 ino 9 nr_to_write 9 pages_skipped 0 range_start 8192 range_end 100 sync_mode 0'),
      C('kw', 2, '400.000102', 'writeback_single_inode: bdi 254:0: ino=10 state=I_SYNC dirtied_when=1 age=7 index=1 to_write=0 wrote=3 cgroup_ino=1'),
      C('kw', 2, '400.000103', 'writeback_single_inode: bdi (unknown): ino=10 state=I_SYNC wrote=3'),
      C('kw', 2, '400.000104', 'writeback_single_inode: bdi 254:0: ino=9 state=I_SYNC wrote=3'),
      C('fio', 3, '400.000200', 'page_fault_user: address=0x7f ip=0x7f error_code=0x4'),
      C('fio', 3, '400.000201', 'mm_filemap_map_pages: dev=254:0 ino=11 ofs=0-65535'),
      C('fio', 3, '400.000202', 'xfs_filemap_fault: dev 7:0 ino 0x85 write_fault 1'),
      C('fio', 3, '400.000203', 'page_fault_user: address=0x7f ip=0x7f error_code=0x4'),
      C('fio', 3, '400.000204', 'xfs_filemap_fault: dev 7:0 ino 0x85 write_fault 0'),
      C('fio', 3, '400.000205', 'mm_filemap_fault: dev=7:0 ino=85 ofs=4096'),
      C('fio', 3, '400.000206', 'mm_filemap_map_pages: dev=7:0 ino=85 ofs=0-65535'),
      C('fio', 3, '400.000207', 'xfs_ilock: dev 7:0 ino 0x85 flags MMAPLOCK_SHARED caller x'),
      C('fio', 3, '400.000208', 'mm_filemap_fault: dev=7:0 ino=85 ofs=12288'),
      '',
    ];
    const r = await load(HEADER + lines.join('\n'), { lenient: true });
    expect(r.ops.map(brief)).toEqual([
      // (the task's mm, seen inside the write, names its process, as it names its children's)
      '0 write 7:0:134 0+8192 pid 1 py proc mm:00000000aa ts 400000000000 dur 20000 line 5',
      // a user-copy fault (a read acquisition of mmap_lock inside the syscall) and a flush: children
      '1 fault-read 7:0:135 8192+4096 pid 1 py proc mm:00000000aa ts 400000003000 dur 5000 parent 0 line 8',
      '2 writeback 7:0:134 0+4096 pid 1 py proc mm:00000000aa ts 400000010000 parent 0 line 12',
      '3 writeback 254:0:9 4096+4096 pid 2 kw proc pid:2 ts 400000100000 line 16',
      // a summary that wrote pages, with no finer writeback of its inode: an op
      '4 writeback 254:0:10 0+0 pid 2 kw proc pid:2 ts 400000102000 line 18',
      '5 fault-read 254:0:17 0+65536 pid 3 fio proc pid:3 ts 400000200000 dur 1000 line 21',
      '6 fault-write 7:0:133 0+0 pid 3 fio proc pid:3 ts 400000202000 dur 0 line 23',
      // the exact page of the filemap fault wins over the map_pages window; a second filemap fault is another episode
      '7 fault-read 7:0:133 12288+4096 pid 3 fio proc pid:3 ts 400000203000 dur 5000 line 24',
    ]);
    expect(r.locks.map((l) => `${l.event} ${l.target} ${l.mode} ${l.caller} ${l.waitNs}`)).toEqual([
      'xfs_ilock 7:0:134 IOLOCK_EXCL xfs_file_buffered_write+0x12f/0x2e0 undefined',
      'mmap_lock_start mm:00000000aa read  undefined',
      'mmap_lock_acquired mm:00000000aa read  undefined',
      'mmap_lock_released mm:00000000aa read  undefined',
      'contention lock:00000000ff WRITE unknown 4000',
      'xfs_ilock 7:0:133 MMAPLOCK_SHARED x undefined',
    ]);
    expect({ ...r.summary.lines, badSamples: r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1)) }).toEqual({
      total: 29, used: 22, bad: 1,
      skipped: { 'header-comment': 4, 'writeback-summary': 1, 'writeback-unknown-bdi': 1 },
      badSamples: ['17: ext4_writepages: range_end 100 is before range_start 8192'],
    });
    // only the kernel's waits kept; no locks at all
    const waits = await load(HEADER + lines.join('\n'), { lenient: true, keepLocks: false, keepContention: true });
    expect(waits.locks.map((l) => l.event)).toEqual(['contention']);
    expect(waits.summary.lines.used).toBe(21);
    expect(waits.summary.lines.skipped['lock-event']).toBe(1);
    const none = await load(HEADER + lines.join('\n'), { lenient: true, keepLocks: false });
    expect(none.locks).toEqual([]);
    expect(none.summary.lines.used).toBe(19);
    expect(none.summary.lines.skipped['lock-event']).toBe(3);
    expect(none.ops.map(brief)).toEqual(r.ops.map(brief));
  });

  it('the process of a syscall is what its task is known as when it completes (an mmap that shows the mm)', async () => {
    const lines = [
      C('fio', 1, '500.000000', 'xfs_setattr: dev 7:0 ino 0x85 iflags 0x0'),
      C('fio', 1, '500.000001', 'ext4_da_write_end: dev 254,0 ino 9 pos 0 len 1 copied 1'),
      C('fio', 1, '500.000002', 'sys_enter: NR 17 (7, 1, 2)'),
      C('fio', 1, '500.000003', 'sys_exit: NR 17 = 4096'),
      C('fio', 2, '500.000010', 'sys_mmap(addr: 0x0, len: 0x4000, prot: 0x3, flags: 0x1, fd: 0x7, off: 0x0)'),
      C('fio', 2, '500.000011', 'mmap_lock_start_locking: mm=00000000bb memcg_id=1 write=true'),
      C('fio', 2, '500.000012', 'mmap_lock_acquire_returned: mm=00000000bb memcg_id=1 write=true success=true'),
      C('fio', 2, '500.000013', 'mmap_lock_released: mm=00000000bb memcg_id=1 write=true'),
      C('fio', 2, '500.000014', 'sys_mmap -> 0x7f0000000000'),
      C('fio', 2, '500.000015', 'page_fault_user: address=0x7f ip=0x7f error_code=0x6'),
      C('fio', 2, '500.000016', 'mm_filemap_fault: dev=7:0 ino=85 ofs=0'),
      C('fio', 3, '500.000020', 'sys_pwrite64(fd: 4, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C('fio', 3, '500.000021', 'xfs_setattr: dev 7:0 ino 0x90 iflags 0x0'),
      C('fio', 3, '500.000022', 'contention_begin: 00000000cc (flags=READ)'),
      C('fio', 3, '500.000023', 'sys_pwrite64 -> 0x1000'),
      C('fio', 4, '500.000030', 'ext4_fallocate_enter: dev 254,0 ino 77 offset 0 len 4096 mode '),
      C('fio', 4, '500.000031', 'ext4_fallocate_exit: dev 254,0 ino 77 pos 0 len 4096 ret 0'),
      C('fio', 4, '500.000032', 'ext4_truncate_exit: dev 254,0 ino 77 blocks 0'),
      '',
    ];
    const r = await load(HEADER + lines.join('\n'), { lenient: true });
    expect(r.ops.map(brief)).toEqual([
      // the mmap takes the mmap_lock it shows: its process is that mm, as its faults' is
      '0 mmap mm:00000000bb 0+16384 pid 2 fio proc mm:00000000bb ts 500000010000 dur 4000 line 9',
      '1 fault-write 7:0:133 0+4096 pid 2 fio proc mm:00000000bb ts 500000015000 dur 1000 line 14',
      // a weak event inside a syscall names its file
      '2 write 7:0:144 0+4096 pid 3 fio proc pid:3 ts 500000020000 dur 3000 line 16',
      '3 fallocate 254:0:77 0+4096 pid 4 fio proc pid:4 ts 500000030000 line 20',
    ]);
    expect(r.summary.lines).toEqual({
      total: 22, used: 13, bad: 0, badSamples: [],
      skipped: { 'contention-unfinished': 1, 'ext4-detail-outside-op': 1, 'header-comment': 4, 'raw-syscall-event': 2, 'setattr-outside-op': 1 },
    });
  });
});
