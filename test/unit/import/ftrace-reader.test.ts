/** The ftrace text reader: header counts, trace-cmd's window and file prefixes, continuation lines, the blk tracer, [FAILED TO PARSE]. */
import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { BlockOpBuilder } from '../../../src/import/block.js';
import { FtraceLineParser } from '../../../src/import/ftrace.js';
import { OpBuilder } from '../../../src/import/op-builder.js';
import { SelectingSink } from '../../../src/import/selection.js';
import { brief, failure, HEADER, load } from './helpers.js';

const L = (comm: string, pid: number, t: string, ev: string): string => `${comm.padStart(16)}-${pid}   [000] .....   ${t}: ${ev}`;
/** trace-cmd's layout: no flags column */
const T = (comm: string, pid: number, t: string, ev: string): string => `${comm.padStart(16)}-${pid} [000]   ${t}: ${ev}`;
const samples = (r: { summary: { lines: { badSamples: string[] } }; path: string }): string[] => r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1));

describe('ftrace text: header lines', () => {
  it('#P:1 is a count; a count past 2^53 is none; only the first #P: counts', async () => {
    expect((await load('# tracer: nop\n#P:12\n' + L('fio', 1, '1.000000', 'sched_stat_runtime: x\n'))).summary.cpus).toBe(12);
    const one = await load('# tracer: nop\n#P:1\n#P:3\n' + L('fio', 1, '1.000000', 'sched_stat_runtime: x\n'));
    expect(one.summary.cpus).toBe(1);
    expect(one.summary.headerCpusIgnored).toBeUndefined();
    // (two counts that disagree: traces joined end to end; the first is used, and said so)
    expect(one.summary.notes).toEqual(['the trace header names 1 CPU (#P:1, line 2) and later 3 CPUs (#P:3, line 3; traces joined end to end?): the count of line 2 is used']);
    const same = await load('# tracer: nop\n#P:2\n#P:2\n' + L('fio', 1, '1.000000', 'sched_stat_runtime: x\n'));
    expect(same.summary.notes).toEqual([]);
    const huge = await load('# tracer: nop\n#P:99999999999999999999\n' + L('fio', 1, '1.000000', 'sched_stat_runtime: x\n'));
    expect(huge.summary.cpus).toBeUndefined();
    expect(huge.summary.headerCpusIgnored).toBe(1e20);
    expect(huge.summary.notes).toEqual(['the trace header names 99999999999999999999 CPUs (#P:99999999999999999999, line 2): ignored (a replay models 1 to 65,536), the CPU count is unknown']);
    expect(huge.summary.lines.skipped).toEqual({ 'header-comment': 2, 'irrelevant-event': 1 });
    // a count that is none does not stop a later one
    const later = await load('# tracer: nop\n#P:0\n#P:3\n' + L('fio', 1, '1.000000', 'sched_stat_runtime: x\n'));
    expect([later.summary.cpus, later.summary.headerCpusIgnored]).toEqual([3, 0]);
    // (was: "…ignored, the CPU count is unknown", beside a count of 3)
    expect(later.summary.notes).toEqual(['the trace header names 0 CPUs (#P:0, line 2): ignored, the count is 3 (#P:3, line 3)']);
    // a count that is none, after a usable one, is no other count; #P: and cpus= lines are quoted as written
    const zero = await load('# tracer: nop\n#P:3\n#P:0\n' + L('fio', 1, '1.000000', 'sched_stat_runtime: x\n'));
    expect([zero.summary.cpus, zero.summary.notes]).toEqual([3, []]);
    const mixed = await load('# tracer: nop\n#P:4\ncpus=8\n' + L('fio', 1, '1.000000', 'sched_stat_runtime: x\n'), { lenient: true });
    expect(mixed.summary.notes).toContain('the trace header names 4 CPUs (#P:4, line 2) and later 8 CPUs (cpus=8, line 3; traces joined end to end?): the count of line 2 is used');
  });

  it('trace-cmd: cpus=0 is ignored; header words must be whole lines', async () => {
    const r = await load(['version = 16', 'cpus=0', 'CPU 12 is empty', T('fio', 1, '1.000000', 'sys_enter_fsync: fd: 0x00000007'), T('fio', 1, '1.000002', 'sys_exit_fsync: 0x0'),
      'cpus=2x', 'version = 6 more', 'xversion = 6', 'CPU 3 is empty now', 'the CPU 3 is empty', 'xcpus=2', 'CPU:a [12 EVENTS DROPPED]', 'CPU:1 [x EVENTS DROPPED]', ''].join('\n'), { lenient: true });
    expect(r.summary.format).toBe('trace-cmd');
    expect(r.summary.cpus).toBeUndefined();
    expect(r.summary.headerCpusIgnored).toBe(0);
    expect(r.summary.notes).toContain('the trace header names 0 CPUs (cpus=0, line 2): ignored, the CPU count is unknown');
    expect(r.summary.lines.skipped).toEqual({ 'header-trace-cmd': 3 });
    expect(r.summary.lines.bad).toBe(8);
    expect(samples(r)).toEqual([6, 7, 8, 9, 10, 11, 12, 13].map((n) => `${n}: no "[CPU]" field: not an ftrace event line`));
    expect(r.ops.map(brief)).toEqual(['0 fsync fd:1:7 0+0 pid 1 fio proc pid:1 ts 1000000000 dur 2000 line 4']);
    expect((await load(['cpus=12', T('fio', 1, '1.000000', 'sys_enter_fsync: fd: 0x00000007'), ''].join('\n'))).summary.cpus).toBe(12);
  });

  it('the recorder\'s open-file scans as trace_marker lines name an fd\'s file where they stand in the stream; other marker lines are irrelevant events; a scan line not in its layout is a bad line', async () => {
    const r = await load(HEADER + [
      L('fio', 7, '1.000000', 'sys_fsync(fd: 3)'), L('fio', 7, '1.000002', 'sys_fsync -> 0x0'),
      L('node', 99, '1.000003', 'tracing_mark_write: lockreplay fd: 7 3 7:0:131'),
      L('node', 99, '1.000004', 'tracing_mark_write: hello'),
      L('node', 99, '1.000004', 'tracing_mark_write: lockreplay fd: 7 3 7:0'),
      L('fio', 7, '1.000005', 'sys_fsync(fd: 3)'), L('fio', 7, '1.000007', 'sys_fsync -> 0x0'),
      '',
    ].join('\n'), { lenient: true });
    // the first fsync was released before the scan: renamed at the end, like a scan comment's
    expect(r.ops.map((o) => `${o.kind} ${o.file} ${o.tsNs}`)).toEqual(['fsync 7:0:131 1000000000', 'fsync 7:0:131 1000005000']);
    expect(r.summary.lines.skipped).toEqual({ 'file-identity-comment': 1, 'header-comment': 4, 'irrelevant-event': 1 });
    expect(samples(r)).toEqual(['9: not in the layout "# lockreplay fd: TGID FD MAJ:MIN:INO": MAJ:MIN:INO "7:0" is not three numbers']);
  });

  it('a "# lockreplay" comment of a kind the recorder does not write is a header comment; one of its kinds not in its layout is a bad line', async () => {
    const r = await load('# tracer: nop\n# lockreplay something else\n# lockreplay mount: /mnt 7:0 xfs\n' + L('fio', 1, '1.000000', 'sched_stat_runtime: x\n'), { lenient: true });
    expect(r.summary.lines.skipped).toEqual({ 'header-comment': 2, 'irrelevant-event': 1 });
    expect(samples(r)).toEqual(['3: not in the layout "# lockreplay mount: MAJ:MIN FSTYPE MOUNTPOINT": MAJ:MIN "/mnt" is not two numbers']);
  });
});

describe('ftrace text: lines after an event', () => {
  it('a line without a prefix before any event is no continuation', async () => {
    const r = await load(['   stray', '# tracer: nop', L('fio', 1, '1.000000', 'sched_stat_runtime: x'), ''].join('\n'), { lenient: true });
    expect(samples(r)).toEqual(['1: no "[CPU]" field: not an ftrace event line']);
  });

  it('events of every subsystem the builder reads are never continued by a prefix-less line', async () => {
    const names = ['sys_x', 'xfs_x', 'ext4_x', 'f2fs_x', 'iomap_x', 'mm_filemap_x', 'writeback_x', 'mmap_lock_x', 'page_cache_x', 'page_fault_x'];
    const lines = names.flatMap((n, i) => [L('fio', 1, `1.00000${i}`, `${n}: y`), '  more']);
    const r = await load(HEADER + lines.join('\n') + '\n', { lenient: true });
    expect(r.summary.lines.skipped).toEqual({ 'header-comment': 4, 'irrelevant-event': 10 });
    expect(r.summary.lines.bad).toBe(10);
  });

  it('a line without a prefix continues only an event the builder does not handle; one with "[NNN]" never does', async () => {
    const r = await load(HEADER + [
      L('fio', 1, '1.000000', 'sched_stat_runtime: comm=fio'),
      '   continued',
      'more [012] of it',
      L('fio', 1, '1.000001', 'xfs_ilock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller x'),
      '   not continued',
      '    fio-1 [000] 1.000002: 7,0 Q R 8 + 8 [fio]',
      '   not either',
      '',
    ].join('\n'), { lenient: true });
    expect(r.summary.lines.skipped).toEqual({ 'header-comment': 4, 'irrelevant-event': 1, 'payload-continuation': 1 });
    expect(samples(r)).toEqual([
      '7: no "COMM-PID" before the CPU field',
      '9: no "[CPU]" field: not an ftrace event line',
      '11: no "[CPU]" field: not an ftrace event line',
    ]);
  });

  it('[FAILED TO PARSE] after blanks or a tab is skipped; elsewhere in the body, or cut short, it is not the marker', async () => {
    const r = await load(HEADER + [
      L('fio', 1, '1.000000', 'xfs_ilock:\t[FAILED TO PARSE] dev=7340032 ino=133'),
      L('fio', 1, '1.000001', 'xfs_ilock: [FAILED TO PARSE] dev=7340032 ino=133'),
      L('fio', 1, '1.000002', 'xfs_ilock: \t [FAILED TO PARSE]'),
      L('fio', 1, '1.000003', 'xfs_ilock: [FAILED TO PARS'),
      L('fio', 1, '1.000004', 'xfs_ilock: x [FAILED TO PARSE]'),
      L('fio', 1, '1.000005', 'xfs_ilock: [failed to parse]'),
      '',
    ].join('\n'), { lenient: true });
    expect(r.summary.lines.skipped).toEqual({ 'failed-to-parse': 3, 'header-comment': 4 });
    expect(samples(r)).toEqual([
      '8: xfs_ilock: no device and inode in the event body',
      '9: xfs_ilock: no device and inode in the event body',
      '10: xfs_ilock: no device and inode in the event body',
    ]);
  });
});

describe('ftrace text: lines past the first 64 KiB of a chunk', () => {
  it('[FAILED TO PARSE] is found where the line is', async () => {
    const pad = '# padding line of the header, long enough to fill 64 KiB of text quickly\n'.repeat(1000);
    expect(pad.length).toBeGreaterThan(65536);
    const r = await load(HEADER + pad + [
      L('fio', 1, '1.000000', 'xfs_ilock: \t[FAILED TO PARSE] dev=7340032 ino=133'),
      L('fio', 1, '1.000001', 'xfs_ilock: [FAILED TO PARS'),
      L('fio', 1, '1.000002', 'xfs_ilock: x [FAILED TO PARSE]'),
      '',
    ].join('\n'), { lenient: true });
    expect(r.summary.lines.skipped).toEqual({ 'failed-to-parse': 1, 'header-comment': 1004 });
    expect(samples(r)).toEqual(['1006: xfs_ilock: no device and inode in the event body', '1007: xfs_ilock: no device and inode in the event body']);
  });
});

describe('ftrace text: syscalls rendered as sys_enter_X / sys_exit_X', () => {
  it('in tracefs text (with a tracer header) they are the same syscalls; a bad one is a bad line with its text', async () => {
    const r = await load(HEADER + [
      L('fio', 7, '5.000000', 'sys_enter_pwrite64:   fd: 0x00000007, buf: 0x1, count: 0x00001000, pos: 0x00002000'),
      L('fio', 7, '5.000001', 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x2000 bytecount 0x1000'),
      L('fio', 7, '5.000003', 'sys_exit_pwrite64:    0x800'),
      L('fio', 7, '5.000004', 'sys_enter_pwrite64:   nothing'),
      '',
    ].join('\n'), { lenient: true });
    expect(r.summary.format).toBe('ftrace');
    expect(r.ops.map(brief)).toEqual(['0 write 7:0:133 8192+2048 pid 7 fio proc pid:7 ts 5000000000 dur 3000 line 5']);
    expect(samples(r)).toEqual(['8: sys_pwrite64: syscall arguments are missing or cut short']);
    expect(r.summary.lines.used).toBe(3);
    const f = await failure(HEADER + L('fio', 7, '5.000004', 'sys_enter_pwrite64:   nothing\n'));
    expect(f.message).toBe(`${f.path}:5: sys_pwrite64: syscall arguments are missing or cut short\n  ${L('fio', 7, '5.000004', 'sys_enter_pwrite64:   nothing')}`);
  });
});

describe('trace-cmd report', () => {
  it('with several inputs each line starts with "FILE: ": the comm is what follows', async () => {
    const r = await load(['version = 6', 'cpus=2',
      `a.dat:${T('fio', 3, '2.000000', 'sys_enter_pread64: fd: 0x00000004, buf: 0x1, count: 0x00000200, pos: 0x00000000')}`,
      `a.dat:${T('fio', 3, '2.000005', 'sys_exit_pread64: 0x200')}`,
      T('my tool', 4, '2.000006', 'sys_enter_fsync: fd: 0x00000005'),
      T('my tool', 4, '2.000008', 'sys_exit_fsync: 0x0'),
      ''].join('\n'));
    expect(r.ops.map(brief)).toEqual([
      '0 read fd:3:4 0+512 pid 3 fio proc pid:3 ts 2000000000 dur 5000 line 3',
      '1 fsync fd:4:5 0+0 pid 4 my tool proc pid:4 ts 2000006000 dur 2000 line 5',
    ]);
  });

  it('the kernel\'s own syscall rendering is read in trace-cmd text too', async () => {
    const r = await load(['cpus=1',
      T('fio', 3, '2.000000', 'sys_pread64(fd: 4, buf: 0x1, count: 0x200, pos: 0x400)'),
      T('fio', 3, '2.000004', 'sys_pread64 -> 0x200'),
      ''].join('\n'));
    expect(r.summary.format).toBe('trace-cmd');
    expect(r.ops.map(brief)).toEqual(['0 read fd:3:4 1024+512 pid 3 fio proc pid:3 ts 2000000000 dur 4000 line 2']);
  });

  it('equal times are not out of order', async () => {
    const r = await load(['cpus=1',
      T('fio', 3, '2.000000', 'sys_enter_fsync: fd: 0x00000004'),
      T('fio', 4, '2.000000', 'sys_enter_fsync: fd: 0x00000005'),
      T('fio', 3, '2.000001', 'sys_exit_fsync: 0x0'),
      T('fio', 4, '2.000001', 'sys_exit_fsync: 0x0'),
      ''].join('\n'));
    expect(r.summary.notes.filter((n) => n.includes('out of time order'))).toEqual([]);
    expect(r.ops.map((o) => `${o.pid} ${o.line}`)).toEqual(['3 2', '4 3']);
  });

  it('a malformed event is a bad line shown as the event (it left the window later)', async () => {
    const text = ['cpus=1', T('fio', 3, '2.000000', 'xfs_ilock:   garbage'), ''].join('\n');
    const f = await failure(text);
    expect([f.message, f.code]).toEqual([`${f.path}:2: xfs_ilock: no device and inode in the event body\n  fio-3 xfs_ilock: garbage`, 4]);
  });

  it('events are re-sorted within a window of 4096: a line later than that is a bad line', async () => {
    const filler = (n: number, from: number): string[] => Array.from({ length: n }, (_, i) => T('other', 9, `3.${String(from + i).padStart(6, '0')}`, 'sched_stat_runtime: x'));
    // the exit comes first, the enter after N later events: within the window they pair up
    const make = (n: number): string => ['cpus=1',
      T('fio', 3, '3.000002', 'sys_exit_fsync: 0x0'),
      ...filler(n, 10),
      T('fio', 3, '3.000001', 'sys_enter_fsync: fd: 0x00000004'),
      ''].join('\n');
    const near = await load(make(4095));
    expect(near.ops.map(brief)).toEqual([`0 fsync fd:3:4 0+0 pid 3 fio proc pid:3 ts 3000001000 dur 1000 line ${4095 + 3}`]);
    expect(near.summary.notes).toContain('1 lines came out of time order and were re-sorted');
    // past the window only the earliest event leaves it: a later one still waiting is sorted with a late line
    const partial = await load(['cpus=1',
      T('other', 9, '3.000000', 'sched_stat_runtime: x'),
      T('fio', 3, '3.000020', 'sys_exit_fsync: 0x0'),
      ...filler(4095, 30),
      T('fio', 3, '3.000015', 'sys_enter_fsync: fd: 0x00000004'),
      ''].join('\n'));
    expect(partial.ops.map(brief)).toEqual([`0 fsync fd:3:4 0+0 pid 3 fio proc pid:3 ts 3000015000 dur 5000 line ${4095 + 4}`]);
    await expect(load(make(4096))).rejects.toThrow(`:${4096 + 3}: out of time order by more than the re-sort window of 4096 lines (0.000001 s older than a line already read)`);
    const far = await load(make(4096), { lenient: true });
    expect(far.ops).toEqual([]);
    expect(far.summary.lines.bad).toBe(1);
    expect(far.summary.lines.skipped).toEqual({ 'header-trace-cmd': 1, 'irrelevant-event': 4096, 'syscall-exit-without-enter': 1 });
  });
});

describe('the ftrace blk tracer', () => {
  it('the device is MAJ,MIN; the comm is the one in brackets, else the task\'s', async () => {
    const r = await load(`# tracer: blk
#P:2
       kworker/0:1-44    [001] d..1.   10.000000:   259,16  Q  WS 8 + 8 [fio]
       kworker/0:1-44    [001] d..1.   10.000010:   259,16  Q  R 64 + 8
     ksoftirqd/1-22      [001] d.s1.   10.000100:   259,16  C  WS 8 + 8 [0]
     ksoftirqd/1-22      [001] d.s1.   10.000200:   259,16  C  R 64 + 8 [0]
       kworker/0:1-44    [001] d..1.   10.000300:   9,0  D  W 8 + 8 [md]
`);
    expect(r.ops.map(brief)).toEqual([
      '0 write blk:259:16 4096+4096 pid 44 fio proc pid:44 ts 10000000000 dur 100000 line 3',
      '1 read blk:259:16 32768+4096 pid 44 kworker/0:1 proc pid:44 ts 10000010000 dur 190000 line 4',
      '2 write blk:9:0 4096+4096 pid 44 md proc pid:44 ts 10000300000 line 7',
    ]);
  });
});

describe('FtraceLineParser', () => {
  it('by default reads tracefs text: a timestamp going back is a bad line', () => {
    const counter = new LineCounter();
    const badLines = new BadLines('in', true, counter);
    const out = new SelectingSink({ op: () => {}, lock: () => {} }, counter);
    const p = new FtraceLineParser(new OpBuilder(out, counter, badLines), new BlockOpBuilder(out, counter, badLines), counter, badLines);
    for (const [i, l] of ['a-1 [000] 2.0: ev: x', 'a-1 [000] 1.0: ev: y'].entries()) p.line(l, 0, l.length, i + 1, Buffer.from(l, 'latin1'), 0);
    p.finish();
    // (no "# tracer:" header: the text may be trace-cmd's, which the message says)
    expect(counter.result().badSamples).toEqual(['in:2: timestamp goes backwards (1.000000s after 2.000000s on line 1) (trace-cmd report output? --format trace-cmd re-sorts it)']);
  });

  it('trace-cmd: a comm with a blank before a colon keeps its words', async () => {
    const r = await load(['cpus=1', '   my tool x: y-3 [000]   2.000000: sys_enter_fsync: fd: 0x00000004', '   my tool x: y-3 [000]   2.000001: sys_exit_fsync: 0x0', ''].join('\n'));
    expect(r.ops.map((o) => o.comm)).toEqual(['my tool x: y']);
  });
});
