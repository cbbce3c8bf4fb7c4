/** The syscall tracker's details: exits that do not match, argument radix, positions and lengths from events, file sizes, fds named by the recorder's scan. */
import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { OpBuilder } from '../../../src/import/op-builder.js';
import { SelectingSink } from '../../../src/import/selection.js';
import type { Op } from '../../../src/model/op.js';
import { brief, HEADER, imported, load } from './helpers.js';

const run = (lines: string[], options = {}) => load(HEADER + lines.join('\n') + '\n', { lenient: true, ...options });
const samples = (r: { summary: { lines: { badSamples: string[] } }; path: string }): string[] => r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1));

describe('syscall enter and exit', () => {
  it('the exit of another syscall does not end the open one', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_pread64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '1.000001', 'sys_pwrite64 -> 0x200'),
      L(1, '1.000002', 'sys_pread64 -> 0x1000'),
    ]);
    expect(r.ops.map(brief)).toEqual(['0 read fd:1:3 0+4096 pid 1 fio proc pid:1 ts 1000000000 dur 2000 line 5']);
    expect(r.summary.lines.skipped).toEqual({ 'header-comment': 4, 'syscall-exit-without-enter': 1 });
  });

  it('an exit before its enter is a bad line; the enter\'s lines go with it', () => {
    const counter = new LineCounter();
    const ops: Op[] = [];
    const b = new OpBuilder(new SelectingSink({ op: (o) => ops.push(o), lock: () => {} }, counter), counter, new BadLines('in', true, counter));
    expect(b.handle({ pid: 1, tgid: -1, comm: 'fio', tsNs: 100, event: 'sys_pread64', phase: 1, body: 'fd: 3, count: 0x10, pos: 0x0' }, 1)).toBeUndefined();
    expect(b.handle({ pid: 1, tgid: -1, comm: 'fio', tsNs: 50, event: 'sys_pread64', phase: 2, body: '0x10' }, 2)).toBe('sys_pread64: duration -50 ns is negative');
    b.finish();
    expect(ops).toEqual([]);
    expect(counter.result().skipped).toEqual({ 'syscall-with-bad-exit': 1 });
  });
});

describe('syscall arguments', () => {
  it('without 0x, arguments are hex only when one has a hex letter; a letter after several digits, or in the last argument, counts', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_pwrite64(fd: 7, count: 4096, pos: 8192)'),
      L(1, '1.000001', 'sys_pwrite64 -> 0x1000'),
      L(2, '1.000010', 'sys_pwrite64(fd: 7, count: 10, pos: 12ab)'),
      L(2, '1.000011', 'sys_pwrite64 -> 0x0'),
      L(3, '1.000020', 'sys_pwrite64(fd: 7, buf: 0x1, count: 1000, pos: 8192)'),
      L(3, '1.000021', 'sys_pwrite64 -> 0x0'),
      L(4, '1.000030', 'sys_pwrite64(fd: 7, count: 1000, pos: 3dc000)'),
      L(4, '1.000031', 'sys_pwrite64 -> 0x0'),
    ]);
    expect(r.ops.map((o) => `${o.pid} ${o.offset}+${o.lengthBytes}`)).toEqual(['1 8192+4096', '2 4779+16', '3 8192+1000', '4 4046848+4096']);
  });

  it('preadv/pwritev print the position as pos_l', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_preadv(fd: 3, vec: 0x1, vlen: 0x1, pos_l: 0x2000, pos_h: 0x0)'),
      L(1, '1.000001', 'sys_preadv -> 0x800'),
    ]);
    expect(r.ops.map(brief)).toEqual(['0 read fd:1:3 8192+2048 pid 1 fio proc pid:1 ts 1000000000 dur 1000 line 5']);
  });

  it('read(2) has no position: a filesystem event inside gives it, else 0; a read of nothing is as long as it asked, or as the pages it read', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_read(fd: 3, buf: 0x1, count: 0x1000)'),
      L(1, '1.000001', 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x4000 pos 0x2000 bytecount 0x1000'),
      L(1, '1.000002', 'sys_read -> 0x0'),
      L(1, '1.000010', 'sys_read(fd: 4, buf: 0x1, count: 0x1000)'),
      L(1, '1.000011', 'sys_read -> 0x1000'),
      L(1, '1.000020', 'sys_read(fd: 5, buf: 0x1, count: 0x0)'),
      L(1, '1.000021', 'mm_filemap_get_pages: dev=7:0 ino=86 ofs=4096-12287'),
      L(1, '1.000022', 'sys_read -> 0x0'),
      L(1, '1.000030', 'sys_read(fd: 6, buf: 0x1, count: 0x0)'),
      L(1, '1.000031', 'sys_read -> 0x0'),
    ]);
    expect(r.ops.map((o) => `${o.file} ${o.offset}+${o.lengthBytes}`)).toEqual(['7:0:133 8192+4096', 'fd:1:4 0+4096', '7:0:134 4096+8192', 'fd:1:6 0+0']);
  });

  it('an mmap without a length, a fallocate without a range, an ftruncate without a length: 0', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_mmap(addr: 0x0)'),
      L(1, '1.000001', 'sys_mmap -> 0x7f0000000000'),
      L(1, '1.000010', 'sys_fallocate(fd: 3, mode: 0x0)'),
      L(1, '1.000011', 'sys_fallocate -> 0x0'),
      L(1, '1.000020', 'sys_ftruncate(fd: 3)'),
      L(1, '1.000021', 'sys_ftruncate -> 0x0'),
    ]);
    expect(r.ops.map((o) => `${o.kind} ${o.file} ${o.offset}+${o.lengthBytes}`)).toEqual(['mmap pid:1 0+0', 'fallocate fd:1:3 0+0', 'truncate fd:1:3 0+0']);
    expect(r.summary.lines.bad).toBe(0);
  });
});

describe('what a syscall teaches about its file', () => {
  it('direct writes are dio-write', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '1.000001', 'xfs_file_direct_write: dev 7:0 ino 0x85 disize 0x4000 pos 0x0 bytecount 0x1000'),
      L(1, '1.000002', 'sys_pwrite64 -> 0x1000'),
    ]);
    expect(r.ops.map((o) => o.kind)).toEqual(['dio-write']);
  });

  it('writes grow the file (reads, punches and a smaller write do not): a truncate removes up to that size', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x3000, pos: 0x1000)'),
      L(1, '1.000001', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x1000 bytecount 0x3000'),
      L(1, '1.000002', 'sys_pwrite64 -> 0x3000'),
      L(1, '1.000010', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '1.000012', 'sys_pwrite64 -> 0x1000'),
      L(1, '1.000020', 'sys_pread64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x9000)'),
      L(1, '1.000022', 'sys_pread64 -> 0x1000'),
      L(1, '1.000030', 'sys_fallocate(fd: 3, mode: 0x3, offset: 0x10000, len: 0x1000)'),
      L(1, '1.000032', 'sys_fallocate -> 0x0'),
      L(1, '1.000040', 'sys_ftruncate(fd: 3, length: 0x1000)'),
      L(1, '1.000042', 'sys_ftruncate -> 0x0'),
    ]);
    expect(r.ops.map((o) => `${o.kind} ${o.offset}+${o.lengthBytes}`)).toEqual(['write 4096+12288', 'write 0+4096', 'read 36864+4096', 'punch 65536+4096', 'truncate 4096+12288']);
  });

  it('a range past 2^53 bytes is refused and sizes nothing; one that ends at 2^53 - 1 sizes the file', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_fallocate(fd: 3, mode: 0x0, offset: 0x0, len: 0x20000000000000)'),
      L(1, '1.000002', 'sys_fallocate -> 0x0'),
      L(1, '1.000010', 'sys_ftruncate(fd: 3, length: 0x0)'),
      L(1, '1.000012', 'sys_ftruncate -> 0x0'),
      L(2, '1.000020', 'sys_fallocate(fd: 3, mode: 0x0, offset: 0x0, len: 0x1fffffffffffff)'),
      L(2, '1.000022', 'sys_fallocate -> 0x0'),
      L(2, '1.000030', 'sys_ftruncate(fd: 3, length: 0x0)'),
      L(2, '1.000032', 'sys_ftruncate -> 0x0'),
    ]);
    expect(r.ops.map((o) => `${o.pid} ${o.kind} ${o.offset}+${o.lengthBytes}`)).toEqual(['1 truncate 0+0', '2 fallocate 0+9007199254740991', '2 truncate 0+9007199254740991']);
    expect(samples(r)).toEqual(['5: sys_fallocate: offset beyond 2^53 bytes is not supported (offset 0, length 9007199254740992)']);
  });

  it('the fd key is the thread group\'s; fd 0 is an fd like any other', async () => {
    const r = await load(HEADER + [
      '             fio-12734   (  12730) [000] .....   1.000000: sys_pwrite64(fd: 7, buf: 0x1, count: 0x1000, pos: 0x0)',
      '             fio-12734   (  12730) [000] .....   1.000001: sys_pwrite64 -> 0x1000',
      L(5, '1.000010', 'sys_pread64(fd: 0, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(5, '1.000011', 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x4000 pos 0x0 bytecount 0x1000'),
      L(5, '1.000012', 'sys_pread64 -> 0x1000'),
      L(5, '1.000020', 'sys_pread64(fd: 0, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(5, '1.000022', 'sys_pread64 -> 0x1000'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => o.file)).toEqual(['fd:12730:7', '7:0:133', '7:0:133']);
  });

  it('a truncate(2) by path never ties fd -1 to a file', async () => {
    const r = await run([
      L(1, '1.000000', 'sys_truncate(path: 0x1, length: 0x0)'),
      L(1, '1.000002', 'sys_truncate -> 0x0'),
      L(1, '1.000010', 'sys_truncate(path: 0x1, length: 0x0)'),
      L(1, '1.000011', 'xfs_setattr: dev 7:0 ino 0x85 iflags 0x0'),
      L(1, '1.000012', 'sys_truncate -> 0x0'),
    ]);
    expect(r.ops.map((o) => o.file)).toEqual(['fd:1:-1', '7:0:133']);
    expect(r.summary.fileAliases).toBeUndefined();
  });

  it('the recorder\'s scan of an fd wins over a weak event inside the syscall (fd 0 too)', async () => {
    const r = await load('# tracer: nop\n#P:2\n# lockreplay fd: 1 0 7:0:134\n' + [
      L(1, '1.000000', 'sys_fallocate(fd: 0, mode: 0x3, offset: 0x0, len: 0x1000)'),
      L(1, '1.000001', 'xfs_setattr: dev 7:0 ino 0x99 iflags 0x0'),
      L(1, '1.000002', 'sys_fallocate -> 0x0'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => `${o.kind} ${o.file}`)).toEqual(['punch 7:0:134']);
    expect(r.summary.notes).toEqual([]);
  });
});

const L = (pid: number, t: string, ev: string): string => `             fio-${pid}   [000] .....   ${t}: ${ev}`;

describe('syscalls', () => {
  it('a write that wrote nothing does not grow the file', async () => {
    const r = await load(HEADER + [
      L(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x8000)'),
      L(1, '1.000001', 'sys_pwrite64 -> 0x0'),
      L(1, '1.000010', 'sys_ftruncate(fd: 3, length: 0x0)'),
      L(1, '1.000011', 'sys_ftruncate -> 0x0'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => `${o.kind} ${o.offset}+${o.lengthBytes}`)).toEqual(['write 32768+4096', 'truncate 0+0']);
  });

  it('a filesystem event naming the inode wins over the recorder\'s scan of the fd', async () => {
    const r = await load('# tracer: nop\n#P:2\n# lockreplay fd: 1 3 7:0:134\n' + [
      L(1, '1.000000', 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(1, '1.000001', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x0 bytecount 0x1000'),
      L(1, '1.000002', 'sys_pwrite64 -> 0x1000'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => o.file)).toEqual(['7:0:133']);
  });

  it('an fd 0 named by an earlier syscall names the next one on it, as it is released', async () => {
    const r = await imported(HEADER + [
      L(5, '1.000010', 'sys_pread64(fd: 0, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(5, '1.000011', 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x4000 pos 0x0 bytecount 0x1000'),
      L(5, '1.000012', 'sys_pread64 -> 0x1000'),
      L(5, '1.000020', 'sys_pread64(fd: 0, buf: 0x1, count: 0x1000, pos: 0x0)'),
      L(5, '1.000022', 'sys_pread64 -> 0x1000'),
      '',
    ].join('\n'));
    expect(r.ops.map((o) => o.file)).toEqual(['7:0:133', '7:0:133']);
    expect(r.summary.fileAliases).toBeUndefined();
  });
});
