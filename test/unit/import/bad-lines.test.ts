/** Bad lines of every format: the exact reason, the line number, strict and lenient; op streams read back. */
import { describe, expect, it } from 'vitest';
import { lockRow, opRow, opStreamFooter, opStreamHeader, csvField, readOpStream, readOpStreamWithCsvParse, summaryFromFooterLine } from '../../../src/import/opstream.js';
import type { ObservedLock, Op } from '../../../src/model/op.js';
import { brief, failure, load } from './helpers.js';

/** the bad samples of a lenient import, without the file name */
async function samples(text: string, options = {}): Promise<string[]> {
  const r = await load(text, { lenient: true, ...options });
  return r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1));
}

describe('fio iolog', () => {
  it('each bad line with its reason', async () => {
    expect(await samples('fio version 4 iolog\n', { format: 'fio-iolog' })).toEqual(['1: expected "fio version 2 iolog" or "fio version 3 iolog" on the first line']);
    expect(await samples([
      'fio version 3 iolog',
      'x /dev/sda write 0 1',
      '5 /dev/sda',
      '6 /dev/sda jump 0 1',
      '7 /dev/sda write 0',
      '8 /dev/sda write -1 1',
      '4 /dev/sda write 0 1',
      '9 /dev/sda read 0 1',
      '',
    ].join('\n'))).toEqual([
      '2: v3 lines start with a timestamp in µs',
      '3: expected FILE ACTION [OFFSET LENGTH]',
      '4: unknown action "jump" (add, open, close, wait, read, write, trim, sync, datasync)',
      '5: write needs OFFSET and LENGTH',
      '6: write: offset -1 is negative',
      '7: timestamp goes backwards (0.000004s after 0.000008s on line 6)',
    ]);
    // a v2 wait's time (µs) is in its offset field
    expect(await samples('fio version 2 iolog\n/dev/sda wait -5 0\n/dev/sda wait x 0\n/dev/sda wait\n/dev/sda wait 9007199254741 0\n/dev/sda wait 100 0\n/dev/sda read 0 1\n')).toEqual([
      '2: wait needs a time in µs, 0 or more',
      '3: wait needs a time in µs, 0 or more',
      '4: wait needs a time in µs, 0 or more',
      '5: wait 9007199254741 µs takes the clock beyond 2^53 ns (about 104 days) from the start',
    ]);
  });
  it('v2 waits advance the clock (µs); the file is file:PATH', async () => {
    const r = await load('fio version 2 iolog\n/dev/sda add\n/dev/sda wait 100 0\n/dev/sda write 0 4096\n/dev/sda wait 50 0\n/dev/sda read 4096 4096\n');
    expect(r.ops.map((o) => `${o.kind} ${o.tsNs} ${o.line}`)).toEqual(['write 100000 4', 'read 150000 6']);
    expect(r.summary.lines.skipped).toEqual({ header: 1, 'iolog-add': 1, 'iolog-wait': 2 });
  });
});

describe('blkparse', () => {
  it('a line that is not blkparse, a time going back, a range past 2^53 bytes', async () => {
    expect(await samples([
      '  7,0    1        1     0.000000100 14364  Q  RS 133248 + 8 [fio]',
      'not blkparse',
      '  7,0    1        2     0.000000050 14364  Q  RS 133248 + 8 [fio]',
      '  7,0    1        3     0.000000200 14364  Q  WS 17592186044416 + 8 [fio]',
      '',
    ].join('\n'))).toEqual([
      '2: not a blkparse line ("MAJ,MIN CPU SEQ SEC.NSEC PID ACTION RWBS ...")',
      '3: timestamp goes backwards (0.000000050s after 0.000000100s on line 1)',
      '4: sector 17592186044416 + 8: offset beyond 2^53 bytes is not supported (offset 9007199254740992, length 4096)',
    ]);
  });
});

describe('CSV', () => {
  it('each bad row with its reason', async () => {
    const rows = [
      '1,R,0,4096,10',
      '1,R,0,4096',
      '1,R,x,4096,11',
      '1,Q,0,4096,12',
      '1,R,-4096,4096,13',
      '1,R,0,4096,9',
      '1,W,0,4096,14',
      '',
    ];
    expect(await samples(rows.join('\n'), { format: 'csv', csvPreset: 'alibaba' })).toEqual([
      '2: a row of 4 columns, not 5',
      '3: row needs numbers in column offset=2: "x" is not decimal digits',
      '4: op column 1 is "Q": neither a read (R) nor a write (W)',
      '5: offset -4096 is negative',
      // (a row bad for its range has moved the clock on: 13)
      '6: column ts=4: timestamp goes backwards (0.000009s after 0.000013s on line 5)',
    ]);
    const f = await failure(rows.join('\n'), { format: 'csv', csvPreset: 'alibaba' });
    expect([f.message, f.code]).toEqual([`${f.path}:2: a row of 4 columns, not 5\n  1,R,0,4096`, 4]);
  });
  it('a negative response time; an unclosed quote is a bad line where it opens, and reading goes on', async () => {
    expect(await samples('Timestamp,Response,IOType,LUN,Offset,Size\n1,-0.5,R,0,0,512\n', { format: 'csv', csvPreset: 'systor' })).toEqual(['2: response column 1: duration -500000000 ns is negative']);
    const r = await load('1,R,0,4096,10\n1,"R,0,4096,11\n1,W,0,4096,12\n', { lenient: true, format: 'csv', csvPreset: 'alibaba' });
    expect(r.summary.lines.bad).toBe(1);
    expect(r.summary.lines.badSamples[0]).toMatch(new RegExp(`^${r.path}:2: not valid CSV \\(`));
    expect(r.ops.map((o) => `${o.kind} ${o.line}`)).toEqual(['read 1', 'write 3']);
    expect(r.summary.lines.total).toBe(3);
  });
  it('a lone CR is no line break', async () => {
    const r = await load('1,R,0,4096,10\r1,W,0,4096,11\n1,W,0,4096,12\r\n', { lenient: true, format: 'csv', csvPreset: 'alibaba' });
    expect(r.summary.lines.total).toBe(2);
    expect(r.summary.lines.bad).toBe(1);
    expect(r.ops.map((o) => o.line)).toEqual([2]);
  });
});

describe('block actions with a sector field that is no whole number (they became an op at offset 0 of length 0: the whole device)', () => {
  const fields = ['-5 + 8', 'NaN + 8', '133248.5 + 8', '133248 + -8'];
  it('blkparse', async () => {
    const rows = fields.map((f, i) => `  7,0    1        ${i + 1}     0.00000${i + 1}000 14364  Q  RS ${f} [fio]`);
    expect(await samples([...rows, '  7,0    1        9     0.000009000 14364  Q  RS 133248 + 8 [fio]', ''].join('\n'))).toEqual(fields.map((f, i) => `${i + 1}: sector field "${f}" is not SECTOR + COUNT in whole numbers`));
    // a flush (no sector), a plug (a comm only) and messages (free text, digits first too) are no such lines
    const ok = await load(['  7,0    1        1     0.000001000 14364  Q FWS [fio]', '  7,0    1        2     0.000002000 14364  P   N [fio]', '  7,0    1        3     0.000003000 14364  Q  RS 133248 + 8 [fio]', '  7,0    1        0     0.000004000 14364  m   N 2 requests inflight', '  7,0    1        0     0.000005000 14364  m   N inflight 2', ''].join('\n'), { lenient: true });
    expect(ok.summary.lines.bad).toBe(0);
  });
  it('the ftrace blk tracer', async () => {
    const pre = '# tracer: blk\n#P:2\n';
    const rows = fields.map((f, i) => `             fio-14364 [001] ....     1.00000${i + 1}:   7,0    Q  RS ${f} [fio]`);
    expect(await samples(pre + rows.join('\n') + '\n')).toEqual(fields.map((f, i) => `${i + 3}: sector field "${f}" is not SECTOR + COUNT in whole numbers`));
  });
});

describe('ftrace fs events without the range they always print (they became an op at offset 0)', () => {
  it('ext4_da_write_begin without pos, or with one that is no number; ext4_fallocate_enter without len', async () => {
    const pre = '# tracer: nop\n#P:2\n';
    const line = (body: string, us: number): string => `           <...>-1297  [001] .....  3843.73${us}: ${body}`;
    expect(await samples(pre + [
      line('ext4_da_write_begin: dev 8,13 ino 5898483 pos NaN len 4096 flags 0', 4450),
      line('ext4_da_write_begin: dev 8,13 ino 5898483 len 4096 flags 0', 4460),
      line('ext4_fallocate_enter: dev 8,13 ino 5898483 offset 0 mode KEEP_SIZE|PUNCH_HOLE', 4470),
      line('ext4_da_write_begin: dev 8,13 ino 5898483 pos 4096 len 4096 flags 0', 4480),
      '',
    ].join('\n'))).toEqual([
      '3: ext4_da_write_begin: no position in the event body (a number was expected)',
      '4: ext4_da_write_begin: no position in the event body (a number was expected)',
      '5: ext4_fallocate_enter: no length in the event body (a number was expected)',
    ]);
  });
});

describe('ftrace', () => {
  it('a lost-events marker, a time going back, an event after an enter with a broken exit', async () => {
    const pre = '# tracer: nop\n#P:2\n';
    const r = await load(pre + [
      '             fio-12734   [000] .....   618.022805: sys_pwrite64(fd: 7, buf: 0x55cf0c00d610, count: 0x1000, pos: 0x3dc000)',
      'CPU:1 [LOST 12 EVENTS]',
      '             fio-12734   [000] .....   618.022800: sys_pwrite64 -> 0x1000',
      '',
    ].join('\n'), { lenient: true });
    expect(r.summary.lostEvents).toBe(12);
    expect(r.summary.notes[0]).toBe('12 events were lost by the kernel ring buffer: ops around them may be incomplete');
    expect(r.summary.lines.total).toBe(5);
  });
});

const OPS: Op[] = [
  { id: 0, tsNs: 1000, durNs: 500, pid: 7, proc: 'tgid:7', comm: 'fio, "the" job', file: '7:0:133', kind: 'write', offset: 0, lengthBytes: 4096, line: 3 },
  { id: 1, tsNs: 1200, pid: 7, proc: 'tgid:7', comm: 'fio', file: '7:0:133', kind: 'fault-read', offset: 4096, lengthBytes: 4096, parent: 0, line: 4 },
  { id: 2, tsNs: 2000, pid: 8, proc: 'tgid:8', comm: 'é#x', file: 'fd:8:3', kind: 'punch', offset: 8192, lengthBytes: 0, line: 9 },
];
const LOCKS: ObservedLock[] = [
  { tsNs: 1100, pid: 7, comm: 'fio', target: '7:0:133', event: 'xfs_ilock', mode: 'IOLOCK_EXCL', caller: 'xfs_file_buffered_write+0x12f/0x2e0', line: 5 },
  { tsNs: 1300, pid: 7, comm: 'fio', target: 'lock:abc', event: 'contention', mode: 'READ', caller: 'unknown', line: 6, waitNs: 40 },
  { tsNs: 1400, pid: 7, comm: 'fio', target: '7:0:133', event: 'contention', mode: 'WRITE', caller: 'IOLOCK', line: 7, waitNs: 90, spinNs: 11 },
];
function stream(summary: unknown = { input: 'orig.trace', notes: ['n1'], cpus: 4, fileAliases: { 'fd:8:3': '7:0:200' } }): string {
  return opStreamHeader() + OPS.map(opRow).join('') + LOCKS.map(lockRow).join('') + opStreamFooter(summary);
}

describe('op streams', () => {
  it('the writer\'s fields', () => {
    expect(opStreamHeader()).toBe('# lockreplay-ops v2\nrec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns\n');
    expect(opRow(OPS[0])).toBe('op,0,1000,500,7,tgid:7,"fio, ""the"" job",7:0:133,write,0,4096,,3,,,\n');
    expect(opRow(OPS[1])).toBe('op,1,1200,,7,tgid:7,fio,7:0:133,fault-read,4096,4096,0,4,,,\n');
    expect(lockRow(LOCKS[1])).toBe('lock,,1300,40,7,,fio,lock:abc,contention,,,,6,READ,unknown,\n');
    expect(lockRow(LOCKS[2])).toBe('lock,,1400,90,7,,fio,7:0:133,contention,,,,7,WRITE,IOLOCK,11\n');
    expect(csvField(' x')).toBe('" x"');
    expect(csvField('a#b')).toBe('"a#b"');
    expect(csvField('a\rb')).toBe('"a\rb"');
    expect(csvField('plain')).toBe('plain');
    expect(summaryFromFooterLine('# summary: {"a":1}')).toEqual({ a: 1 });
  });

  it('imported back: renamed by the footer\'s aliases, notes and cpus kept, every line accounted', async () => {
    const r = await load(stream());
    expect(r.summary.format).toBe('ops');
    expect(r.ops.map(brief)).toEqual([
      '0 write 7:0:133 0+4096 pid 7 fio, "the" job proc tgid:7 ts 1000 dur 500 line 3',
      '1 fault-read 7:0:133 4096+4096 pid 7 fio proc tgid:7 ts 1200 parent 0 line 4',
      '2 punch 7:0:200 8192+0 pid 8 é#x proc tgid:8 ts 2000 line 9',
    ]);
    expect(r.locks).toEqual(LOCKS);
    expect(r.summary.cpus).toBe(4);
    expect(r.summary.notes).toEqual(['n1', 'read from an op stream made by "lockreplay import" of orig.trace']);
    expect(r.summary.opStreamLines).toEqual({ total: 9, used: 6, skipped: { comment: 2, header: 1 }, bad: 0, badSamples: [] });
    expect([r.summary.firstTsNs, r.summary.lastTsNs]).toEqual([1000, 2000]);
    expect(r.summary.ops).toEqual({ total: 3, byKind: { 'fault-read': 1, punch: 1, write: 1 }, byFile: { '7:0:133': { 'fault-read': 1, write: 1 }, '7:0:200': { punch: 1 } } });
    expect(r.summary.observedLocks).toBe(3);
    // only the kernel's waits, or no locks
    expect((await load(stream(), { keepLocks: false, keepContention: true })).locks).toEqual([LOCKS[1], LOCKS[2]]);
    expect((await load(stream(), { keepLocks: false })).locks).toEqual([]);
    // a selection that drops a parent leaves its child top-level
    const sel = await load(stream(), { fromNs: 1100 });
    expect(sel.ops.map((o) => [o.id, o.kind, o.parent])).toEqual([[0, 'fault-read', undefined], [1, 'punch', undefined]]);
  });

  it('a stream without a summary, or with cpus 0', async () => {
    const r = await load(opStreamHeader() + opRow(OPS[0]));
    expect(r.summary.notes).toEqual(['read from an op stream made by "lockreplay import" of an unknown trace', 'the op stream has no summary footer (an import writes one as its last line): it may be cut short; CPUs, the trace\'s line accounting and file aliases are unknown']);
    expect(r.summary.cpus).toBeUndefined();
    expect(r.summary.lines).toEqual(r.summary.opStreamLines);
    expect((await load(stream({ cpus: 0 }))).summary.cpus).toBeUndefined();
  });

  it('bad records, each with its reason', async () => {
    const rec = (over: Record<number, string>): string => {
      const f = opRow({ ...OPS[0], comm: 'c' }).trimEnd().split(',');
      for (const [i, v] of Object.entries(over)) f[Number(i)] = v;
      return f.join(',');
    };
    const text = opStreamHeader() + [
      rec({}),
      'op,1,2',
      rec({ 0: 'zz', 1: '1' }),
      rec({ 1: '2', 8: 'scribble' }),
      rec({ 1: '-1' }),
      rec({ 1: '0' }),
      rec({ 1: '3', 4: '-2' }),
      rec({ 1: '4', 12: 'x' }),
      rec({ 1: '5', 2: '-5' }),
      rec({ 1: '6', 3: '-5' }),
      rec({ 1: '7', 11: '7' }),
      rec({ 1: '8', 11: '99' }),
      '',
    ].join('\n');
    expect(await samples(text)).toEqual([
      '4: not a valid op stream (a record of 3 fields, not 16)',
      '5: unknown record type "zz"',
      '6: unknown op kind "scribble"',
      '7: column id: -1 is not an op id (a whole number, 0 or more)',
      '8: column id: 0 repeats the id of an earlier op',
      '9: column pid: -2 is not a task id (a whole number, 0 or more)',
      '10: column line is not a number',
      '11: column ts_ns: timestamp -5 ns is negative',
      '12: column dur_ns: duration -5 ns is negative',
      '13: column parent: op 7 names itself as its parent',
    ]);
    const more = opStreamHeader() + [rec({}), rec({ 1: '1', 11: '0' }), rec({ 1: '2', 11: '1' }), rec({ 1: '3', 11: '9' }), '"open quote,', ''].join('\n');
    expect(await samples(more)).toEqual([
      '5: column parent: op 1 is itself a child op; a child\'s parent must be a top-level op (nested children are not supported)',
      '6: column parent: 9 is not an earlier op (a parent comes before its children)',
      '7: not a valid op stream (a quoted field is not closed)',
    ]);
    const f = await failure(more);
    expect([f.message, f.code]).toEqual([`${f.path}:5: column parent: op 1 is itself a child op; a child's parent must be a top-level op (nested children are not supported)`, 4]);
  });

  it('the reader and its csv-parse reference read the same, in pieces of any size; a footer that is not JSON is no summary', async () => {
    const text = Buffer.from(stream());
    const pieces = async function* (size: number) { for (let i = 0; i < text.length; i += size) yield text.subarray(i, i + size); };
    const ours = await readOpStream(pieces(7), 'x.ops');
    const ref = await readOpStreamWithCsvParse(pieces(1000), 'x.ops');
    expect(ours).toEqual(ref);
    expect(ours.ops.toArray()).toEqual(OPS);
    expect(ours.locks).toEqual(LOCKS);
    expect(ours.summary).toEqual({ input: 'orig.trace', notes: ['n1'], cpus: 4, fileAliases: { 'fd:8:3': '7:0:200' } });
    expect((await readOpStream(pieces(100), 'x.ops', false)).locks).toEqual([]);
    expect((await readOpStream(pieces(100), 'x.ops', 'contention')).locks).toEqual([LOCKS[1], LOCKS[2]]);
    expect((await readOpStreamWithCsvParse(pieces(100), 'x.ops', false)).locks).toEqual([]);
    expect(summaryFromFooterLine('# summary: {oops')).toBeUndefined();
    expect(summaryFromFooterLine('# other: {}')).toBeUndefined();
    const broken = async function* () { yield Buffer.from(`${opStreamHeader()}op,0,1,,1,p,"open,F,read,0,1,,1,,\n`); };
    await expect(readOpStreamWithCsvParse(broken(), 'y.ops')).rejects.toMatchObject({ exitCode: 4 });
    await expect(readOpStreamWithCsvParse(broken(), 'y.ops')).rejects.toThrow(/^y\.ops:\d+: not a valid op stream \(/);
    // strict reading stops at the first bad record
    const bad = async function* () { yield Buffer.from(`${opStreamHeader()}op,x\n`); };
    await expect(readOpStream(bad(), 'z.ops')).rejects.toThrow('z.ops:3: not a valid op stream (a record of 2 fields, not 16)');
  });

  it('a quoted field across lines, blank lines; no header is no op stream', async () => {
    const r = await load(`${opStreamHeader()}\nop,0,1,,1,p,"two\nlines",F,read,0,1,,1,,,\n`);
    expect(r.ops.map((o) => o.comm)).toEqual(['two\nlines']);
    expect(r.summary.opStreamLines).toEqual({ total: 5, used: 1, skipped: { blank: 1, comment: 1, header: 1, 'quoted-line-break': 1 }, bad: 0, badSamples: [] });
    const chunks = async function* () { yield Buffer.from('# lockreplay-ops v2\nop,0,1,,1,p,c,F,read,0,1,,1,,,\n'); };
    await expect(readOpStream(chunks(), 'x.ops')).rejects.toMatchObject({ message: 'x.ops:2: op stream header does not match the columns of version 2 (rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns) or 1 (without spin_ns)', exitCode: 5 });
    const empty = async function* () { yield Buffer.from('# lockreplay-ops v1\n\n'); };
    await expect(readOpStream(empty(), 'y.ops')).rejects.toMatchObject({ message: 'y.ops:2: not a valid op stream (no header line)', exitCode: 5 });
  });
  it('version 1 (no spin_ns column) still reads; spin_ns is a contention row\'s, 0 or more', async () => {
    const v1 = '# lockreplay-ops v1\nrec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller\n'
      + 'op,0,1000,500,7,tgid:7,fio,7:0:133,write,0,4096,,3,,\n'
      + 'lock,,1400,90,7,,fio,7:0:133,contention,,,,7,WRITE,IOLOCK\n';
    const r = await load(v1);
    expect(r.summary.format).toBe('ops');
    expect(r.ops.map((o) => o.kind)).toEqual(['write']);
    expect(r.locks).toEqual([{ tsNs: 1400, pid: 7, comm: 'fio', target: '7:0:133', event: 'contention', mode: 'WRITE', caller: 'IOLOCK', line: 7, waitNs: 90 }]);
    // a version 2 record in a version 1 stream has a field too many
    expect(await samples(`${v1}lock,,1500,90,7,,fio,7:0:133,contention,,,,8,WRITE,IOLOCK,11\n`)).toEqual(['5: not a valid op stream (a record of 16 fields, not 15)']);
    const text = opStreamHeader() + [
      'op,0,1000,500,7,tgid:7,fio,7:0:133,write,0,4096,,3,,,5',
      'lock,,1100,,7,,fio,7:0:133,xfs_ilock,,,,4,IOLOCK_EXCL,x,5',
      'lock,,1200,90,7,,fio,7:0:133,contention,,,,5,WRITE,IOLOCK,-5',
      'lock,,1300,90,7,,fio,7:0:133,contention,,,,6,WRITE,IOLOCK,zz',
      '',
    ].join('\n');
    expect(await samples(text)).toEqual([
      '3: column spin_ns: only a contention record has one, not an op row',
      '4: column spin_ns: only a contention record has one, not a xfs_ilock record',
      '5: column spin_ns: duration -5 ns is negative',
      '6: column spin_ns is not a number',
    ]);
  });

  it('every text field is quoted when it needs to be: a file, lock target or mode with a comma or quote reads back as written (an event is one the reader knows) (fuzz, session 16: an mmap_lock target from a trace with "a,b" in it made a row of 17 fields)', async () => {
    const op: Op = { ...OPS[0], file: 'mm:00"a,b"1', proc: 'tgid:7' };
    const lock: ObservedLock = { tsNs: 1100, pid: 7, comm: 'fio', target: 'mm:00000000"a,b"913b8192', event: 'mmap_lock_start', mode: 'write,"x"', caller: '', line: 5 };
    const text = opStreamHeader() + opRow(op) + lockRow(lock);
    const r = await readOpStream((async function* () { yield Buffer.from(text); })(), 'q.ops');
    expect(r.ops.toArray()).toEqual([op]);
    expect(r.locks).toEqual([lock]);
  });

  it('a lock row\'s numbers are numbers: an empty or non-numeric pid, line, time or wait is a bad line naming its column (fuzz, session 16: a pid of "7:0:134" was reported as "NaN", and an empty pid was read as task 0)', async () => {
    const text = opStreamHeader() + [
      'lock,,100,,7:0:134,,fio,mm:1,mmap_lock_start,,,,3,read,,',
      'lock,,200,,,,fio,mm:1,mmap_lock_start,,,,4,read,,',
      'lock,,300,,7,,fio,mm:1,mmap_lock_start,,,,,read,,',
      'lock,,,,7,,fio,mm:1,mmap_lock_start,,,,6,read,,',
      'lock,,500,x,7,,fio,7:0:133,contention,,,,7,WRITE,IOLOCK,',
      'lock,,600,5,7,,fio,mm:1,mmap_lock_start,,,,8,read,,',
      '',
    ].join('\n');
    expect(await samples(text)).toEqual([
      '3: column pid is not a number',
      '4: column pid is not a number',
      '5: column line is not a number',
      '6: column ts_ns is not a number',
      '7: column dur_ns is not a number',
    ]);
  });
});
