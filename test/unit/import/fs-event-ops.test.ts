/** Filesystem events: inside a syscall (file, position, direct IO) and outside one (fs-event ops, readahead, writeback), event by event. */
import { describe, expect, it } from 'vitest';
import { brief, HEADER, load } from './helpers.js';

const C = (pid: number, t: string, ev: string): string => `             fio-${pid}   [000] .....   ${t}: ${ev}`;
const run = (lines: string[], options = {}) => load(HEADER + lines.join('\n') + '\n', { lenient: true, ...options });
const short = (o: { kind: string; file: string; offset: number; lengthBytes: number; durNs?: number; parent?: number; line: number }): string =>
  `${o.kind} ${o.file} ${o.offset}+${o.lengthBytes}${o.durNs !== undefined ? ` dur ${o.durNs}` : ''}${o.parent !== undefined ? ` parent ${o.parent}` : ''} line ${o.line}`;
const samples = (r: { summary: { lines: { badSamples: string[] } }; path: string }): string[] => r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1));

describe('filesystem events inside a syscall', () => {
  it('direct IO is marked by iomap_dio_rw_begin or xfs_file_direct_* alone', async () => {
    const r = await run([
      C(1, '1.000000', 'sys_pread64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C(1, '1.000001', 'iomap_dio_rw_begin: dev 7:0 ino 0x85 size 0x4000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0'),
      C(1, '1.000002', 'sys_pread64 -> 0x1000'),
      C(2, '1.000010', 'sys_pread64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C(2, '1.000011', 'xfs_file_direct_read: dev 7:0 ino 0x85 disize 0x4000 pos 0x0 bytecount 0x1000'),
      C(2, '1.000012', 'sys_pread64 -> 0x1000'),
    ]);
    expect(r.ops.map((o) => `${o.pid} ${o.kind} ${o.file}`)).toEqual(['1 dio-read 7:0:133', '2 dio-read 7:0:133']);
  });

  it('a read(2) takes its position from the first event that prints one: iomap offset, ext4 pos, xfs pos', async () => {
    const r = await run([
      C(1, '1.000000', 'sys_read(fd: 3, buf: 0x1, count: 0x1000)'),
      C(1, '1.000001', 'iomap_dio_rw_begin: dev 7:0 ino 0x85 size 0x8000 offset 0x3000 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0'),
      C(1, '1.000002', 'sys_read -> 0x1000'),
      C(2, '1.000010', 'sys_write(fd: 3, buf: 0x1, count: 0x1000)'),
      C(2, '1.000011', 'ext4_da_write_begin: dev 254,0 ino 77 pos 8192 len 4096'),
      C(2, '1.000012', 'sys_write -> 0x1000'),
      C(3, '1.000020', 'sys_read(fd: 3, buf: 0x1, count: 0x1000)'),
      C(3, '1.000021', 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x8000 offset 0x0 count 0x1000'),
      C(3, '1.000022', 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x8000 pos 0x2000 bytecount 0x1000'),
      C(3, '1.000023', 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x8000 pos 0x5000 bytecount 0x1000'),
      C(3, '1.000024', 'sys_read -> 0x1000'),
    ]);
    expect(r.ops.map((o) => `${o.pid} ${o.kind} ${o.file} ${o.offset}`)).toEqual(['1 dio-read 7:0:133 12288', '2 write 254:0:77 8192', '3 read 7:0:133 8192']);
  });

  it('pages read inside a read(2): the first range gives the position; a get_pages without a range gives none', async () => {
    const r = await run([
      C(1, '1.000000', 'sys_read(fd: 3, buf: 0x1, count: 0x0)'),
      C(1, '1.000001', 'mm_filemap_get_pages: dev=7:0 ino=86'),
      C(1, '1.000002', 'mm_filemap_get_pages: dev=7:0 ino=86 ofs=4096-8191'),
      C(1, '1.000003', 'mm_filemap_get_pages: dev=7:0 ino=86 ofs=0-4095'),
      C(1, '1.000004', 'sys_read -> 0x0'),
    ]);
    expect(r.ops.map(short)).toEqual(['read 7:0:134 4096+4096 dur 4000 line 5']);
    expect(r.summary.lines.used).toBe(5);
  });

  it('a page dirtied or a readahead inside a syscall names its file when nothing else did', async () => {
    const r = await run([
      C(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C(1, '1.000001', 'writeback_dirty_folio: bdi 7:0: ino=133 index=0'),
      C(1, '1.000002', 'sys_pwrite64 -> 0x1000'),
      C(2, '1.000010', 'sys_pread64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C(2, '1.000011', 'page_cache_sync_ra: dev=7:0 ino=86 index=0 req_count=1'),
      C(2, '1.000012', 'sys_pread64 -> 0x1000'),
    ]);
    expect(r.ops.map((o) => `${o.pid} ${o.kind} ${o.file}`)).toEqual(['1 write 7:0:133', '2 read 7:0:134']);
  });

  it('an fsync\'s writeback of its own file is part of it; of another file, a child op', async () => {
    const r = await run([
      C(1, '1.000000', 'sys_fsync(fd: 3)'),
      C(1, '1.000001', 'iomap_writepage: dev 7:0 ino 0x85 size 0x4000 offset 0x0 length 0x1000'),
      C(1, '1.000002', 'xfs_file_fsync: dev 7:0 ino 0x85 flags 0x0'),
      C(1, '1.000003', 'iomap_writepage: dev 7:0 ino 0x85 size 0x4000 offset 0x1000 length 0x1000'),
      C(1, '1.000004', 'iomap_writepage: dev 7:0 ino 0x86 size 0x4000 offset 0x0 length 0x1000'),
      C(1, '1.000005', 'writeback_single_inode: bdi 7:0: ino=135 wrote=0'),
      C(1, '1.000006', 'writeback_single_inode: bdi btrfs-1: ino=1 wrote=1'),
      C(1, '1.000007', 'sys_fsync -> 0x0'),
    ]);
    expect(r.ops.map(short)).toEqual(['fsync 7:0:133 0+0 dur 7000 line 5', 'writeback 7:0:134 0+4096 parent 0 line 9']);
    expect(r.summary.lines).toEqual({ total: 12, used: 8, skipped: { 'header-comment': 4 }, bad: 0, badSamples: [] });
  });
});

describe('fs-event ops (no syscall around them)', () => {
  it('the kind of each xfs file event; one without the position it always prints is a bad line (it was an op at 0)', async () => {
    const r = await run([
      C(1, '1.000000', 'xfs_file_direct_read: dev 7:0 ino 0x85 disize 0x4000 pos 0x1000 bytecount 0x1000'),
      C(2, '1.000010', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x4000 pos 0x2000 bytecount 0x800'),
      C(3, '1.000020', 'xfs_file_buffered_write: dev 7:0 ino 0x85'),
      C(4, '1.000030', 'ext4_punch_hole: dev 254,0 ino 77 offset 4096 len 4096 mode '),
      C(5, '1.000040', 'xfs_free_file_space: dev 7:0 ino 0x85 iflags 0x0'),
      C(6, '1.000050', 'iomap_writepage: dev 7:0 ino 0x85 size 0x4000'),
      C(7, '1.000060', 'iomap_writepage: dev 7:0 ino 85 size 0x4000 offset 0x1000 length 0x1000'),
    ]);
    expect(r.ops.map(short)).toEqual([
      'dio-read 7:0:133 4096+4096 line 5', 'write 7:0:133 8192+2048 line 6', 'punch 254:0:77 4096+4096 line 8',
      'punch 7:0:133 0+0 line 9', 'writeback 7:0:133 0+0 line 10', 'writeback 7:0:133 4096+4096 line 11',
    ]);
    expect(samples(r)).toEqual(['7: xfs_file_buffered_write: no position in the event body (a number was expected)']);
  });

  it('a DIO begun by iomap (or a direct read) ends at its iomap_dio_complete; a buffered write has none', async () => {
    const r = await run([
      C(1, '1.000000', 'xfs_file_direct_read: dev 7:0 ino 0x85 disize 0x4000 pos 0x1000 bytecount 0x1000'),
      C(1, '1.000005', 'iomap_dio_complete: dev 7:0 ino 0x85 size 0x4000 offset 0x2000 flags DIRECT aio 0 error 0 ret 4096'),
      C(2, '1.000010', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x4000 pos 0x2000 bytecount 0x800'),
      C(2, '1.000015', 'iomap_dio_complete: dev 7:0 ino 0x85 size 0x4000 offset 0x2000 flags DIRECT aio 0 error 0 ret 4096'),
      C(3, '1.000020', 'iomap_dio_rw_begin: dev 7:0 ino 0x85 size 0x4000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0'),
      C(3, '1.000021', 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x4000 pos 0x0 bytecount 0x100'),
    ]);
    expect(r.ops.map(short)).toEqual([
      'dio-read 7:0:133 4096+4096 dur 5000 line 5', 'write 7:0:133 8192+2048 line 7', 'dio-write 7:0:133 0+4096 line 9', 'read 7:0:133 0+256 line 10',
    ]);
    expect(r.summary.lines.skipped).toEqual({ 'dio-complete-without-begin': 1, 'header-comment': 4 });
  });

  it('ext4 write chunks merge only for the same file, event and kind, a page-aligned next position (or the same), within 20 µs', async () => {
    const r = await run([
      // 4096+4096 then 8192+4096 exactly 20 µs later: one write of 8 KiB
      C(1, '1.000000', 'ext4_da_write_begin: dev 254,0 ino 77 pos 4096 len 4096'),
      C(1, '1.000020', 'ext4_da_write_begin: dev 254,0 ino 77 pos 8192 len 4096'),
      // another inode
      C(1, '1.000030', 'ext4_da_write_begin: dev 254,0 ino 78 pos 12288 len 4096'),
      // not the next position
      C(1, '1.000035', 'ext4_da_write_begin: dev 254,0 ino 78 pos 20480 len 100'),
      // the next position, but the last chunk did not end on a page
      C(1, '1.000040', 'ext4_da_write_begin: dev 254,0 ino 78 pos 20580 len 100'),
      // another event name
      C(1, '1.000045', 'ext4_write_begin: dev 254,0 ino 78 pos 20680 len 100'),
      // after a punch on the same file
      C(2, '1.000050', 'ext4_punch_hole: dev 254,0 ino 79 offset 0 len 4096 mode '),
      C(2, '1.000055', 'ext4_da_write_begin: dev 254,0 ino 79 pos 0 len 4096'),
      // two xfs writes on one file are two ops
      C(3, '1.000060', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x1000'),
      C(3, '1.000061', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x1000'),
    ]);
    expect(r.ops.map(short)).toEqual([
      'write 254:0:77 4096+8192 line 5', 'write 254:0:78 12288+4096 line 7', 'write 254:0:78 20480+100 line 8', 'write 254:0:78 20580+100 line 9',
      'write 254:0:78 20680+100 line 10', 'punch 254:0:79 0+4096 line 11', 'write 254:0:79 0+4096 line 12', 'write 7:0:133 0+4096 line 13', 'write 7:0:133 0+4096 line 14',
    ]);
  });

  it('a page dirtied inside a write does not move its last event time; inside a fault, it does', async () => {
    const r = await run([
      C(1, '1.000000', 'ext4_da_write_begin: dev 254,0 ino 77 pos 0 len 4096'),
      C(1, '1.000015', 'writeback_dirty_folio: bdi 254:0: ino=77 index=0'),
      C(1, '1.000025', 'ext4_da_write_begin: dev 254,0 ino 77 pos 4096 len 4096'),
      C(2, '1.000100', 'page_fault_user: address=0x7f ip=0x7f error_code=0x6'),
      C(2, '1.000101', 'xfs_write_fault: dev 7:0 ino 0x85 order 0'),
      C(2, '1.000110', 'writeback_dirty_folio: bdi 7:0: ino=133 index=0'),
    ]);
    expect(r.ops.map(short)).toEqual(['write 254:0:77 0+4096 line 5', 'write 254:0:77 4096+4096 line 7', 'fault-write 7:0:133 0+0 dur 10000 line 8']);
    expect(r.summary.lines.used).toBe(6);
  });

  it('pages read outside a syscall: one op per file; a range is needed', async () => {
    const r = await run([
      C(1, '1.000000', 'ext4_da_write_begin: dev 254,0 ino 77 pos 0 len 4096'),
      C(1, '1.000001', 'mm_filemap_get_pages: dev=254:0 ino=4e ofs=4096-8191'),
      C(2, '1.000010', 'mm_filemap_get_pages: dev=254:0 ino=4e'),
      C(3, '1.000020', 'mm_filemap_get_pages: ofs=0-4095'),
    ]);
    expect(r.ops.map(short)).toEqual(['write 254:0:77 0+4096 line 5', 'read 254:0:78 4096+4096 line 6']);
    expect(samples(r)).toEqual(['7: mm_filemap_get_pages: no device and inode in the event body', '8: mm_filemap_get_pages: no device and inode in the event body']);
  });

  it('readahead: part of a fault, a read or a readahead before it; after a write, an op of its own; a page when it has no count', async () => {
    const r = await run([
      C(1, '1.000000', 'page_fault_user: address=0x7f ip=0x7f error_code=0x4'),
      C(1, '1.000001', 'xfs_read_fault: dev 7:0 ino 0x85 order 0'),
      C(1, '1.000002', 'page_cache_sync_ra: dev=7:0 ino=85 index=2 req_count=4'),
      C(2, '1.000010', 'page_cache_sync_ra: dev=7:0 ino=85 index=2 req_count=4'),
      C(2, '1.000011', 'page_cache_async_ra: dev=7:0 ino=85 index=6 req_count=4'),
      C(3, '1.000020', 'ext4_da_write_begin: dev 254,0 ino 77 pos 0 len 4096'),
      C(3, '1.000021', 'page_cache_sync_ra: dev=254:0 ino=4d index=0'),
      C(4, '1.000030', 'page_cache_sync_ra: dev=7:0 ino=85 index=1 req_count=0'),
      C(5, '1.000040', 'page_cache_sync_ra: dev=7:0 ino=85'),
    ]);
    expect(r.ops.map(short)).toEqual([
      'fault-read 7:0:133 0+0 dur 1000 line 5', 'readahead 7:0:133 8192+16384 line 8', 'write 254:0:77 0+4096 line 10', 'readahead 254:0:77 0+4096 line 11',
      'readahead 7:0:133 4096+4096 line 12',
    ]);
    expect(samples(r)).toEqual(['13: page_cache_sync_ra: no device and inode in the event body']);
  });
});

describe('writeback', () => {
  it('outside a syscall it ends the task\'s fs-event op; an ext4 range of one byte; a range to EOF is the file\'s size from its start', async () => {
    const r = await run([
      C(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x4000, pos: 0x0)'),
      C(1, '1.000001', 'ext4_da_write_begin: dev 254,0 ino 9 pos 0 len 16384'),
      C(1, '1.000002', 'sys_pwrite64 -> 0x4000'),
      C(2, '1.000010', 'ext4_da_write_begin: dev 254,0 ino 77 pos 0 len 4096'),
      C(2, '1.000011', 'iomap_writepage: dev 7:0 ino 0x85 size 0x4000 offset 0x0 length 0x1000'),
      C(2, '1.000012', 'ext4_da_write_begin: dev 254,0 ino 77 pos 4096 len 4096'),
      C(3, '1.000020', 'ext4_writepages: dev 254,0 ino 9 nr_to_write 1 pages_skipped 0 range_start 4096 range_end 4096 sync_mode 0'),
      C(3, '1.000021', 'ext4_writepages: dev 254,0 ino 9 nr_to_write 1 pages_skipped 0 range_start 4096 range_end 9223372036854775807 sync_mode 0'),
      C(3, '1.000022', 'ext4_writepages: dev 254,0 ino 10 nr_to_write 1 pages_skipped 0 range_start 0 range_end 9223372036854775807 sync_mode 0'),
    ]);
    expect(r.ops.map(short)).toEqual([
      'write 254:0:9 0+16384 dur 2000 line 5', 'write 254:0:77 0+4096 line 8', 'writeback 7:0:133 0+4096 line 9', 'write 254:0:77 4096+4096 line 10',
      'writeback 254:0:9 4096+1 line 11', 'writeback 254:0:9 4096+12288 line 12', 'writeback 254:0:10 0+0 line 13',
    ]);
  });

  it('a writeback_single_inode summary that wrote pages is the whole inode, 0+0', async () => {
    const r = await run([
      C(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x4000, pos: 0x0)'),
      C(1, '1.000001', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x4000'),
      C(1, '1.000002', 'sys_pwrite64 -> 0x4000'),
      C(2, '1.000010', 'writeback_single_inode: bdi 7:0: ino=133 state=I_SYNC wrote=4'),
    ]);
    expect(r.ops.map(short)).toEqual(['write 7:0:133 0+16384 dur 2000 line 5', 'writeback 7:0:133 0+0 line 8']);
  });

  it('a writeback naming no inode is a bad line; a nameless device is skipped', async () => {
    const r = await run([
      C(1, '1.000000', 'iomap_writepage: dev 7:0 size 0x4000 offset 0x0 length 0x1000'),
      C(1, '1.000001', 'writeback_single_inode: bdi (unknown): ino=10 wrote=3'),
    ]);
    expect(r.ops).toEqual([]);
    expect(samples(r)).toEqual(['5: iomap_writepage: no device and inode in the event body']);
    expect(r.summary.lines.skipped).toEqual({ 'header-comment': 4, 'writeback-unknown-bdi': 1 });
  });
});
