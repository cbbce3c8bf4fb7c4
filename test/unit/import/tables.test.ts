/**
 * The importers' module-level tables (the events and syscalls the builder knows, CSV presets, fio
 * actions, the blkparse line layout, irq-flag characters, the op stream's header): each test loads
 * its module afresh (vi.resetModules), so the tables it checks are built inside the test.
 */
import { describe, expect, it, vi } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { BlockOpBuilder } from '../../../src/import/block.js';
import type { CsvMapping } from '../../../src/import/csv.js';
import type { KernelEvent } from '../../../src/import/op-builder.js';
import { OpBuilder } from '../../../src/import/op-builder.js';
import { SelectingSink } from '../../../src/import/selection.js';
import type { ObservedLock, Op } from '../../../src/model/op.js';
import { brief, load } from './helpers.js';

function harness(lenient = true) {
  const counter = new LineCounter();
  const ops: Op[] = [];
  const locks: ObservedLock[] = [];
  const out = new SelectingSink({ op: (o) => ops.push(o), lock: (l) => locks.push(l) }, counter);
  const badLines = new BadLines('in', lenient, counter);
  return { counter, ops, locks, out, badLines };
}

/** feeds lines to a parser's line(text, start, end, lineNo, bytes, base) */
function feed(parser: { line(text: string, start: number, end: number, no: number, bytes: Uint8Array, base: number): void }, lines: string[]): void {
  lines.forEach((l, i) => parser.line(l, 0, l.length, i + 1, Buffer.from(l, 'latin1'), 0));
}

describe('the builder\'s event catalogue', () => {
  it('every filesystem, fault, writeback, lock and wait event it knows is handled, none skipped as irrelevant', async () => {
    vi.resetModules();
    const { OpBuilder: FreshBuilder } = await import('../../../src/import/op-builder.js');
    const h = harness();
    const b = new FreshBuilder(h.out, h.counter, h.badLines);
    const names = [
      'xfs_file_buffered_read', 'xfs_file_buffered_write', 'xfs_file_direct_read', 'xfs_file_direct_write', 'xfs_file_dax_read', 'xfs_file_dax_write',
      'iomap_dio_rw_begin', 'iomap_dio_complete', 'ext4_da_write_begin', 'ext4_write_begin', 'ext4_punch_hole', 'ext4_zero_range', 'ext4_collapse_range',
      'ext4_insert_range', 'ext4_fallocate_enter', 'ext4_truncate_enter', 'xfs_free_file_space', 'xfs_zero_file_space', 'xfs_file_fsync', 'ext4_sync_file_enter',
      'ext4_writepages', 'iomap_writeback_folio', 'iomap_writepage', 'writeback_single_inode', 'writeback_dirty_folio', 'writeback_dirty_page',
      'page_cache_sync_ra', 'page_cache_async_ra', 'iomap_readahead', 'mm_filemap_get_pages', 'page_fault_user', 'mm_filemap_fault', 'mm_filemap_map_pages',
      'xfs_read_fault', 'xfs_write_fault', 'xfs_filemap_fault', 'mmap_lock_start_locking', 'mmap_lock_acquire_returned', 'mmap_lock_released',
      'xfs_ilock', 'xfs_ilock_nowait', 'xfs_ilock_demote', 'xfs_iunlock', 'xfs_setattr', 'xfs_itruncate_extents_start', 'contention_begin', 'contention_end',
      'f2fs_write_begin', 'f2fs_sync_file_enter', 'f2fs_write_end', 'f2fs_sync_file_exit', 'ext4_truncate_exit', 'ext4_writepages_result', 'ext4_sync_file_exit',
      'ext4_fallocate_exit', 'ext4_da_write_end', 'ext4_write_end', 'sched_wakeup', 'sched_switch',
    ];
    // (every field of every event's body: pos and bytecount as xfs_file_* print them)
    const body = 'dev 7:0 ino 0x85 bdi 7:0: ino=133 mm=00000000aa ofs=0-4095 index=0 wrote=1 pos 0 len 4096 bytecount 0x1000 offset 0x0 length 0x1000 error_code=0x6 flags IOLOCK_EXCL caller x';
    names.forEach((event, i) => {
      // each on a task of its own, a millisecond apart, so that no event continues another's op
      const ev: KernelEvent = { pid: 100 + i, tgid: -1, comm: 'fio', tsNs: 1e9 + i * 1e6, event, phase: 0, body: event === 'contention_begin' ? '00000000ff (flags=WRITE)' : event === 'contention_end' ? '00000000ff (ret=0)' : event === 'sched_wakeup' ? 'comm=fio pid=5 prio=120 target_cpu=000' : event === 'sched_switch' ? 'prev_comm=x prev_pid=6 prev_prio=120 prev_state=S ==> next_comm=fio next_pid=5 next_prio=120' : body };
      expect(b.handle(ev, i + 1), event).toBeUndefined();
    });
    b.handle({ pid: 1, tgid: -1, comm: 'fio', tsNs: 2e9, event: 'sched_stat_runtime', phase: 0, body: '' }, 999);
    b.finish();
    const r = h.counter.result();
    expect(r.skipped['irrelevant-event']).toBe(1);
    expect(r.total).toBe(names.length + 1);
  });

  it('every syscall it follows, by its kind of work', async () => {
    vi.resetModules();
    const { OpBuilder: FreshBuilder } = await import('../../../src/import/op-builder.js');
    const h = harness();
    const b = new FreshBuilder(h.out, h.counter, h.badLines);
    const syscalls = ['sys_mmap', 'sys_munmap', 'sys_read', 'sys_pread64', 'sys_readv', 'sys_preadv', 'sys_preadv2', 'sys_write', 'sys_pwrite64', 'sys_writev',
      'sys_pwritev', 'sys_pwritev2', 'sys_fallocate', 'sys_ftruncate', 'sys_truncate', 'sys_fsync', 'sys_fdatasync'];
    syscalls.forEach((event, i) => {
      const t = 1e9 + i * 1e6;
      b.handle({ pid: 100 + i, tgid: -1, comm: 'fio', tsNs: t, event, phase: 1, body: 'fd: 3, buf: 0x1, count: 0x1000, pos: 0x2000, mode: 0x0, offset: 0x0, len: 0x1000, length: 0x0' }, 2 * i + 1);
      b.handle({ pid: 100 + i, tgid: -1, comm: 'fio', tsNs: t + 1000, event, phase: 2, body: '0x1000' }, 2 * i + 2);
    });
    b.handle({ pid: 1, tgid: -1, comm: 'fio', tsNs: 2e9, event: 'sys_newfstatat', phase: 1, body: 'dfd: 0x1' }, 99);
    b.finish();
    expect(h.ops.map((o) => `${o.kind} ${o.file} ${o.offset}+${o.lengthBytes}`)).toEqual([
      'mmap pid:100 0+4096', 'munmap pid:101 0+4096',
      ...[102, 103, 104, 105, 106].map((p) => `read fd:${p}:3 8192+4096`),
      ...[107, 108, 109, 110, 111].map((p) => `write fd:${p}:3 8192+4096`),
      'fallocate fd:112:3 0+4096', 'truncate fd:113:3 0+0', 'truncate fd:114:-1 0+0', 'fsync fd:115:3 0+0', 'fsync fd:116:3 0+0',
    ]);
    expect(h.counter.result().skipped).toEqual({ 'untracked-syscall': 1 });
  });
});

describe('the ftrace reader\'s tables', () => {
  it('events of the subsystems the builder reads are never continued by a prefix-less line; [FAILED TO PARSE] is the marker', async () => {
    vi.resetModules();
    const { FtraceLineParser } = await import('../../../src/import/ftrace.js');
    const h = harness();
    const parser = new FtraceLineParser(new OpBuilder(h.out, h.counter, h.badLines), new BlockOpBuilder(h.out, h.counter, h.badLines), h.counter, h.badLines);
    const names = ['sys_x', 'xfs_x', 'ext4_x', 'f2fs_x', 'iomap_x', 'mm_filemap_x', 'writeback_x', 'mmap_lock_x', 'page_cache_x', 'page_fault_x'];
    feed(parser, [
      ...names.flatMap((n, i) => [`fio-1 [000] 1.00000${i}: ${n}: y`, '  more']),
      'fio-1 [000] 2.000000: thermal_x: y', '  more',
      'fio-1 [000] 2.000001: xfs_ilock: [FAILED TO PARSE] x', 'fio-1 [000] 2.000002: xfs_ilock: [failed to parse] x',
    ]);
    parser.finish();
    expect(h.counter.result()).toEqual({
      total: 24, used: 0, bad: 11,
      skipped: { 'failed-to-parse': 1, 'irrelevant-event': 11, 'payload-continuation': 1 },
      badSamples: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20].map((n) => `in:${n}: no "[CPU]" field: not an ftrace event line`),
    });
  });

  it('the irq-info flag characters; fractions of a second of any number of digits', async () => {
    vi.resetModules();
    const { parseFtraceLine, newEventFields, LineType } = await import('../../../src/import/ftrace-prefix.js');
    const ev = newEventFields();
    for (const flags of ['.dDb', 'XNnp', 'BLlZ', 'zHhs', '0123', '4567', '89ab', 'cdef']) {
      expect(parseFtraceLine(`fio-1 [000] ${flags} 1.5: ev: x`, ev), flags).toBe(LineType.Event);
    }
    expect(parseFtraceLine('fio-1 [000] ..y. 1.5: ev: x', ev)).toBe(LineType.Bad);
    const ts = (frac: string): number => {
      parseFtraceLine(`fio-1 [000] 2.${frac}: ev: x`, ev);
      return ev.tsNs;
    };
    expect(['1', '12', '123', '1234', '12345', '123456', '1234567', '12345678', '123456789'].map(ts)).toEqual([
      2_100_000_000, 2_120_000_000, 2_123_000_000, 2_123_400_000, 2_123_450_000, 2_123_456_000, 2_123_456_700, 2_123_456_780, 2_123_456_789,
    ]);
  });
});

describe('the other formats\' tables', () => {
  it('fio iolog actions', async () => {
    vi.resetModules();
    const { FioIologParser } = await import('../../../src/import/fio-iolog.js');
    const h = harness();
    const p = new FioIologParser(h.out, h.counter, h.badLines);
    feed(p, ['fio version 3 iolog', '1 f read 0 1', '2 f write 0 2', '3 f trim 0 3', '4 f sync 0 0', '5 f datasync 0 0', '6 f unmap 0 1']);
    expect(h.ops.map((o) => `${o.kind} ${o.lengthBytes}`)).toEqual(['read 1', 'write 2', 'punch 3', 'fsync 0', 'fsync 0']);
    expect(h.counter.result().badSamples).toEqual(['in:7: unknown action "unmap" (add, open, close, wait, read, write, trim, sync, datasync)']);
  });

  it('the blkparse line layout', async () => {
    vi.resetModules();
    const { BlkparseLineParser } = await import('../../../src/import/blkparse.js');
    const h = harness();
    const blocks = new BlockOpBuilder(h.out, h.counter, h.badLines);
    const p = new BlkparseLineParser(blocks, h.counter, h.badLines);
    feed(p, [
      '259,16  12      123     0.000000100    22  Q  WS 8 + 8 [fio]',
      '  8,0 1 1 1.000000200 7 Q R 16 + 8 [a b]',
      '8,0 1 1 1.000000300 7 Q R 24 + 8 [fio] extra',
      'x 8,0 1 1 1.000000400 7 Q R 32 + 8 [fio]',
      '8,0 1 1 1 7 Q R 40 + 8 [fio]',
      '8,0 1 1 1.000000500 7',
    ]);
    blocks.finish();
    expect(h.ops.map((o) => `${o.kind} ${o.file} ${o.offset} ${o.tsNs} ${o.pid} ${o.comm}`)).toEqual([
      'write blk:259:16 4096 100 22 fio', 'read blk:8:0 8192 1000000200 7 a b', 'read blk:8:0 12288 1000000300 7 fio',
    ]);
    expect(h.counter.result().badSamples.map((s) => s.slice(0, 5))).toEqual(['in:4:', 'in:5:', 'in:6:']);
  });

  it('CSV presets: columns, units, read and write values, header, separator', async () => {
    vi.resetModules();
    const { CSV_PRESETS, describeMapping } = await import('../../../src/import/csv.js');
    const run = async (preset: string, text: string) => {
      const mapping = CSV_PRESETS[preset].mapping as CsvMapping;
      const r = await load(text, { format: 'csv', csvMapping: mapping, lenient: true });
      return { detail: describeMapping(mapping), ops: r.ops.map((o) => brief(o).replace(/ pid 1 \S+ proc/, ' proc')), lines: r.summary.lines };
    };
    expect(Object.keys(CSV_PRESETS)).toEqual(['msr', 'alibaba', 'tencent', 'systor', 'cloudphysics', 'disksim']);
    const msr = await run('msr', '128166372003061629,hm,1,Read,383496192,32768,1331\n128166372016382155,hm,1,Write,0,512,0\n128166372016382156,hm,1,Read,0,512\n');
    expect(msr.detail).toBe('columns ts=0 op=3 offset=4 length=5 file=2 response=6; time in filetime; offset in bytes, length in bytes; read = Read, write = Write');
    expect(msr.ops).toEqual([
      // (the ticks after the first row's, subtracted exactly as integers, then made ns)
      '0 read vol:1 383496192+32768 proc pid:1 ts 0 dur 133100 line 1',
      `1 write vol:1 0+512 proc pid:1 ts ${Number((128166372016382155n - 128166372003061629n) * 100n)} line 2`,
    ]);
    expect(msr.lines.badSamples.map((s) => s.replace(/^.*?:(\d+):/, '$1:'))).toEqual(['3: a row of 6 columns, not 7']);
    const ali = await run('alibaba', '3,R,126703616,4096,1577808144000000\n3,W,4096,512,1577808144000001\n3,W,0,1\n');
    expect(ali.detail).toBe('columns ts=4 op=1 offset=2 length=3 file=0; time in us; offset in bytes, length in bytes; read = R, write = W');
    // (epoch times count from the first row's, exactly: csv-clock.ts)
    expect(ali.ops).toEqual(['0 read vol:3 126703616+4096 proc pid:1 ts 0 line 1', '1 write vol:3 4096+512 proc pid:1 ts 1000 line 2']);
    expect(ali.lines.bad).toBe(1);
    const tencent = await run('tencent', '1538323200,12345,8,0,1063\n1538323201,100,16,1,1063\n1538323202,100,16,1\n');
    expect(tencent.detail).toBe('columns ts=0 op=3 offset=1 length=2 file=4; time in s; offset in sectors, length in sectors; read = 0, write = 1');
    expect(tencent.ops).toEqual(['0 read vol:1063 6320640+4096 proc pid:1 ts 0 line 1', '1 write vol:1063 51200+8192 proc pid:1 ts 1000000000 line 2']);
    expect(tencent.lines.bad).toBe(1);
    const systor = await run('systor', 'Timestamp,Response,IOType,LUN,Offset,Size\n1487079000.5,0.000532,R,0,4096,8192\n1487079001,0.001,W,1,0,512\n1487079002,0.001,W,1,0\n');
    expect(systor.detail).toBe('columns ts=0 op=2 offset=4 length=5 file=3 response=1; time in s; offset in bytes, length in bytes; read = R, write = W');
    expect(systor.ops).toEqual(['0 read vol:0 4096+8192 proc pid:1 ts 0 dur 532000 line 2', '1 write vol:1 0+512 proc pid:1 ts 500000000 dur 1000000 line 3']);
    expect(systor.lines.skipped).toEqual({ header: 1 });
    expect(systor.lines.bad).toBe(1);
    const cp = await run('cloudphysics', 'version,time,op,size,lbn\n0,1,2a,512,2\n0,2,28,1024,4\n0,3,08,512,0\n0,4,88,512,0\n0,5,a8,512,0\n0,6,0a,512,0\n0,7,8a,512,0\n0,8,aa,512,0\n0,9,2a,512\n');
    expect(cp.detail).toBe('columns ts=1 op=2 offset=4 length=3; time in s; offset in sectors, length in bytes; read = 28|08|88|a8, write = 2a|0a|8a|aa');
    expect(cp.ops.map((o) => o.split(' ').slice(1, 4).join(' '))).toEqual([
      'write vol:0 1024+512', 'read vol:0 2048+1024', 'read vol:0 0+512', 'read vol:0 0+512', 'read vol:0 0+512', 'write vol:0 0+512', 'write vol:0 0+512', 'write vol:0 0+512',
    ]);
    expect(cp.lines.skipped).toEqual({ header: 1 });
    expect(cp.lines.bad).toBe(1);
    const ds = await run('disksim', '938513000 4 264719034 16 0\n938828000\t3 197570570 16 1\n938828001 3 1 16\n');
    expect(ds.detail).toBe('columns ts=0 op=4 offset=2 length=3 file=1; time in ns; offset in sectors, length in sectors; read = 1, write = 0');
    expect(ds.ops).toEqual(['0 write vol:4 135536145408+8192 proc pid:1 ts 938513000 line 1', '1 read vol:3 101156131840+8192 proc pid:1 ts 938828000 line 2']);
    expect(ds.lines.bad).toBe(1);
  });

  it('the kernel lock classes a wait after xfs_ilock is put in', async () => {
    vi.resetModules();
    const { ContentionTracker } = await import('../../../src/import/contention.js');
    const t = new ContentionTracker();
    const cls = (flags: string, n: number): string => {
      t.ilock(n, flags, '7:0:133', 0);
      t.begin(n, 0, `0000000${n} (flags=WRITE)`, 1);
      return (t.end(n, 'c', 10, `0000000${n} (ret=0)`) as ObservedLock).caller;
    };
    expect([cls('IOLOCK_EXCL', 1), cls('MMAPLOCK_SHARED', 2), cls('ILOCK_EXCL', 3), cls('XLOCK_EXCL', 4)]).toEqual(['IOLOCK', 'MMAPLOCK', 'ILOCK', 'unknown']);
  });

  it('the op stream\'s first two lines and its summary line', async () => {
    vi.resetModules();
    const { opStreamHeader, opStreamFooter, OPSTREAM_MAGIC } = await import('../../../src/import/opstream.js');
    expect(OPSTREAM_MAGIC).toBe('# lockreplay-ops v2');
    expect(opStreamHeader()).toBe('# lockreplay-ops v2\nrec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns\n');
    expect(opStreamFooter({ a: 1 })).toBe('# summary: {"a":1}\n');
  });

  it('format detection recognizes blkparse lines', async () => {
    vi.resetModules();
    const { detectFormat } = await import('../../../src/import/index.js');
    const d = (t: string) => detectFormat(Buffer.from(t), 'in').format;
    // each line alone: leading blanks or none, fields of several digits, runs of blanks, a two-letter action
    for (const line of [
      '  8,0    1        1     0.000000000 14364  Q  RS 133248 + 8 [fio]',
      '8,0 1 1 0.000000000 7 Q R 8 + 8 [fio]',
      '259,16  12  123  12.000000100  14364  UT  WS',
      ' 8,0 1 1 0.5 7 Q R',
    ]) expect(d(`${line}\n`), line).toBe('blkparse');
    expect(() => d('x 8,0 1 1 0.000000000 7 Q R 8 + 8 [fio]\n')).toThrow('cannot tell the format');
  });
});
