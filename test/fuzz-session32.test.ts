/**
 * Defects found by the session-32 reliability round (hostile input aimed at the newest code: btrfs
 * file identity, i_rwsem classing of contention waits, the CSV byte fast path, --from/--to on epoch
 * CSV traces), each with its input in test/fixtures/fuzz-repro/ (README.md there) or inline.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTrace, type ImportOptions, type ImportSummary } from '../src/import/index.js';
import { dropCrBeforeLf } from '../src/import/lone-cr.js';
import { cli, FIXTURES } from './helpers.js';

const DIR = join(FIXTURES, 'fuzz-repro');

interface Lines {
  total: number;
  used: number;
  skipped: Record<string, number>;
  bad: number;
  badSamples: string[];
}

async function summaryOf(path: string, options: ImportOptions): Promise<ImportSummary> {
  return importTrace(path, { op: () => undefined, lock: () => undefined }, options);
}

describe('41: CR LF inside a quoted CSV field is one line break (csv-parse counted its CR as a line)', () => {
  const f41 = join(DIR, '41-csv-crlf-quoted-line-break-wrong-line.csv');
  const f41b = join(DIR, '41b-csv-crlf-stray-quote-lines-outrun.csv');
  const columns = ['--columns', 'ts=0,op=1,offset=2,length=3', '--header'];

  it('the fixtures keep their CR LF line ends', () => {
    for (const f of [f41, f41b]) expect(readFileSync(f, 'latin1').split('\r\n').length).toBeGreaterThan(3);
  });

  it('a bad row after a quoted CR LF is named by its own line (5 of 5, not 6)', () => {
    const r = cli(['import', f41, ...columns, '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).not.toContain('\n    at ');
    expect(r.stderr.split('\n')[0]).toMatch(/^lockreplay: .*41-csv-crlf-quoted-line-break-wrong-line\.csv:5: row needs numbers in column offset=2: "x" is not decimal digits$/);
  });

  it('--lenient: the lines add up to the line breaks, the quoted line break skipped once', () => {
    const r = cli(['import', f41, ...columns, '--lenient', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { lines: Lines; ops: { total: number }; notes: string[] };
    expect([s.lines.total, s.lines.used, s.lines.skipped, s.lines.bad, s.ops.total]).toEqual([5, 2, { header: 1, 'quoted-line-break': 1 }, 1, 2]);
    expect(s.lines.badSamples[0]).toMatch(/\.csv:5: /);
    expect(s.notes.filter((n) => n.startsWith('internal'))).toEqual([]);
  });

  it('--lenient, a stray quote: the lines of the broken record are its own (2, not 4 of a 4-line input)', () => {
    const r = cli(['import', f41b, '--preset', 'cloudphysics', '--lenient', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { lines: Lines; notes: string[] };
    expect([s.lines.total, s.lines.used, s.lines.skipped, s.lines.bad]).toEqual([4, 0, { header: 1, 'lines-of-a-bad-record': 2 }, 1]);
    expect(s.lines.badSamples[0]).toMatch(/41b-csv-crlf-stray-quote-lines-outrun\.csv:2: not valid CSV \(Invalid Closing Quote/);
    expect(s.notes.filter((n) => n.startsWith('internal'))).toEqual([]);
  });

  it('CR LF and LF line ends give one import: ops, line numbers and accounting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-crlf-'));
    const rows = ['ts,op,offset,length,note', '1,R,0,4096,"a', 'b"', '2,W,4096,4096,x', '3,R,8192,512,"c', '', 'd"', '4,bogus,0,1,y', '5,R,0,4096,z'];
    const options: ImportOptions = { format: 'csv', lenient: true, csvMapping: { columns: { ts: 0, op: 1, offset: 2, length: 3 }, tsUnit: 'us', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['R'], writeValues: ['W'], delimiter: ',', header: true } };
    const got: string[] = [];
    const lines: number[][] = [];
    for (const [name, eol] of [['lf.csv', '\n'], ['crlf.csv', '\r\n']]) {
      const path = join(dir, name);
      writeFileSync(path, rows.join(eol) + eol);
      const ops: unknown[] = [];
      const opLines: number[] = [];
      const s = await importTrace(path, { op: (o) => { ops.push({ ...o, comm: '' }); opLines.push(o.line); }, lock: () => undefined }, options);
      lines.push(opLines);
      got.push(JSON.stringify([ops, s.lines.total, s.lines.used, s.lines.skipped, s.lines.bad, s.lines.badSamples.map((b) => b.replace(/^.*\.csv:/, ''))]));
      expect(s.lines.total).toBe(rows.length);
    }
    expect(got[1]).toBe(got[0]);
    expect(lines).toEqual([[2, 4, 5, 9], [2, 4, 5, 9]]);
    const lf = await summaryOf(join(dir, 'lf.csv'), options);
    expect(lf.lines.badSamples.map((b) => b.replace(/^.*\.csv:/, ''))).toEqual([expect.stringMatching(/^8: op column 1 is "bogus"/)]);
    expect(lf.lines.skipped).toEqual({ header: 1, 'quoted-line-break': 3 });
  });

  it('dropCrBeforeLf: the CR of each CR LF goes, a lone CR stays, a buffer without one is returned as it is', () => {
    const run = (s: string): string => dropCrBeforeLf(Buffer.from(s, 'latin1')).toString('latin1');
    expect(run('a\r\nb\r\n')).toBe('a\nb\n');
    expect(run('"x\r\ny",1\r\n\r\n')).toBe('"x\ny",1\n\n');
    expect(run('a\rb\r\r\n')).toBe('a\rb\r\n');
    expect(run('\r')).toBe('\r');
    const plain = Buffer.from('x\ny\r');
    expect(dropCrBeforeLf(plain)).toBe(plain);
  });
});

describe('42: a byte-order mark inside a CSV input (files joined with cat) made a volume of its own', () => {
  const f42 = join(DIR, '42-csv-bom-mid-input-own-volume.csv');

  it('strict: the line with it is bad, naming file, line and column', () => {
    const r = cli(['import', f42, '--preset', 'alibaba', '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).not.toContain('\n    at ');
    expect(r.stderr.split('\n')[0]).toMatch(/^lockreplay: .*42-csv-bom-mid-input-own-volume\.csv:3: file column 0: a byte-order mark \(U\+FEFF\) inside the input, not at its start \(files joined together\?\)$/);
  });

  it('--lenient: one bad line, no volume "vol:\\uFEFF2" beside vol:2', async () => {
    const ops: { file: string }[] = [];
    const s = await importTrace(f42, { op: (o) => ops.push(o), lock: () => undefined }, { format: 'csv', csvPreset: 'alibaba', lenient: true });
    expect([s.lines.total, s.lines.used, s.lines.bad]).toEqual([4, 3, 1]);
    expect(ops.map((o) => o.file)).toEqual(['vol:0', 'vol:2', 'vol:2']);
    expect(Object.keys(s.ops.byFile).sort()).toEqual(['vol:0', 'vol:2']);
  });

  it('a BOM at the start of the input is still dropped, and one inside a field of a column that is no file is that column\'s problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-bom-'));
    const path = join(dir, 'a.csv');
    writeFileSync(path, `\uFEFF${readFileSync(f42, 'utf8').split('\n').slice(0, 2).join('\n')}\n`);
    const ops: { file: string }[] = [];
    const s = await importTrace(path, { op: (o) => ops.push(o), lock: () => undefined }, { format: 'csv', csvPreset: 'alibaba' });
    expect([s.lines.total, s.lines.bad, ops.map((o) => o.file)]).toEqual([2, 0, ['vol:0', 'vol:2']]);
    writeFileSync(path, '0,R,0,4096,\uFEFF1577808000000000\n');
    await expect(summaryOf(path, { format: 'csv', csvPreset: 'alibaba' })).rejects.toThrow(/a\.csv:1: row needs numbers in column ts=4/);
  });
});
