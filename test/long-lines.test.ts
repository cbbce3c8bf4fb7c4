/**
 * Long lines (fuzz campaign 19, D1): a line's cost is linear in its length and what is kept of it is
 * bounded. A line longer than MAX_LINE_BYTES is one bad line in every format, its bytes are passed
 * over up to its line break, and reading goes on after it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import { LineSplitter, LONG_LINE, MAX_LINE_BYTES } from '../src/import/lines.js';
import type { CsvMapping } from '../src/import/csv.js';
import type { ConcreteFormat } from '../src/model/import-summary.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-long-'));
function file(name: string, text: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const LONG = 'x'.repeat(MAX_LINE_BYTES + 10);
const MAPPING: CsvMapping = { columns: { ts: 0, op: 1, offset: 2, length: 3 }, tsUnit: 'ns', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['R'], writeValues: [], delimiter: ',', header: false };

/** every format: a first line, a line too long, then lines that are read on */
const FORMATS: { name: ConcreteFormat; text: (long: string) => string; opts?: Record<string, unknown>; used: number }[] = [
  { name: 'ftrace', text: (l) => `# tracer: nop\n${l}\n            fio-1 [000] .....  1.000000: sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)\n            fio-1 [000] .....  1.000010: sys_pwrite64 -> 0x1000\n`, used: 2 },
  { name: 'trace-cmd', text: (l) => `cpus=1\n${l}\n            fio-1 [000]  1.000000: sys_enter_pwrite64:   fd: 0x00000003, buf: 0x7f0000000000, count: 0x00001000, pos: 0x0\n            fio-1 [000]  1.000010: sys_exit_pwrite64:    0x1000\n`, used: 2 },
  { name: 'blkparse', text: (l) => `  7,0 1 1 0.000000000 100 Q RS 100 + 8 [a]\n${l}\n  7,0 1 2 0.000010000 100 D RS 100 + 8 [a]\n  7,0 1 3 0.000500000   0 C RS 100 + 8 [0]\n`, used: 3 },
  { name: 'fio-iolog', text: (l) => `fio version 2 iolog\n${l}\n/tmp/f write 0 4096\n`, used: 1 },
  { name: 'ops', text: (l) => `# lockreplay-ops v2\nrec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns\n${l}\nop,0,1,,1,pid:1,s.csv,vol:0,read,0,8,,1,,,\n`, used: 1 },
  { name: 'csv', text: (l) => `1,R,0,8\n${l}\n2,R,8,8\n`, opts: { csvMapping: MAPPING }, used: 2 },
];

describe('a line longer than MAX_LINE_BYTES', () => {
  it('LineSplitter: a 24 MiB line fed 8 KiB at a time is one long line, passed over in linear time (it was quadratic)', () => {
    const lines: [number, string][] = [];
    const long: number[] = [];
    const s = new LineSplitter((t, a, b, n) => lines.push([n, t.slice(a, b)]), undefined, (n, excerpt) => {
      long.push(n);
      expect(excerpt.length).toBeLessThanOrEqual(200);
    });
    const chunk = Buffer.alloc(8192, 0x61);
    const started = Date.now();
    s.push(Buffer.from('first\nsecond'));
    for (let i = 0; i < 3072; i++) s.push(chunk);
    s.push(Buffer.from('end of it\nthird\n'));
    expect(s.end()).toBe(3);
    expect(long).toEqual([2]);
    expect(lines).toEqual([[1, 'first'], [3, 'third']]);
    expect(s.bytesSeen).toBe(3072 * 8192 + 12 + 16);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('LineSplitter: a line just under the bound is a line, however it is cut; one just over is not, in one chunk or many', () => {
    for (const [len, isLong] of [[MAX_LINE_BYTES, false], [MAX_LINE_BYTES + 1, true]] as const) {
      for (const step of [1000, 1 << 16, 3 << 20]) {
        const got: number[] = [];
        const long: number[] = [];
        const s = new LineSplitter((t, a, b, n) => got.push(n, b - a), undefined, (n) => long.push(n));
        const input = Buffer.concat([Buffer.from('a\n'), Buffer.alloc(len, 0x62), Buffer.from('\nc\n')]);
        for (let i = 0; i < input.length; i += step) s.push(input.subarray(i, i + step));
        expect(s.end()).toBe(3);
        expect(long).toEqual(isLong ? [2] : []);
        expect(got).toEqual(isLong ? [1, 1, 3, 1] : [1, 1, 2, len, 3, 1]);
      }
    }
  });

  for (const f of FORMATS) {
    it(`${f.name}: a bad line naming file:line (exit 4), or with --lenient one bad line and the rest read`, async () => {
      const p = file(`long.${f.name}`, f.text(LONG));
      await expect(loadTrace(p, { format: f.name, ...f.opts })).rejects.toThrow(`long.${f.name}:${f.name === 'ops' ? 3 : 2}: ${f.name === 'ops' ? 'not a valid op stream (' : ''}${LONG_LINE}`);
      const r = await loadTrace(p, { format: f.name, lenient: true, ...f.opts });
      const l = f.name === 'ops' ? (r.summary.opStreamLines as typeof r.summary.lines) : r.summary.lines;
      expect(l.bad).toBe(1);
      expect(l.used).toBe(f.used);
      expect(l.total).toBe(f.text('x').split('\n').length - 1);
    });
  }

  it('csv: a row of ten million commas is refused at once (csv-parse built a 10M-field record: 15 s, 566 MB)', async () => {
    const p = file('commas.csv', `1,R,0,8\n${','.repeat(10_000_000)}\n2,R,8,8\n`);
    const started = Date.now();
    await expect(loadTrace(p, { format: 'csv', csvMapping: MAPPING })).rejects.toThrow(`commas.csv:2: ${LONG_LINE}`);
    const r = await loadTrace(p, { format: 'csv', csvMapping: MAPPING, lenient: true });
    expect(r.summary.lines).toMatchObject({ total: 3, used: 2, bad: 1 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('csv: a long last line without a line break, and a quote left open over more than MAX_LINE_BYTES, are bad lines', async () => {
    const r = await loadTrace(file('last.csv', `1,R,0,8\n${LONG}`), { format: 'csv', csvMapping: MAPPING, lenient: true });
    expect(r.summary.lines).toMatchObject({ total: 2, used: 1, bad: 1 });
    const rows = Array.from({ length: 2000 }, () => 'y'.repeat(1000)).join('\n');
    const q = file('quote.csv', `1,R,0,8\n2,R,"8,8\n${rows}\n`);
    await expect(loadTrace(q, { format: 'csv', csvMapping: MAPPING })).rejects.toThrow('quote.csv:2: not valid CSV (a quoted field is not closed within 1,048,576 bytes');
    const rq = await loadTrace(q, { format: 'csv', csvMapping: MAPPING, lenient: true });
    expect(rq.summary.lines.total).toBe(2002);
    expect(rq.summary.lines.used + rq.summary.lines.bad + Object.values(rq.summary.lines.skipped).reduce((a, b) => a + b, 0)).toBe(2002);
  });
});
