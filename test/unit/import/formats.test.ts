/**
 * Every input format imported in-process from a few real lines (from traces/ and test/fixtures/):
 * the exact ops, the observed locks, and the accounting of every line.
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { brief, failure, HEADER, imported, load } from './helpers.js';

const XFS_WRITE = `             fio-12734   [000] .....   618.022805: sys_pwrite64(fd: 7, buf: 0x55cf0c00d610, count: 0x1000, pos: 0x3dc000)
             fio-12734   [000] .....   618.022808: xfs_ilock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller xfs_file_buffered_write+0x12f/0x2e0
             fio-12734   [000] .....   618.022826: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x4000000 pos 0x3dc000 bytecount 0x1000
             fio-12734   [000] d..1.   618.022842: writeback_dirty_folio: bdi 7:0: ino=133 index=988
             fio-12734   [000] .....   618.022847: xfs_iunlock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller xfs_file_buffered_write+0x287/0x2e0
             fio-12734   [000] .....   618.022848: sys_pwrite64 -> 0x1000
             fio-12734   [000] d....   618.022851: page_fault_user: address=0x7fc610634db0 ip=0x55cef6b914c8 error_code=0x6
             fio-12734   [000] .....   618.022852: mmap_lock_start_locking: mm=000000004dc60d36 memcg_id=5018 write=false
             fio-12734   [000] .....   618.022853: mmap_lock_acquire_returned: mm=000000004dc60d36 memcg_id=5018 write=false success=true
             fio-12734   [000] .....   618.022857: mmap_lock_released: mm=000000004dc60d36 memcg_id=5018 write=false
             fio-12730   [001] .....   618.022860: sys_pread64(fd: 3, buf: 0x7ffc998fa250, count: 0x310, pos: 0x40)
             fio-12730   [001] .....   618.022861: mm_filemap_get_pages: dev=254:0 ino=52db4 ofs=0-4095
             fio-12730   [001] .....   618.022862: sys_pread64 -> 0x310
`;

describe('ftrace text', () => {
  it('a buffered write, a small pread, observed XFS and mmap_lock locks, a fault on no file', async () => {
    const r = await load(HEADER + XFS_WRITE);
    expect(r.ops.map(brief)).toEqual([
      '0 write 7:0:133 4046848+4096 pid 12734 fio proc pid:12734 ts 618022805000 dur 43000 line 5',
      '1 read 254:0:339380 64+784 pid 12730 fio proc pid:12730 ts 618022860000 dur 2000 line 15',
    ]);
    expect(r.locks).toEqual([
      { tsNs: 618022808000, pid: 12734, comm: 'fio', target: '7:0:133', event: 'xfs_ilock', mode: 'IOLOCK_EXCL', caller: 'xfs_file_buffered_write+0x12f/0x2e0', line: 6 },
      { tsNs: 618022847000, pid: 12734, comm: 'fio', target: '7:0:133', event: 'xfs_iunlock', mode: 'IOLOCK_EXCL', caller: 'xfs_file_buffered_write+0x287/0x2e0', line: 9 },
      { tsNs: 618022852000, pid: 12734, comm: 'fio', target: 'mm:000000004dc60d36', event: 'mmap_lock_start', mode: 'read', caller: '', line: 12 },
      { tsNs: 618022853000, pid: 12734, comm: 'fio', target: 'mm:000000004dc60d36', event: 'mmap_lock_acquired', mode: 'read', caller: '', line: 13 },
      { tsNs: 618022857000, pid: 12734, comm: 'fio', target: 'mm:000000004dc60d36', event: 'mmap_lock_released', mode: 'read', caller: '', line: 14 },
    ]);
    const s = r.summary;
    expect(s.schema).toBe('lockreplay-import/1');
    expect(s.input).toBe(r.path);
    expect(s.format).toBe('ftrace');
    expect(s.formatDetail).toBe('tracefs trace text');
    expect(s.cpus).toBe(2);
    expect(s.lostEvents).toBe(0);
    expect(s.observedLocks).toBe(5);
    expect(s.bytes).toBe(Buffer.byteLength(HEADER + XFS_WRITE));
    expect(s.lines).toEqual({ total: 17, used: 12, skipped: { 'fault-not-on-file': 1, 'header-comment': 4 }, bad: 0, badSamples: [] });
    expect(s.ops).toEqual({ total: 2, byKind: { read: 1, write: 1 }, byFile: { '254:0:339380': { read: 1 }, '7:0:133': { write: 1 } } });
    expect([s.firstTsNs, s.lastTsNs]).toEqual([618022805000, 618022862000]);
    expect(s.notes).toEqual([]);
    expect(s.fileAliases).toBeUndefined();
  });

  it('without locks kept: their lines are skipped; --file keeps one file', async () => {
    const r = await load(HEADER + XFS_WRITE, { keepLocks: false });
    expect(r.locks).toEqual([]);
    expect(r.summary.observedLocks).toBe(0);
    // the ilock lines inside the write count with it; the mmap_lock ones are skipped
    expect(r.summary.lines).toEqual({ total: 17, used: 9, skipped: { 'fault-not-on-file': 1, 'header-comment': 4, 'lock-event': 3 }, bad: 0, badSamples: [] });
    const f = await load(HEADER + XFS_WRITE, { files: new Set(['7:0:133']) });
    expect(f.ops.map((o) => [o.id, o.kind, o.file])).toEqual([[0, 'write', '7:0:133']]);
    expect(f.summary.lines.skipped['filtered-file']).toBe(3);
    expect(f.locks.map((l) => l.target)).toEqual(['7:0:133', '7:0:133', 'mm:000000004dc60d36', 'mm:000000004dc60d36', 'mm:000000004dc60d36']);
    const t = await load(HEADER + XFS_WRITE, { taskPids: new Set([12730]) });
    expect(t.ops.map((o) => o.pid)).toEqual([12730]);
    expect(t.ops[0].id).toBe(0);
    expect(t.summary.lines.skipped['filtered-task']).toBe(9);
    const w = await load(HEADER + XFS_WRITE, { fromNs: 50_000, timesRelative: true });
    expect(w.ops.map((o) => o.kind)).toEqual(['read']);
    // (the last mmap_lock line, 52 µs after the first event, is kept)
    expect(w.summary.lines.skipped['filtered-time']).toBe(8);
    expect(w.locks.map((l) => l.event)).toEqual(['mmap_lock_released']);
  });

  it('direct IO through iomap, a read resolved from its fd\'s history, writeback outside a syscall', async () => {
    const r = await load(HEADER + `             fio-12736   [001] .....   618.022904: sys_pread64(fd: 7, buf: 0x55cf0c00e000, count: 0x1000, pos: 0x647000)
             fio-12736   [001] .....   618.022906: xfs_file_direct_read: dev 7:0 ino 0x85 disize 0x4000000 pos 0x647000 bytecount 0x1000
             fio-12736   [001] .....   618.022912: iomap_dio_rw_begin: dev 7:0 ino 0x85 size 0x4000000 offset 0x647000 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0
             fio-12736   [001] .....   618.022921: iomap_dio_complete: dev 7:0 ino 0x85 size 0x4000000 offset 0x648000 flags DIRECT aio 0 error 0 ret 4096
             fio-12736   [001] .....   618.022930: sys_pread64 -> 0x1000
             fio-12736   [001] .....   618.022940: sys_pread64(fd: 7, buf: 0x55cf0c00e000, count: 0x1000, pos: 0x1000)
             fio-12736   [001] .....   618.022950: sys_pread64 -> 0x1000
             fio-12736   [001] .....   618.022960: iomap_writeback_folio: dev 7:0 ino 0x85 size 0x4000000 offset 0x3dc000 length 0x1000
`);
    expect(r.ops.map(brief)).toEqual([
      '0 dio-read 7:0:133 6582272+4096 pid 12736 fio proc pid:12736 ts 618022904000 dur 26000 line 5',
      '1 read 7:0:133 4096+4096 pid 12736 fio proc pid:12736 ts 618022940000 dur 10000 line 10',
      '2 writeback 7:0:133 4046848+4096 pid 12736 fio proc pid:12736 ts 618022960000 line 12',
    ]);
    expect(r.summary.lines).toEqual({ total: 12, used: 8, skipped: { 'header-comment': 4 }, bad: 0, badSamples: [] });
    expect(r.summary.notes).toEqual(['1 syscalls had no filesystem event inside: their file came from an earlier syscall on the same fd']);
  });

  it('ftruncate, a write fault, a read fault over mapped pages', async () => {
    const r = await load(HEADER + `        truncate-13535   [000] .....   645.400819: sys_ftruncate(fd: 3, length: 0x1800000)
        truncate-13535   [000] .....   645.400824: xfs_setattr: dev 7:0 ino 0x85 iflags 0x0
        truncate-13535   [000] .....   645.400832: sys_ftruncate -> 0x0
             fio-13558   [001] d....   645.624684: page_fault_user: address=0x7fc0d5ef7000 ip=0x7fc0ec8f2d8a error_code=0x6
             fio-13558   [001] .....   645.624686: xfs_read_fault: dev 7:0 ino 0x85 order 0
             fio-13558   [001] .....   645.624687: mm_filemap_fault: dev=7:0 ino=85 ofs=1011712
             fio-13558   [001] d....   645.724684: page_fault_user: address=0x7fc0d5ef7000 ip=0x7fc0ec8f2d8a error_code=0x14
             fio-13558   [001] .....   645.724685: mm_filemap_map_pages: dev=254:0 ino=21200e ofs=643072-708607
`);
    expect(r.ops.map(brief)).toEqual([
      '0 truncate 7:0:133 25165824+0 pid 13535 truncate proc pid:13535 ts 645400819000 dur 13000 line 5',
      '1 fault-write 7:0:133 1011712+4096 pid 13558 fio proc pid:13558 ts 645624684000 dur 3000 line 8',
      '2 fault-read 254:0:2170894 643072+65536 pid 13558 fio proc pid:13558 ts 645724684000 dur 1000 line 11',
    ]);
    expect(r.summary.lines.used).toBe(8);
  });

  it('ext4: write_begin names the file; an fd never named stays fd:PID:FD; a header of 0 CPUs is ignored', async () => {
    const r = await load(HEADER.replace('#P:2', '#P:0') + `             fio-12752   [000] .....   619.541289: sys_pwrite64(fd: 7, buf: 0x56141bb59610, count: 0x1000, pos: 0x3dc000)
             fio-12752   [000] .....   619.541296: ext4_da_write_begin: dev 254,0 ino 2154529 pos 4046848 len 4096
             fio-12752   [000] .....   619.541308: sys_pwrite64 -> 0x1000
             fio-12752   [000] .....   619.541309: sys_pwrite64(fd: 7, buf: 0x56141bb59610, count: 0x1000, pos: 0x3dd000)
             fio-12752   [000] .....   619.541318: sys_pwrite64 -> 0x1000
             fio-12752   [000] .....   619.541319: sys_pwrite64(fd: 9, buf: 0x56141bb59610, count: 0x1000, pos: 0x3dd000)
             fio-12752   [000] .....   619.541320: sys_pwrite64 -> 0x1000
    kworker/u8:0-12      [001] .....   619.912940: ext4_sync_file_enter: dev 254,0 ino 2149052 parent 260072 datasync 0 
`);
    expect(r.ops.map(brief)).toEqual([
      '0 write 254:0:2154529 4046848+4096 pid 12752 fio proc pid:12752 ts 619541289000 dur 19000 line 5',
      '1 write 254:0:2154529 4050944+4096 pid 12752 fio proc pid:12752 ts 619541309000 dur 9000 line 8',
      '2 write fd:12752:9 4050944+4096 pid 12752 fio proc pid:12752 ts 619541319000 dur 1000 line 10',
      '3 fsync 254:0:2149052 0+0 pid 12 kworker/u8:0 proc pid:12 ts 619912940000 line 12',
    ]);
    expect(r.summary.cpus).toBeUndefined();
    expect(r.summary.headerCpusIgnored).toBe(0);
    expect(r.summary.notes).toEqual([
      '1 syscalls had no filesystem event inside: their file came from an earlier syscall on the same fd',
      '1 syscalls named no inode inside (1 fds stay "fd:PID:FD": nothing in the trace identifies their file; `lockreplay record` writes the traced processes\' open files into the capture)',
      'the trace header names 0 CPUs (#P:0, line 3): ignored, the CPU count is unknown',
    ]);
  });

  it('the recorder\'s fd scan names a file; a header without a CPU count is noted', async () => {
    const r = await load(`# tracer: nop\n# lockreplay fd: 12752 9 7:0:134\n` + `             fio-12752   [000] .....   619.541319: sys_pwrite64(fd: 9, buf: 0x56141bb59610, count: 0x1000, pos: 0x3dd000)
             fio-12752   [000] .....   619.541320: sys_pwrite64 -> 0x1000
`);
    expect(r.ops.map((o) => o.file)).toEqual(['7:0:134']);
    expect(r.summary.notes).toEqual([
      '1 syscalls had no filesystem event inside: their file came from the recorder\'s scan of the process\'s open files',
      'the trace header names no CPU count (#P:N)',
    ]);
  });

  it('bad lines: strict stops at file:line; lenient counts them with samples', async () => {
    const text = HEADER + `             fio-12752   [000] .....   619.541289: sys_pwrite64(fd: 7, buf: 0x56141bb59610, count: 0x1000, pos: 0x3dc000)
garbage line here
             fio-12752   [000] .....   619.541308: sys_pwrite64 -> 0x1000
`;
    const f = await failure(text);
    expect(f.code).toBe(4);
    expect(f.message).toBe(`${f.path}:6: no "[CPU]" field: not an ftrace event line\n  garbage line here`);
    const r = await load(text, { lenient: true });
    expect(r.summary.lines).toEqual({ total: 7, used: 2, skipped: { 'header-comment': 4 }, bad: 1, badSamples: [`${r.path}:6: no "[CPU]" field: not an ftrace event line`] });
    expect(r.ops.map((o) => o.file)).toEqual(['fd:12752:7']);
  });

  it('trace-cmd report text', async () => {
    const r = await load(`version = 6
cpus=2
             fio-12752 [000]   619.541289: sys_enter_pwrite64:   fd: 0x00000007, buf: 0x56141bb59610, count: 0x00001000, pos: 0x003dc000
             fio-12752 [000]   619.541296: ext4_da_write_begin:  dev 254,0 ino 2154529 pos 4046848 len 4096
             fio-12752 [000]   619.541308: sys_exit_pwrite64:    0x1000
`);
    expect(r.summary.format).toBe('trace-cmd');
    expect(r.summary.formatDetail).toBe('trace-cmd report text');
    expect(r.summary.cpus).toBe(2);
    expect(r.ops.map(brief)).toEqual(['0 write 254:0:2154529 4046848+4096 pid 12752 fio proc pid:12752 ts 619541289000 dur 19000 line 3']);
    expect(r.summary.lines).toEqual({ total: 5, used: 3, skipped: { 'header-trace-cmd': 2 }, bad: 0, badSamples: [] });
    // named explicitly, a header without events is no error
    const none = await load('version = 6\n', { format: 'trace-cmd' });
    expect(none.ops).toEqual([]);
    expect(none.summary.notes).toEqual(['the trace header names no CPU count (cpus=N)']);
  });

  it('progress is reported for every chunk of input read, in bytes of the input\'s size', async () => {
    const text = `${HEADER}${'# padding comment line of the header, to make the input large enough\n'.repeat(24_000)}${XFS_WRITE}`;
    const seen: { bytes: number; totalBytes?: number }[] = [];
    const r = await imported(text, { onProgress: (p) => seen.push(p) });
    // about 1.7 MB read in 256 KiB chunks: one report per chunk, the last at the whole input
    const size = Buffer.byteLength(text);
    expect(size).toBeGreaterThan(1_600_000);
    expect(size).toBeLessThan(2 << 20);
    expect(seen.map((p) => p.bytes)).toEqual([1, 2, 3, 4, 5, 6].map((k) => k * (1 << 18)).concat([size]));
    expect(seen.every((p) => p.totalBytes === size)).toBe(true);
    expect(r.ops).toHaveLength(2);
  });

  it('gzip input is read the same', async () => {
    const r = await load(gzipSync(Buffer.from(HEADER + XFS_WRITE)), {}, 'gz');
    expect(r.ops).toHaveLength(2);
    expect(r.summary.bytes).toBe(Buffer.byteLength(HEADER + XFS_WRITE));
  });
});

describe('blkparse text', () => {
  it('Q → D → C is one request: issued at Q, its duration the device time D → C; G lines and the summary are skipped', async () => {
    const r = await load(`  7,0    1        1     0.000000000 14364  Q  RS 133248 + 8 [(null)]
  7,0    1        2     0.000075770 14364  G  RS 133248 + 8 [(null)]
  7,0    1        3     0.000082674 14364  D  RS 133248 + 8 [(null)]
  7,0    1        4     0.000491617    22  C  RS 133248 + 8 [0]
  7,0    1        5     0.000574020 14364  Q  WS 155528 + 8 [fio]
  7,0    1        6     0.000606150 14364  G  WS 155528 + 8 [fio]
  7,0    1        7     0.000608605 14364  D  WS 155528 + 8 [fio]
  7,0    1        8     0.000635996    22  C  WS 155528 + 8 [0]
  7,0    0        1     0.002428274 14364  Q  RS 158896 + 8 [(null)]
CPU1 (7,0):
 Reads Queued:           2,        8KiB	 Writes Queued:           1,       12KiB
`);
    expect(r.ops.map(brief)).toEqual([
      '0 read blk:7:0 68222976+4096 pid 14364 (null) proc pid:14364 ts 0 dur 408943 line 1',
      '1 write blk:7:0 79630336+4096 pid 14364 fio proc pid:14364 ts 574020 line 5'.replace(' line', ' dur 27391 line'),
      '2 read blk:7:0 81354752+4096 pid 14364 (null) proc pid:14364 ts 2428274 line 9',
    ]);
    expect(r.summary.format).toBe('blkparse');
    expect(r.summary.formatDetail).toBe('blkparse default text output; device = file, offset = sector × 512');
    expect(r.summary.lines).toEqual({ total: 11, used: 7, skipped: { 'block-action-get-request': 2, summary: 2 }, bad: 0, badSamples: [] });
    expect(r.summary.notes).toEqual([
      'blkparse\'s own summary: 2 reads and 1 writes queued; imported 2 reads and 1 writes (they agree)',
      '1 requests never completed in the trace: replayed without an observed duration',
    ]);
  });
  it('a summary that disagrees says so; with a selection it is not compared', async () => {
    const text = `  7,0    1        1     0.000000000 14364  Q  RS 133248 + 8 [fio]
  7,0    1        4     0.000491617    22  C  RS 133248 + 8 [0]
CPU1 (7,0):
 Reads Queued:           3,        8KiB	 Writes Queued:           0,       12KiB
`;
    const r = await load(text);
    expect(r.summary.notes).toEqual(['blkparse\'s own summary: 3 reads and 0 writes queued; imported 1 reads and 0 writes (they DIFFER)']);
    expect(r.ops.map(brief)).toEqual(['0 read blk:7:0 68222976+4096 pid 14364 fio proc pid:14364 ts 0 dur 491617 line 1']);
    const sel = await load(text, { taskPids: new Set([14364]) });
    expect(sel.summary.notes).toEqual([]);
  });
});

describe('fio iolog', () => {
  it('a file path in UTF-8 is the same text in the file key (it was decoded twice: /dev/nÃ©ll)', async () => {
    const r = await load(Buffer.from('fio version 3 iolog\n10 /dev/nélll write 0 4096\n20 /dev/nélll read 0 4096\n', 'utf8'));
    expect(r.ops.map((o) => o.file)).toEqual(['file:/dev/nélll', 'file:/dev/nélll']);
  });

  it('v3: timestamps in µs, trim → punch, sync/datasync → fsync, add/open/close skipped', async () => {
    const r = await load(`fio version 3 iolog
30 /dev/null add
10731 /dev/null open
10736 /dev/null trim 0 2147483648
10752 /dev/null write 0 4096
10780 /dev/null read 4096 8192
10781 /dev/null sync 0 0
10782 /dev/null datasync 0 0
10799 /dev/null close
`);
    expect(r.summary.format).toBe('fio-iolog');
    expect(r.ops.map((o) => `${o.kind} ${o.file} ${o.offset}+${o.lengthBytes} ts ${o.tsNs} line ${o.line}`)).toEqual([
      'punch file:/dev/null 0+2147483648 ts 10736000 line 4',
      'write file:/dev/null 0+4096 ts 10752000 line 5',
      'read file:/dev/null 4096+8192 ts 10780000 line 6',
      'fsync file:/dev/null 0+0 ts 10781000 line 7',
      'fsync file:/dev/null 0+0 ts 10782000 line 8',
    ]);
    expect(r.summary.lines).toEqual({ total: 9, used: 5, skipped: { header: 1, 'iolog-add': 1, 'iolog-close': 1, 'iolog-open': 1 }, bad: 0, badSamples: [] });
    expect([r.summary.firstTsNs, r.summary.lastTsNs]).toEqual([10736000, 10782000]);
  });
  it('v3 refuses a wait; v2 has no timestamps', async () => {
    const f = await failure('fio version 3 iolog\n30 /dev/null add\n10790 /dev/null wait 0 100\n');
    expect(f.message).toBe(`${f.path}:3: "wait" is not allowed in a v3 iolog (timestamps pace it)\n  10790 /dev/null wait 0 100`);
    expect(f.code).toBe(4);
    const r = await load('fio version 2 iolog\n/dev/sda add\n/dev/sda open\n/dev/sda write 0 4096\n/dev/sda read 4096 512\n/dev/sda close\n');
    expect(r.ops.map(brief)).toEqual([
      '0 write file:/dev/sda 0+4096 pid 1 fio proc pid:1 ts 0 line 4',
      '1 read file:/dev/sda 4096+512 pid 1 fio proc pid:1 ts 0 line 5',
    ]);
  });
});

describe('CSV block traces', () => {
  const csv = async (text: string) => (await load(text)).ops.map(brief);
  it('cloudphysics (detected from its header): seconds, lbn in sectors, SCSI opcodes', async () => {
    const r = await load('version,time,op,size,lbn\n1,5633898,2a,512,42932745\n1,5633898.5,28,1024,42932746\n');
    expect(r.ops.map(brief)).toEqual([
      `0 write vol:0 21981565440+512 pid 1 ${r.path.split('/').pop()} proc pid:1 ts 5633898000000000 line 2`,
      `1 read vol:0 21981565952+1024 pid 1 ${r.path.split('/').pop()} proc pid:1 ts 5633898500000000 line 3`,
    ]);
    expect(r.summary.format).toBe('csv');
    expect(r.summary.formatDetail).toBe('preset cloudphysics: columns ts=1 op=2 offset=4 length=3; time in s; offset in sectors, length in bytes; read = 28|08|88|a8, write = 2a|0a|8a|aa');
    expect(r.summary.notes).toEqual([`CSV read as ${r.summary.formatDetail}`]);
    expect(r.summary.lines).toEqual({ total: 3, used: 2, skipped: { header: 1 }, bad: 0, badSamples: [] });
    expect([r.summary.firstTsNs, r.summary.lastTsNs]).toEqual([5633898000000000, 5633898500000000]);
  });
  it('disksim, msr, alibaba, tencent, systor', async () => {
    const name = (ops: string[]): string[] => ops.map((o) => o.replace(/ in-\d+\.txt /, ' NAME '));
    expect(name(await csv('938513000 4 264719034 16 0\n938828000 3 197570570 16 1\n'))).toEqual([
      '0 write vol:4 135536145408+8192 pid 1 NAME proc pid:1 ts 938513000 line 1',
      '1 read vol:3 101156131840+8192 pid 1 NAME proc pid:1 ts 938828000 line 2',
    ]);
    expect(name(await csv('128166372003061629,hm,1,Write,3154152960,4096,5018\n128166372016382155,hm,1,Read,3154124800,16384,39617\n'))).toEqual([
      '0 write vol:1 3154152960+4096 pid 1 NAME proc pid:1 ts 0 dur 501800 line 1',
      '1 read vol:1 3154124800+16384 pid 1 NAME proc pid:1 ts 1332052600 dur 3961700 line 2',
    ]);
    // (epoch times count from the first row's, exactly: csv-clock.ts)
    expect(name(await csv('1,R,126703616,4096,1577808144000000\n1,W,4096,512,1577808144000001\n'))).toEqual([
      '0 read vol:1 126703616+4096 pid 1 NAME proc pid:1 ts 0 line 1',
      '1 write vol:1 4096+512 pid 1 NAME proc pid:1 ts 1000 line 2',
    ]);
    expect(name(await csv('1538323200,12345,8,0,1063\n1538323201,100,16,1,1063\n'))).toEqual([
      '0 read vol:1063 6320640+4096 pid 1 NAME proc pid:1 ts 0 line 1',
      '1 write vol:1063 51200+8192 pid 1 NAME proc pid:1 ts 1000000000 line 2',
    ]);
    expect(name(await csv('Timestamp,Response,IOType,LUN,Offset,Size\n1487079000.5,0.000532,R,0,4096,8192\n1487079001,0.001,W,1,0,512\n'))).toEqual([
      '0 read vol:0 4096+8192 pid 1 NAME proc pid:1 ts 0 dur 532000 line 2',
      '1 write vol:1 0+512 pid 1 NAME proc pid:1 ts 500000000 dur 1000000 line 3',
    ]);
  });
  it('--format csv needs a preset or columns; an unknown preset is a usage error', async () => {
    const a = await failure('1,2,3\n', { format: 'csv' });
    expect([a.message, a.code]).toEqual([`${a.path}: --format csv needs --preset (msr, alibaba, tencent, systor, cloudphysics, disksim) or --columns`, 2]);
    const b = await failure('1,2,3\n', { format: 'csv', csvPreset: 'nope' });
    expect([b.message, b.code]).toEqual(['unknown CSV preset "nope"; known: msr, alibaba, tencent, systor, cloudphysics, disksim', 2]);
  });
});

describe('format detection and sources', () => {
  it('an empty input, a missing file, a directory', async () => {
    const e = await failure('');
    expect([e.message, e.code]).toEqual([`${e.path}: empty input, not a trace`, 5]);
    const { importTrace } = await import('../../../src/import/index.js');
    await expect(importTrace('/nonexistent/x.trace', { op: () => {}, lock: () => {} })).rejects.toMatchObject({ message: '/nonexistent/x.trace: cannot read (ENOENT)', exitCode: 3 });
    const dir = (await import('node:os')).tmpdir();
    await expect(importTrace(dir, { op: () => {}, lock: () => {} })).rejects.toMatchObject({ message: `${dir}: is a directory, not a trace file`, exitCode: 3 });
  });
  it('text of no known format names the candidates', async () => {
    const a = await failure('hello\nworld\n');
    expect([a.message, a.code]).toEqual([`${a.path}: cannot tell the format from its first lines. It matches none of: ftrace text, trace-cmd report, blkparse text, CSV block traces, fio iolog v2/v3, lockreplay op stream. Name it with --format.`, 5]);
    const b = await failure('a,b,c\nd,e,f\n');
    expect(b.message).toBe(`${b.path}: cannot tell the format from its first lines. Candidates: CSV with 3 columns (choose --format csv with --preset msr|alibaba|tencent|systor|cloudphysics|disksim, or --columns ts=I,op=I,offset=I,length=I --ts-unit ... --offset-unit ... --read-values ...). Name it with --format.`);
  });
  it('ftrace named explicitly but with no events', async () => {
    const r = await imported('# tracer: nop\n', { format: 'ftrace' });
    expect(r.ops).toEqual([]);
    const e = await failure('# tracer: nop\n');
    expect([e.message, e.code]).toEqual([`${e.path}: no trace events in 1 lines`, 5]);
  });
});
