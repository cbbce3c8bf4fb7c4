import { describe, expect, it } from 'vitest';
import { type CsvMapping, describeMapping, parseColumns } from '../../../src/import/csv.js';
import { brief, failure, load } from './helpers.js';

const base: CsvMapping = { columns: { ts: 0, op: 1, offset: 2, length: 3 }, tsUnit: 'ms', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['r', 'Rd'], writeValues: ['w'], delimiter: ',', header: false };

describe('CSV mappings', () => {
  it('parseColumns', () => {
    expect(parseColumns('ts=0, op = 1,offset=2,length=3')).toEqual({ ts: 0, op: 1, offset: 2, length: 3 });
    expect(parseColumns('ts=4,op=3,offset=2,length=1,file=0,response=5')).toEqual({ ts: 4, op: 3, offset: 2, length: 1, file: 0, response: 5 });
    expect(() => parseColumns('ts=0,op=1,offset=2')).toThrow('--columns ts=0,op=1,offset=2: length= is required');
    expect(() => parseColumns('ts=0,op=1,length=2')).toThrow('--columns ts=0,op=1,length=2: offset= is required');
    expect(() => parseColumns('op=1,offset=2,length=3')).toThrow('--columns op=1,offset=2,length=3: ts= is required');
    expect(() => parseColumns('ts=0,offset=2,length=3')).toThrow('--columns ts=0,offset=2,length=3: op= is required');
    expect(() => parseColumns('ts=0,op=x')).toThrow('--columns ts=0,op=x: expected NAME=INDEX pairs, NAME one of ts, op, offset, length, file, response');
    expect(() => parseColumns('time=0')).toThrow('expected NAME=INDEX pairs');
    try {
      parseColumns('');
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
  it('describeMapping', () => {
    expect(describeMapping(base)).toBe('columns ts=0 op=1 offset=2 length=3; time in ms; offset in bytes, length in bytes; read = r|Rd, write = w');
    expect(describeMapping({ ...base, columns: { ...base.columns, file: 4, response: 5 }, writeValues: [], offsetUnit: 'sectors' })).toBe('columns ts=0 op=1 offset=2 length=3 file=4 response=5; time in ms; offset in sectors, length in bytes; read = r|Rd, write = anything else');
  });
});

describe('CSV with a mapping', () => {
  const imp = (text: string, m: Partial<CsvMapping> = {}, lenient = false) => load(text, { format: 'csv', csvMapping: { ...base, ...m }, lenient });
  it('time units, read/write values without case, everything else a write when no write values', async () => {
    const r = await imp('1.5,R,0,10\n2,RD,10,20\n3,w,30,1\n');
    expect(r.ops.map((o) => `${o.kind} ${o.tsNs} ${o.offset}+${o.lengthBytes} ${o.file}`)).toEqual(['read 1500000 0+10 vol:0', 'read 2000000 10+20 vol:0', 'write 3000000 30+1 vol:0']);
    expect(r.summary.formatDetail).toBe(describeMapping(base));
    expect(r.summary.notes).toEqual([`CSV read as ${describeMapping(base)}`]);
    const any = await imp('1,x,0,1\n2,r,0,1\n', { writeValues: [] });
    expect(any.ops.map((o) => o.kind)).toEqual(['write', 'read']);
    const empty = await imp('1,,0,1\n', { writeValues: [] }, true);
    expect(empty.summary.lines.badSamples.map((s) => s.slice(empty.path.length + 1))).toEqual(['1: op column 1 is "": neither a read (r|Rd) nor a write (anything else)']);
    for (const [unit, ns] of [['ns', 7], ['us', 7000], ['s', 7e9]] as const) expect((await imp('7,r,0,1\n', { tsUnit: unit })).ops[0].tsNs, unit).toBe(ns);
    // FILETIME: 100 ns ticks, counted from the first row's
    expect((await imp('116444736000000160,r,0,1\n116444736000000161,r,0,1\n', { tsUnit: 'filetime' })).ops.map((o) => o.tsNs)).toEqual([0, 100]);
  });
  it('sectors, files, responses (0 says nothing), a header, space-separated columns', async () => {
    const r = await imp('ts,op,off,len,dev,resp\n1,r,2,3,sda,0.5\n2,w,4,1,,0\n3,w,4,1,sdb,\n', { offsetUnit: 'sectors', lengthUnit: 'sectors', header: true, columns: { ...base.columns, file: 4, response: 5 } });
    expect(r.ops.map((o) => `${o.kind} ${o.offset}+${o.lengthBytes} ${o.file} ${o.durNs}`)).toEqual(['read 1024+1536 vol:sda 500000', 'write 2048+512 vol: undefined', 'write 2048+512 vol:sdb undefined']);
    expect(r.summary.lines.skipped).toEqual({ header: 1 });
    // a first row of numbers (or of read/write words) is no header
    const noHeader = await imp('1,r,0,1\n', { header: true });
    expect(noHeader.ops).toHaveLength(1);
    const words = await imp('1,w,0,1\n', { header: true });
    expect(words.ops).toHaveLength(1);
    const resp = await imp('1,r,0,1,x\n', { columns: { ...base.columns, response: 4 } }, true);
    expect(resp.summary.lines.badSamples.map((s) => s.slice(resp.path.length + 1))).toEqual(['1: response column 4: is not a decimal number']);
    const resp2 = await imp('1,r,0,1,5\n', { columns: { ...base.columns, response: 4 }, responseUnit: 'filetime' });
    expect(resp2.ops[0].durNs).toBe(500);
    // runs of spaces are one separator, leading ones too (detection accepts them: so must the rows)
    const sp = await imp('  1   r  0 4096\n\n2 w 4096 1\n', { delimiter: ' ' });
    expect(sp.ops.map((o) => `${o.kind} ${o.offset}+${o.lengthBytes} line ${o.line}`)).toEqual(['read 0+4096 line 1', 'write 4096+1 line 3']);
    expect(sp.summary.lines.skipped).toEqual({ blank: 1 });
  });
  it('DiskSim rows with leading spaces, detected and read', async () => {
    const r = await load('  938513000 4 264719034 16 0\n 938828000 3 197570570 16 1\n');
    expect(r.summary.formatDetail).toMatch(/^preset disksim: /);
    expect(r.ops.map((o) => `${o.kind} ${o.file} ${o.offset}+${o.lengthBytes} ts ${o.tsNs}`)).toEqual(['write vol:4 135536145408+8192 ts 938513000', 'read vol:3 101156131840+8192 ts 938828000']);
    expect(r.summary.lines).toEqual({ total: 2, used: 2, skipped: {}, bad: 0, badSamples: [] });
  });
  it('quoted fields across lines; trailing blank lines; a column count from the first row', async () => {
    const r = await imp('1,"r",0,1\n2,"w\n",0,1\n\n\n', {}, true);
    expect(r.summary.lines.total).toBe(5);
    expect(r.summary.lines.skipped).toEqual({ blank: 2, 'quoted-line-break': 1 });
    expect(r.summary.lines.bad).toBe(1);
    expect(r.summary.lines.badSamples[0]).toBe(`${r.path}:2: op column 1 is "w\n": neither a read (r|Rd) nor a write (w)`);
    const cols = await imp('1,r,0,1,extra\n2,r,0,1\n', {}, true);
    expect(cols.summary.lines.badSamples.map((s) => s.slice(cols.path.length + 1))).toEqual(['2: a row of 4 columns, not 5']);
    const f = await failure('1,r,0\n', { format: 'csv', csvMapping: { ...base, columnCount: 4 } });
    expect(f.message).toBe(`${f.path}:1: a row of 3 columns, not 4\n  1,r,0`);
  });
  it('no newline at the end; a time beyond 2^63 ns', async () => {
    const r = await imp('1,r,0,1\n2,r,0,1');
    expect(r.summary.lines).toEqual({ total: 2, used: 2, skipped: {}, bad: 0, badSamples: [] });
    const big = await imp('1e300,r,0,1\n', {}, true);
    expect(big.summary.lines.badSamples.map((s) => s.slice(big.path.length + 1))).toEqual(['1: column ts=0: timestamp 1e+306 ns is beyond 2^63 ns']);
    expect(brief((await imp('1,r,0,1\n')).ops[0])).toMatch(/^0 read vol:0 0\+1 pid 1 in-\d+\.txt proc pid:1 ts 1000000 line 1$/);
  });
});
