/**
 * The rules every input format shares (README "Input limits"): numbers within the import limits,
 * time order, --lenient, one selection filter, and line accounting that adds up to an independent
 * count of the input's lines.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importTrace, type ImportOptions, type ImportSummary } from '../src/import/index.js';
import { durationProblem, MAX_EXACT_BYTES, rangeProblem, TimeOrder } from '../src/import/limits.js';
import { numAfter } from '../src/import/fields.js';
import { modelNs } from '../src/engine/service-model.js';
import { opRow, opStreamHeader } from '../src/import/opstream.js';
import type { Op } from '../src/model/op.js';
import { selectionOptions } from '../src/cli/selection-flags.js';
import { cli, FIXTURES, TRACES } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-rules-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

async function summary(path: string, options: ImportOptions = {}): Promise<{ s: ImportSummary; ops: Op[] }> {
  const ops: Op[] = [];
  const s = await importTrace(path, { op: (o) => ops.push(o), lock: () => undefined }, options);
  return { s, ops };
}

/** lines counted apart from any parser: line breaks in the (gunzipped) bytes, plus a last line without one */
function independentLineCount(path: string): number {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) n++;
  return n;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('line accounting of every bundled capture adds up to an independent line count', () => {
  const captures = [
    ...readdirSync(TRACES).filter((n) => n.endsWith('.trace.gz') || n.endsWith('.blkparse.txt.gz')).map((n) => join(TRACES, n)),
    ...filesUnder(join(FIXTURES, 'public')).filter((p) => !p.endsWith('README.md')),
  ];
  it('covers every format', () => {
    expect(captures.length).toBeGreaterThan(20);
  });
  it.each(captures.map((p) => [p.slice(p.indexOf(p.includes('/traces/') ? 'traces/' : 'test/')), p]))('%s', async (_name, path) => {
    const { s } = await summary(path, { keepLocks: true });
    const l = s.lines;
    const skipped = Object.values(l.skipped).reduce((a, b) => a + b, 0);
    const lines = independentLineCount(path);
    expect([l.used + skipped + l.bad, l.total]).toEqual([lines, lines]);
    expect(s.notes.filter((n) => n.startsWith('internal'))).toEqual([]);
  }, 120_000);
});

describe('import limits', () => {
  it('byte ranges: loff_t, whole numbers, exact below 2^53', () => {
    expect(rangeProblem(0, MAX_EXACT_BYTES)).toBeUndefined();
    expect(rangeProblem(MAX_EXACT_BYTES - 4096, 4096)).toBeUndefined();
    expect(rangeProblem(MAX_EXACT_BYTES - 4095, 4096)).toMatch(/offset beyond 2\^53 bytes is not supported/);
    expect(rangeProblem(2 ** 63, 1)).toMatch(/beyond 2\^63-1/);
    expect(rangeProblem(0, -1)).toMatch(/length -1 is negative/);
    expect(rangeProblem(-1, 1)).toMatch(/offset -1 is negative/);
    expect(rangeProblem(0, Infinity)).toMatch(/length is not a finite number/);
    expect(rangeProblem(NaN, 1)).toMatch(/offset is not a number/);
    expect(rangeProblem(0.5, 1)).toMatch(/not a whole number/);
  });

  it('durations and timestamps: finite, not negative, within 2^53 ns of the first', () => {
    expect(durationProblem(0)).toBeUndefined();
    expect(durationProblem(-1)).toMatch(/negative/);
    expect(durationProblem(2 ** 54)).toMatch(/beyond 2\^53 ns/);
    const t = new TimeOrder(true);
    expect(t.check(1_000)).toBeUndefined();
    expect(t.check(999)).toMatch(/timestamp goes backwards/);
    expect(t.check(1_000)).toBeUndefined();
    expect(t.check(1_000 + 2 ** 54)).toMatch(/more than 2\^53 ns/);
    expect(t.check(Infinity)).toMatch(/not a finite number/);
    expect(t.check(2 ** 63)).toMatch(/is not below 2\^63 ns/);
    const unordered = new TimeOrder(false);
    expect([unordered.check(5), unordered.check(4)]).toEqual([undefined, undefined]);
  });

  it('an overlong digit string does not pass as a number: it is Infinity, which every format refuses', () => {
    expect(numAfter(`len 0x${'f'.repeat(300)} flags 0`, 'len ', 10)).toBe(Infinity);
  });

  it('a modelled service time is finite whatever the length', () => {
    const model = { byKindAndSize: {}, byKind: {}, defaultBaseNs: 1000, defaultPerPageNs: 100 };
    for (const len of [Infinity, NaN, 1e300]) expect(Number.isFinite(modelNs(model, 'punch', len, 4096))).toBe(true);
    expect(modelNs(model, 'punch', 8192, 4096)).toBe(1200);
  });
});

const FTRACE_HEAD = '# tracer: nop\n#\n# entries-in-buffer/entries-written: 4/4   #P:2\n#\n';
const ftraceLine = (comm: string, pid: number, sec: string, body: string): string => `${`${comm}-${pid}`.padStart(16)} [000] .....  ${sec}: ${body}\n`;

describe('each format checks numbers and time order the same way', () => {
  it('ftrace: a pos beyond 2^53 or a negative length is a bad line; an exit 2^53 ns after its enter is one too', async () => {
    const big = file('big.trace', FTRACE_HEAD + ftraceLine('fio', 7, '100.000000', 'sys_pread64(fd: 3, buf: 0x7f00, count: 0x1000, pos: 0x20000000000000)') + ftraceLine('fio', 7, '100.000010', 'sys_pread64 -> 0x1000'));
    expect(cli(['import', big]).stderr).toMatch(/big\.trace:5: sys_pread64: offset beyond 2\^53 bytes is not supported/);
    const falloc = file('falloc.trace', FTRACE_HEAD + ftraceLine('fio', 7, '100.000000', 'sys_fallocate(fd: 3, mode: 0, offset: 0, len: -4096)') + ftraceLine('fio', 7, '100.000010', 'sys_fallocate -> 0x0'));
    expect(cli(['import', falloc]).stderr).toMatch(/falloc\.trace:5: sys_fallocate: length -4096 is negative/);
    const lenient = await summary(falloc, { lenient: true });
    expect([lenient.s.lines.bad, lenient.s.lines.skipped['lines-of-a-bad-op'], lenient.ops.length]).toEqual([1, 1, 0]);
    // an exit 9,007,200 s after its enter: more than 2^53 ns after the first event
    const late = file('late.trace', FTRACE_HEAD + ftraceLine('fio', 7, '1.000000', 'sys_fsync(fd: 3)') + ftraceLine('fio', 7, '9007201.000000', 'sys_fsync -> 0x0'));
    expect(cli(['import', late]).stderr).toMatch(/late\.trace:6: timestamp 9007201\.000000s is more than 2\^53 ns/);
    const lateLenient = await summary(late, { lenient: true });
    expect([lateLenient.s.lines.bad, lateLenient.s.lines.skipped['syscall-cut-by-trace-end'], lateLenient.ops.length]).toEqual([1, 1, 0]);
  });

  it('CSV, fio iolog and blkparse refuse a timestamp going backwards, as ftrace text does', () => {
    const csv = file('back.csv', '0,R,0,4096,2000\n0,R,0,4096,1000\n');
    expect(cli(['import', csv, '--preset', 'alibaba', '--format', 'csv']).stderr).toMatch(/back\.csv:2: column ts=4: timestamp goes backwards/);
    const iolog = file('back.iolog', 'fio version 3 iolog\n10 /f add\n20 /f read 0 4096\n15 /f read 0 4096\n');
    expect(cli(['import', iolog]).stderr).toMatch(/back\.iolog:4: timestamp goes backwards/);
    const blk = file('back.blkparse.txt', '  7,0    1        1     0.000200000 14364  Q  RS 8 + 8 [fio]\n  7,0    1        2     0.000100000 14364  Q  RS 16 + 8 [fio]\n');
    expect(cli(['import', blk]).stderr).toMatch(/back\.blkparse\.txt:2: timestamp goes backwards/);
  });

  it('a header or cpus= count of 0 is ignored (trace-cmd too)', async () => {
    const t = file('cpus0.txt', `cpus=0\n${ftraceLine('fio', 7, '100.000000', 'sys_enter_fsync: fd: 0x00000003')}${ftraceLine('fio', 7, '100.000010', 'sys_exit_fsync: 0x0')}`);
    const { s } = await summary(t);
    expect(s.cpus).toBeUndefined();
    expect(s.headerCpusIgnored).toBe(0);
  });
});

describe('--lenient in every parser', () => {
  it('CSV: an unclosed quote is a bad line where it opens; reading goes on with the line after it', async () => {
    const p = file('quote.csv', '0,R,0,4096,1000\n0,"W,4096,4096,1001\n0,R,8192,4096,1002\n0,R,8192,4096,1003\n');
    const strict = cli(['import', p, '--preset', 'alibaba', '--format', 'csv']);
    expect([strict.code, strict.stderr]).toEqual([4, expect.stringMatching(/quote\.csv:2: not valid CSV \(Quote Not Closed/)]);
    const { s } = await summary(p, { format: 'csv', csvPreset: 'alibaba', lenient: true });
    expect([s.ops.total, s.lines.bad, s.lines.used, s.lines.total]).toEqual([3, 1, 3, 4]);
    expect(s.lines.badSamples[0]).toMatch(/quote\.csv:2:/);
  });

  it('CSV: a quoted field with a line break is one record; its lines add up', async () => {
    const p = file('multi.csv', 'ts,op,off,len\n10,"R",0,8\n11,"W\nX",8,8\n12,W,16,8\n');
    const { s } = await summary(p, { format: 'csv', csvMapping: { columns: { ts: 0, op: 1, offset: 2, length: 3 }, tsUnit: 'ms', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['R'], writeValues: ['W'], delimiter: ',', header: true }, lenient: true });
    expect([s.lines.used, s.lines.bad, s.lines.skipped, s.lines.total]).toEqual([2, 1, { header: 1, 'quoted-line-break': 1 }, 5]);
  });

  it('op streams: bad records are counted, the rest is read', async () => {
    const row = (o: Partial<Op>): string => opRow({ id: 0, tsNs: 1000, pid: 1, proc: 'pid:1', comm: 'a', file: '7:0:133', kind: 'write', offset: 0, lengthBytes: 4096, line: 1, ...o });
    const p = file('lenient.ops.csv', opStreamHeader() + row({}) + row({ id: 1, tsNs: 2000, parent: 5 }) + row({ id: 2, tsNs: 3000, lengthBytes: -1 }) + row({ id: 3, tsNs: 2500 }) + row({ id: 4, tsNs: 4000, parent: 0 }) + row({ id: 4, tsNs: 5000 }));
    const strict = cli(['import', p]);
    expect([strict.code, strict.stderr]).toEqual([4, expect.stringMatching(/lenient\.ops\.csv:4: column parent: 5 is not an earlier op/)]);
    const { s, ops } = await summary(p, { lenient: true });
    expect(ops.map((o) => [o.id, o.tsNs, o.parent])).toEqual([[0, 1000, undefined], [1, 4000, 0]]);
    expect(s.opStreamLines).toMatchObject({ total: 8, used: 2, bad: 4, skipped: { comment: 1, header: 1 } });
  });
});

describe('one selection filter for every format', () => {
  const ftrace = FTRACE_HEAD
    + ftraceLine('fio', 7, '100.000000', 'sys_pread64(fd: 3, buf: 0x7f00, count: 0x1000, pos: 0x0)')
    + ftraceLine('fio', 7, '100.000001', 'xfs_file_buffered_read: dev 7:0 ino 0x85 disize 0x1000 pos 0x0 bytecount 0x1000')
    + ftraceLine('fio', 7, '100.000010', 'sys_pread64 -> 0x1000')
    + ftraceLine('dd', 8, '102.000000', 'sys_pwrite64(fd: 4, buf: 0x7f00, count: 0x1000, pos: 0x0)')
    + ftraceLine('dd', 8, '102.000001', 'xfs_file_buffered_write: dev 7:0 ino 0x86 disize 0x1000 pos 0x0 bytecount 0x1000')
    + ftraceLine('dd', 8, '102.000010', 'sys_pwrite64 -> 0x1000');
  const blkTracer = '# tracer: blk\n#\n'
    + ftraceLine('fio', 7, '100.000000', '  7,0    Q  RS 8 + 8 [fio]') + ftraceLine('fio', 7, '100.000010', '  7,0    C  RS 8 + 8 [0]')
    + ftraceLine('dd', 8, '102.000000', '  7,1    Q  WS 8 + 8 [dd]') + ftraceLine('dd', 8, '102.000010', '  7,1    C  WS 8 + 8 [0]');
  const blkparse = '  7,0    1        1   100.000000000     7  Q  RS 8 + 8 [fio]\n  7,0    1        2   100.000010000     0  C  RS 8 + 8 [0]\n'
    + '  7,1    1        3   102.000000000     8  Q  WS 8 + 8 [dd]\n  7,1    1        4   102.000010000     0  C  WS 8 + 8 [0]\n';
  const csv = '0,R,0,4096,100000000\n1,W,0,4096,102000000\n';
  const iolog = 'fio version 3 iolog\n100000000 /a add\n100000000 /a read 0 4096\n102000000 /b write 0 4096\n';
  const ops = opStreamHeader()
    + opRow({ id: 0, tsNs: 100e9, pid: 7, proc: 'pid:7', comm: 'fio', file: '7:0:133', kind: 'read', offset: 0, lengthBytes: 4096, line: 1 })
    + opRow({ id: 1, tsNs: 102e9, pid: 8, proc: 'pid:8', comm: 'dd', file: '7:0:134', kind: 'write', offset: 0, lengthBytes: 4096, line: 2 });
  // each input: two ops, the first at 100 s, the second 2 s later on another file by another task
  const inputs: [string, string, string, string, string, string][] = [
    ['ftrace', 'sel.trace', ftrace, '7:0:0x86', 'dd', '8'],
    ['blk tracer', 'sel-blk.trace', blkTracer, 'blk:7:1', 'dd', '8'],
    ['blkparse', 'sel.blkparse.txt', blkparse, 'blk:7:1', '8', '8'],
    ['csv (alibaba)', 'sel.csv', csv, 'vol:1', '', ''],
    ['fio iolog', 'sel.iolog', iolog, 'file:/b', '', ''],
    ['op stream', 'sel.ops.csv', ops, '254:0:0x86', 'dd', '8'],
  ];
  it.each(inputs)('%s: --file, --task, --from, --to', async (_name, name, text, secondFile, secondComm, secondPid) => {
    const p = file(name, name === 'sel.ops.csv' ? text.replace('7:0:134', '254:0:134') : text);
    const extra: ImportOptions = name.endsWith('.csv') && name !== 'sel.ops.csv' ? { format: 'csv', csvPreset: 'alibaba' } : {};
    const kept = async (flags: Parameters<typeof selectionOptions>[0]): Promise<number> => (await summary(p, { ...extra, ...selectionOptions(flags) })).ops.length;
    expect(await kept({})).toBe(2);
    expect(await kept({ file: [secondFile] })).toBe(1);
    expect(await kept({ from: '+1' })).toBe(1);
    expect(await kept({ to: '+1' })).toBe(1);
    expect(await kept({ from: '+1', to: '+3' })).toBe(1);
    expect(await kept({ from: '101', to: '103' })).toBe(1);
    if (secondComm !== '') expect(await kept({ task: [secondComm] })).toBe(1);
    if (secondPid !== '') expect(await kept({ task: [secondPid] })).toBe(1);
    expect(await kept({ task: ['999'] })).toBe(0);
    // the lines of the ops left out are skipped, not lost
    const { s } = await summary(p, { ...extra, ...selectionOptions({ task: ['999'] }) });
    expect(s.lines.used).toBe(0);
    expect((s.opStreamLines ?? s.lines).skipped['filtered-task']).toBeGreaterThanOrEqual(2);
  });

  it('--file takes the keys of every format on the command line', () => {
    for (const key of ['7:0:0x85', '254,0:2154529', 'blk:7:0', 'vol:3', 'vol:hm_1', 'file:/data/f', 'fd:100:3', 'tgid:12']) {
      expect(() => selectionOptions({ file: [key] })).not.toThrow();
    }
    expect(() => selectionOptions({ file: ['nonsense'] })).toThrow(/expected DEV:INO .* blk:7:0/);
  });
});
