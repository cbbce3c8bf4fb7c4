/** CSV rows: column specs, blank and header rows, field trimming, separators, CSV syntax errors and where reading starts again. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { type CsvMapping, parseColumns } from '../../../src/import/csv.js';
import { importTrace } from '../../../src/import/index.js';
import type { Op } from '../../../src/model/op.js';
import { failure, load, tmpFile } from './helpers.js';


describe('parseColumns', () => {
  it('each pair is NAME=INDEX, blanks around either allowed, nothing before or after', () => {
    expect(parseColumns('ts=10 ,op=1,offset=2,length=3')).toEqual({ ts: 10, op: 1, offset: 2, length: 3 });
    expect(() => parseColumns('xts=0,op=1,offset=2,length=3')).toThrow('--columns xts=0,op=1,offset=2,length=3: expected NAME=INDEX pairs');
    expect(() => parseColumns('ts=0x,op=1,offset=2,length=3')).toThrow('--columns ts=0x,op=1,offset=2,length=3: expected NAME=INDEX pairs');
  });
});

describe('CSV rows', () => {
  it('a row whose first field is empty, or a row of one field, is no blank row', async () => {
    const r = await imp(',r,0,1\nabc\n2,r,0,1\n', { columnCount: 4 });
    expect(samples(r)).toEqual(['1: row needs numbers in column ts=0 (empty)', '2: a row of 1 columns, not 4']);
    expect(r.ops.map((o) => o.line)).toEqual([3]);
  });

  it('FILETIME ticks (past 2^53 as ns since 1970) count from the first row\'s as exact integers: every time and difference exact to the tick (ns since 1970 were off by up to 128 ns; a double first, by up to 1.6 µs)', async () => {
    const ticks = [128166372003061629n, 128166372003061630n, 128166372003061631n, 128166372013061629n, 128166372016382155n];
    const r = await imp(ticks.map((t) => `${t},r,0,1`).join('\n') + '\n', { tsUnit: 'filetime' });
    expect(r.ops.map((o) => o.tsNs)).toEqual(ticks.map((t) => Number((t - ticks[0]) * 100n)));
    expect(r.ops[3].tsNs - r.ops[0].tsNs).toBe(1e9);
  });

  it('a mapped column the row does not have is a bad row naming it; a non-number names only the columns that are not numbers', async () => {
    const file = await imp('1,r,0,1\n2,r,0,1\n', { columnCount: 4, columns: { ts: 0, op: 1, offset: 2, length: 3, file: 9 } });
    expect(samples(file)).toEqual(['1: column file=9 is beyond the row\'s 4 columns', '2: column file=9 is beyond the row\'s 4 columns']);
    expect(file.ops).toEqual([]);
    const ts = await imp('1,r,0,1\n', { columnCount: 4, columns: { ts: 9, op: 1, offset: 2, length: 3 } });
    expect(samples(ts)).toEqual(['1: column ts=9 is beyond the row\'s 4 columns']);
    const two = await imp('1,r,x,y\n', { columnCount: 4 });
    expect(samples(two)).toEqual(['1: row needs numbers in columns offset=2: "x" is not decimal digits; length=3: "y" is not decimal digits']);
  });

  it('fields are trimmed on both sides; a byte order mark is no part of the first field', async () => {
    const r = await imp(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('1, r ,0,1\n2,w ,0,1\n3, w,0,1\n')]));
    expect(r.ops.map((o) => `${o.kind} ${o.tsNs} line ${o.line}`)).toEqual(['read 1000000 line 1', 'write 2000000 line 2', 'write 3000000 line 3']);
    expect(r.summary.lines.bad).toBe(0);
  });

  it('space-separated columns may be separated by tabs too', async () => {
    const r = await imp('1\tr\t0\t4096\n2 \t w  8 1\n', { delimiter: ' ' });
    expect(r.ops.map((o) => `${o.kind} ${o.offset}+${o.lengthBytes} line ${o.line}`)).toEqual(['read 0+4096 line 1', 'write 8+1 line 2']);
  });

  it('a header is a first row with a word that is no read or write value; its column count is the rows\'', async () => {
    const r = await imp('time,type,0,len\n1,r,0,1\n', { header: true });
    expect(r.summary.lines.skipped).toEqual({ header: 1 });
    expect(r.ops).toHaveLength(1);
    const wide = await imp('time,type,off,len,extra\n1,r,0,1\n', { header: true });
    expect(samples(wide)).toEqual(['2: a row of 4 columns, not 5']);
  });

  it('the message for an op value that is neither lists every read and write value', async () => {
    const r = await imp('1,x,0,1\n', { readValues: ['r', 'rd'], writeValues: ['w', 'wr'] });
    expect(samples(r)).toEqual(['1: op column 1 is "x": neither a read (r|rd) nor a write (w|wr)']);
  });

  it('strict: no row after the bad one reaches the sink', async () => {
    const path = tmpFile('1,r,0,1\n2,q,0,1\n3,r,0,1\n4,r,0,1\n');
    const ops: Op[] = [];
    await expect(importTrace(path, { op: (o) => ops.push(o), lock: () => {} }, { format: 'csv', csvMapping: base })).rejects.toMatchObject({
      message: `${path}:2: op column 1 is "q": neither a read (r) nor a write (w)\n  2,q,0,1`, exitCode: 4,
    });
    expect(ops.map((o) => o.line)).toEqual([1]);
  });
});

describe('CSV syntax errors', () => {
  it('a stray quote: a bad line without "at line N", reading goes on at the next line', async () => {
    const r = await imp(`${'1,r,0,1\n'.repeat(11)}1,"r"x,0,1\n2,w,0,1\n`);
    expect(samples(r)).toEqual(['12: not valid CSV (Invalid Closing Quote: got "x" instead of delimiter, record delimiter, trimable character (if activated) or comment)']);
    expect(r.ops.map((o) => o.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]);
    expect(r.summary.lines).toMatchObject({ total: 13, used: 12, bad: 1, skipped: {} });
  });

  it('a stray quote after a quoted line break: the record\'s other lines are skipped with it', async () => {
    const r = await imp('1,r,0,1\n1,"r\nx"y,0,1\n2,w,0,1\n');
    expect(samples(r)).toEqual(['2: not valid CSV (Invalid Closing Quote: got "y" instead of delimiter, record delimiter, trimable character (if activated) or comment)']);
    expect(r.ops.map((o) => o.line)).toEqual([1, 4]);
    expect(r.summary.lines).toMatchObject({ total: 4, used: 2, bad: 1, skipped: { 'lines-of-a-bad-record': 1 } });
  });

  it('a gzip stream cut short is unreadable input (exit 3), CSV or not', async () => {
    const gz = gzipSync(Buffer.from('1,R,0,4096,10\n'.repeat(500)));
    const f = await failure(gz.subarray(0, gz.length - 20), { format: 'csv', csvPreset: 'alibaba' }, 'gz');
    expect(f.code).toBe(3);
    expect(f.message).toMatch(new RegExp(`^${f.path}: the gzip stream is truncated \\(it ends before its last block; .+\\)$`));
  });
});

const base: CsvMapping = { columns: { ts: 0, op: 1, offset: 2, length: 3 }, tsUnit: 'ms', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['r'], writeValues: ['w'], delimiter: ',', header: false };
const imp = (text: string | Buffer, m: Partial<CsvMapping> = {}) => load(text, { format: 'csv', csvMapping: { ...base, ...m }, lenient: true });
const samples = (r: { summary: { lines: { badSamples: string[] } }; path: string }): string[] => r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1));

describe('CSV fields', () => {
  it('a byte order mark is no part of a first field that is text', async () => {
    const r = await imp(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('r,1,0,1\n')]), { columns: { op: 0, ts: 1, offset: 2, length: 3 } });
    expect(r.ops.map((o) => o.kind)).toEqual(['read']);
  });

  it('an op or file column past the end of the rows is a bad row naming it (a file column there made every op vol:)', async () => {
    const op = await imp('1,r,0,1\n', { columns: { ...base.columns, op: 9 } });
    expect(samples(op)).toEqual(['1: column op=9 is beyond the row\'s 4 columns']);
    const file = await imp('1,r,0,1\n', { columns: { ...base.columns, file: 9 } });
    expect(samples(file)).toEqual(['1: column file=9 is beyond the row\'s 4 columns']);
    expect(file.ops).toEqual([]);
    // an empty file field is the volume named "" (the column is there)
    const empty = await imp('1,r,0,1,\n', { columnCount: 5, columns: { ...base.columns, file: 4 } });
    expect(empty.ops.map((o) => o.file)).toEqual(['vol:']);
  });

  it('a stray quote on one line skips no other line', async () => {
    const r = await imp('1,r,0,1\n1,"r"x,0,1\n2,w,0,1\n');
    expect(r.summary.lines).toEqual({ total: 3, used: 2, bad: 1, skipped: {}, badSamples: [expect.stringMatching(/:2: not valid CSV \(Invalid Closing Quote/)] });
  });
});

describe('presets without a header', () => {
  it('a first row with words in it is data', async () => {
    vi.resetModules();
    const { CSV_PRESETS } = await import('../../../src/import/csv.js');
    const run = async (preset: string, text: string) => (await load(text, { format: 'csv', csvMapping: CSV_PRESETS[preset].mapping as CsvMapping })).ops.map((o) => `${o.kind} ${o.file}`);
    expect(await run('alibaba', 'dev1,R,0,4096,1\n')).toEqual(['read vol:dev1']);
    expect(await run('tencent', '1,0,8,0,vol1\n')).toEqual(['read vol:vol1']);
    expect(await run('disksim', '938513000 sda 264719034 16 1\n')).toEqual(['read vol:sda']);
  });
});
