/** importTrace and detectFormat: edge cases of detection, the summary's notes and counts, op streams read back, the input closed on every path. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, importTrace } from '../../../src/import/index.js';
import { lockRow, opRow, opStreamFooter, opStreamHeader } from '../../../src/import/opstream.js';
import type { ObservedLock, Op } from '../../../src/model/op.js';
import { failure, HEADER, imported, load, tmpFile } from './helpers.js';

const d = (text: string) => detectFormat(Buffer.from(text, 'latin1'), 'in').format;
const dp = (text: string) => detectFormat(Buffer.from(text, 'latin1'), 'in');
const L = (pid: number, t: string, ev: string): string => `             fio-${pid}   [000] .....   ${t}: ${ev}`;
const KERNEL_EV = L(1, '1.000000', 'sched_stat_runtime: x');
const ENTER = '             fio-12752 [000]   619.541289: sys_enter_pwrite64:   fd: 0x00000007';
const EXIT = '             fio-12752 [000]   619.541299: sys_exit_pwrite64:   0x1000';

describe('detectFormat: edges', () => {
  it('blank lines before the first are not lines; a last line without a newline counts', () => {
    expect(d('\n\n   \nfio version 2 iolog\n')).toBe('fio-iolog');
    expect(d('fio version 2 iolog')).toBe('fio-iolog');
    expect(dp('hello\n1,R,0,1,5\n2,R,0,1,6')).toEqual({ format: 'csv', preset: 'alibaba' });
    expect(() => d('fio version 2 iolog x\n')).toThrow('cannot tell the format');
    expect(() => d('xfio version 2 iolog\n')).toThrow('cannot tell the format');
  });

  it('trace-cmd header words, whole and trimmed; sys_exit_ events alone; a "# tracer:" header only at the start of a line', () => {
    expect(d(`  cpus=2  \n${KERNEL_EV}\n`)).toBe('trace-cmd');
    expect(d(`version = 16\n${KERNEL_EV}\n`)).toBe('trace-cmd');
    expect(d(`cpus=12\n${KERNEL_EV}\n`)).toBe('trace-cmd');
    expect(d(`CPU 12 is empty\n${KERNEL_EV}\n`)).toBe('trace-cmd');
    for (const h of ['xcpus=2', 'cpus=2x', 'version = x', 'cpus=']) expect(d(`${h}\n${KERNEL_EV}\n`), h).toBe('ftrace');
    expect(d(`${EXIT}\n`)).toBe('trace-cmd');
    expect(d(`# hello\n${ENTER}\n`)).toBe('trace-cmd');
    expect(d(`  # tracer: nop\n${ENTER}\n`)).toBe('trace-cmd');
    expect(d(`#tracer: nop\n${ENTER}\n`)).toBe('ftrace');
    expect(d(`#  tracer: nop\n${ENTER}\n`)).toBe('ftrace');
  });

  it('a trace-cmd header alone is trace-cmd (the import then says it has no events); a comment or nothing but blank lines is no format', () => {
    expect(d('version = 6\ncpus=2\n')).toBe('trace-cmd');
    expect(() => d('# just a comment\n')).toThrow('in: cannot tell the format from its first lines. It matches none of');
    expect(() => d('\n\n')).toThrow('It matches none of');
  });

  it('CSV detection reads the first 20 rows; a DiskSim row is five whole numbers', () => {
    const rows = Array.from({ length: 22 }, (_, i) => `${i},R,0,1,5`).concat(['bad', 'worse', 'worst']);
    expect(dp(`${rows.join('\n')}\n`)).toEqual({ format: 'csv', preset: 'alibaba' });
    expect(() => d('1 2 3 4 5\nhello\n')).toThrow('cannot tell the format');
    expect(() => d('x1 2 3 4 5\n')).toThrow('cannot tell the format');
    expect(() => d('1 2 3 4 5 6\n')).toThrow('cannot tell the format');
    expect(dp('1  2\t3 4   5\n')).toEqual({ format: 'csv', preset: 'disksim' });
  });

  it('each preset\'s rows: the column count and the field that tells it', () => {
    expect(() => d('x,y,z,Read,1,2,3,4\nx,y,z,Write,1,2,3,4\n')).toThrow('Candidates: CSV with 8 columns');
    expect(() => d('x,y,z,Reads,1,2,3\n')).toThrow('Candidates: CSV with 7 columns');
    expect(() => d('x,y,z,xRead,1,2,3\n')).toThrow('Candidates: CSV with 7 columns');
    expect(() => d('1,R,0,1,5,6\n')).toThrow('Candidates: CSV with 6 columns');
    expect(() => d('1,XR,0,7,5\n')).toThrow('Candidates: CSV with 5 columns');
    expect(() => d('1,RW,0,7,5\n')).toThrow('Candidates: CSV with 5 columns');
    expect(() => d('1,2,3,0,5,6\n')).toThrow('Candidates: CSV with 6 columns');
    expect(() => d('x1,2,3,0,5\n')).toThrow('Candidates: CSV with 5 columns');
    expect(() => d('1x,2,3,0,5\n')).toThrow('Candidates: CSV with 5 columns');
    expect(() => d('1,2,3,10,5\n')).toThrow('Candidates: CSV with 5 columns');
    expect(() => d('1,2,3,x1,5\n')).toThrow('Candidates: CSV with 5 columns');
    expect(() => d('1,2,3,x,5\n')).toThrow('Candidates: CSV with 5 columns');
  });

  it('the candidates, joined', () => {
    expect(() => d(`${L(1, '1.0', 'ev: x')}\n  7,0 1 1 0.000000001 22 Q RS 8 + 8 [a]\nx,y,z\nq\nw\n`)).toThrow(
      'in: cannot tell the format from its first lines. Candidates: ftrace text (1 of 5 lines parse); blkparse (1 lines look like it). Name it with --format.',
    );
  });
});

describe('importTrace', () => {
  it('format "auto" detects; an input longer than one read chunk needs no progress callback', async () => {
    const r = await load('1,R,0,1,5\n', { format: 'auto' });
    expect(r.summary.format).toBe('csv');
    const long = await load(`${HEADER}${'# padding comment line of the header, to make the input large\n'.repeat(5000)}${KERNEL_EV}\n`);
    expect(long.summary.lines.total).toBe(5005);
  });

  it('an import that stops at a bad line closes its input', async () => {
    const path = tmpFile(`${HEADER}garbage\n${'# padding comment line of the header, to make the input large\n'.repeat(6000)}`);
    const open = (): number => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 3; i++) await expect(importTrace(path, { op: () => {}, lock: () => {} })).rejects.toMatchObject({ exitCode: 4 });
    expect(open()).toBe(before);
  });

  it('ftrace notes: provisional keys identified later (three shown, then …), block requests never completed; no ignored-CPU field when none was', async () => {
    const late = (n: number) => {
      const lines: string[] = [];
      for (let fd = 3; fd < 3 + n; fd++) lines.push(L(1, `1.00${fd}000`, `sys_pwrite64(fd: ${fd}, buf: 0x1, count: 0x1000, pos: 0x0)`), L(1, `1.00${fd}001`, 'sys_pwrite64 -> 0x1000'));
      for (let i = 0; i < 2100; i++) lines.push(L(9, `2.${String(i).padStart(6, '0')}`, 'sched_stat_runtime: x'));
      for (let fd = 3; fd < 3 + n; fd++) {
        lines.push(L(1, `3.00${fd}000`, `sys_pwrite64(fd: ${fd}, buf: 0x1, count: 0x1000, pos: 0x0)`), L(1, `3.00${fd}001`, `xfs_file_buffered_write: dev 7:0 ino 0x${(0x80 + fd).toString(16)} disize 0x0 pos 0x0 bytecount 0x1000`), L(1, `3.00${fd}002`, 'sys_pwrite64 -> 0x1000'));
      }
      return HEADER + lines.join('\n') + '\n';
    };
    const three = await imported(late(3));
    expect(three.summary.notes[0]).toBe('3 provisional file keys were identified after their first ops were released (fd:1:3 → 7:0:131, fd:1:4 → 7:0:132, fd:1:5 → 7:0:133): replay renames them');
    const four = await imported(late(4));
    expect(four.summary.notes[0]).toBe('4 provisional file keys were identified after their first ops were released (fd:1:3 → 7:0:131, fd:1:4 → 7:0:132, fd:1:5 → 7:0:133, …): replay renames them');
    expect('headerCpusIgnored' in four.summary).toBe(false);
    const blk = await load('# tracer: blk\n#P:2\n             fio-10134   [001] d..1.   397.108559:   7,0    Q  RS 133248 + 8 [fio]\n');
    expect(blk.summary.notes).toEqual(['1 block requests never completed in the trace: replayed without an observed duration']);
  });

  it('blkparse\'s own summary: compared when there is one and nothing is selected; reads and writes must both agree', async () => {
    const events = '  8,0    1        1     0.000000001 14364  Q  RS 8 + 8 [fio]\n  8,0    1        2     0.000000002 14364  C  RS 8 + 8 [0]\n';
    expect((await load(events, { format: 'blkparse' })).summary.notes).toEqual([]);
    const summary = `${events}Total (8,0):\n Reads Queued:           1,        4KiB\t Writes Queued:           3,       12KiB\n`;
    expect((await load(summary, { format: 'blkparse' })).summary.notes).toEqual(['blkparse\'s own summary: 1 reads and 3 writes queued; imported 1 reads and 0 writes (they DIFFER)']);
    for (const sel of [{ files: new Set(['blk:8:0']) }, { taskPids: new Set([14364]) }, { taskComms: new Set(['fio']) }, { fromNs: 0 }, { toNs: 10 }]) {
      expect((await load(summary, { format: 'blkparse', ...sel })).summary.notes, Object.keys(sel)[0]).toEqual([]);
    }
  });

  it('fio iologs: the format detail', async () => {
    expect((await load('fio version 2 iolog\n/dev/sda read 0 1\n')).summary.formatDetail).toBe('fio iolog (v2/v3); trim → punch, sync/datasync → fsync');
  });

  it('CSV: bytes and lines counted apart from csv-parse (a first blank line, no newline at the end); a mapping given with a preset is not the preset', async () => {
    const r = await load('\n1,R,0,1,5\n2,W,0,1,6', { format: 'csv', csvPreset: 'alibaba' });
    expect(r.summary.bytes).toBe(20);
    expect(r.summary.lines).toEqual({ total: 3, used: 2, skipped: { blank: 1 }, bad: 0, badSamples: [] });
    expect(r.summary.notes.filter((n) => n.startsWith('internal'))).toEqual([]);
    const mapping = { columns: { ts: 4, op: 1, offset: 2, length: 3 }, tsUnit: 'us', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['R'], writeValues: ['W'], delimiter: ',', header: false } as const;
    const m = await load('1,R,0,1,5\n', { format: 'csv', csvPreset: 'alibaba', csvMapping: { ...mapping, readValues: ['R'], writeValues: ['W'] } });
    expect(m.summary.formatDetail).toBe('columns ts=4 op=1 offset=2 length=3; time in us; offset in bytes, length in bytes; read = R, write = W');
    const only = await load('1,R,0,1,5\n', { format: 'csv', csvMapping: { ...mapping, readValues: ['R'], writeValues: ['W'] } });
    expect(only.summary.formatDetail).toBe('columns ts=4 op=1 offset=2 length=3; time in us; offset in bytes, length in bytes; read = R, write = W');
  });

  it('files in the summary: most ops first, then by name', async () => {
    const s = await load(['d,R,0,1,1', 'b,R,0,1,2', 'c,R,0,1,3', 'a,R,0,1,4', 'b,R,0,1,5', 'c,R,0,1,6', 'c,R,0,1,7', 'a,R,0,1,8', ''].join('\n'), { format: 'csv', csvPreset: 'alibaba' });
    expect(Object.keys(s.summary.ops.byFile)).toEqual(['vol:c', 'vol:a', 'vol:b', 'vol:d']);
  });
});

describe('op streams read back', () => {
  const op = (o: Partial<Op>): Op => ({ id: 0, tsNs: 1000, pid: 7, proc: 'tgid:7', comm: 'fio', file: '7:0:133', kind: 'write', offset: 0, lengthBytes: 4096, line: 3, ...o });

  it('the footer\'s counts; a parent the selection dropped is no property of the child; one CPU is a count', async () => {
    const text = opStreamHeader() + [op({}), op({ id: 1, tsNs: 2000, kind: 'fault-read', parent: 0, line: 4 })].map(opRow).join('') + opStreamFooter({ input: 'x', cpus: 1, lostEvents: 5, bytes: 777 });
    const r = await load(text, { fromNs: 1500 });
    expect(r.summary.schema).toBe('lockreplay-import/1');
    expect([r.summary.cpus, r.summary.lostEvents, r.summary.bytes]).toEqual([1, 5, 777]);
    expect(r.ops.map((o) => [o.id, o.kind])).toEqual([[0, 'fault-read']]);
    expect('parent' in r.ops[0]).toBe(false);
  });

  it('no ops; bad records left out are noted', async () => {
    const empty = await load(opStreamHeader());
    expect([empty.summary.firstTsNs, empty.summary.lastTsNs, empty.summary.ops.total]).toEqual([undefined, undefined, 0]);
    const bad = await load(`${opStreamHeader()}op,1,2\n${opRow(op({}))}`, { lenient: true });
    expect(bad.summary.notes).toEqual(['read from an op stream made by "lockreplay import" of an unknown trace', '1 bad lines in the op stream were left out (see opStreamLines)', 'the op stream has no summary footer (an import writes one as its last line): it may be cut short; CPUs, the trace\'s line accounting and file aliases are unknown']);
  });
});

describe('detectFormat: the head', () => {
  it('past 64 KiB the last line may be cut: it is left out; a single line is kept', () => {
    // 20 DiskSim rows of 3.4 KB: the 20th is cut inside its blanks
    const row = `1${' '.repeat(3400)}2 3 4 5`;
    const text = `${Array.from({ length: 20 }, () => row).join('\n')}\n`;
    expect(text.length).toBeGreaterThan(65536);
    expect(dp(text)).toEqual({ format: 'csv', preset: 'disksim' });
    expect(d(`fio version 2 iolog${' '.repeat(70_000)}\n/dev/sda read 0 1\n`)).toBe('fio-iolog');
  });

  it('only the first 60 lines that are not blank count', () => {
    const ft = 'fio-1 [000] 1.000000: ev: x';
    expect(() => d(`${'garbage\n'.repeat(60)}${`${ft}\n`.repeat(100)}`)).toThrow('in: cannot tell the format from its first lines. It matches none of');
    expect(d(`${'garbage\n'.repeat(30)}${`${ft}\n`.repeat(100)}`)).toBe('ftrace');
  });
});

describe('the summary', () => {
  it('files with as many ops: by name', async () => {
    const r = await load(['d,R,0,1,1', 'c,R,0,1,2', 'b,R,0,1,3', 'a,R,0,1,4', 'e,R,0,1,5', 'e,R,0,1,6', ''].join('\n'), { format: 'csv', csvPreset: 'alibaba' });
    expect(Object.keys(r.summary.ops.byFile)).toEqual(['vol:e', 'vol:a', 'vol:b', 'vol:c', 'vol:d']);
  });

  it('op streams: a lock record\'s comm (UTF-8) is the task a --task COMM names', async () => {
    const op: Op = { id: 0, tsNs: 1000, pid: 8, proc: 'tgid:8', comm: 'é#x', file: '7:0:133', kind: 'write', offset: 0, lengthBytes: 1, line: 3 };
    // (a lock's comm is as the trace spelled it: UTF-8 bytes read as latin1)
    const lock: ObservedLock = { tsNs: 1100, pid: 8, comm: Buffer.from('é#x').toString('latin1'), target: '7:0:133', event: 'xfs_ilock', mode: 'X', caller: 'y', line: 4 };
    const r = await load(opStreamHeader() + opRow(op) + lockRow(lock), { taskComms: new Set(['é#x']) });
    expect(r.ops.map((o) => o.comm)).toEqual(['é#x']);
    expect(r.locks.map((l) => l.comm)).toEqual(['é#x']);
  });
});
