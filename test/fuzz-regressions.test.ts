/**
 * The failures the fast-check campaign (test/fuzz.test.ts) found, each with its shrunk input in
 * test/fixtures/fuzz-repro/ (README.md there says what each was), run through the built CLI.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readdirSync, readlinkSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { importTrace } from '../src/import/index.js';
import { LoneCrToSpace } from '../src/import/lone-cr.js';
import { cli, FIXTURES } from './helpers.js';

const DIR = join(FIXTURES, 'fuzz-repro');

interface Case {
  id: string;
  file: string;
  args: string[];
  code: number;
  stderr: RegExp;
}

const CASES: Case[] = [
  // an op stream without its column header is no op stream: exit 5 (not 4, which --lenient must never give)
  ...[[], ['--lenient']].map((extra) => ({ id: '20', file: '20-ops-no-header-lenient-exit4.ops.csv', args: ['import', '--format', 'ops', '--json', ...extra], code: 5, stderr: /20-ops-no-header-lenient-exit4\.ops\.csv:1: not an op stream this version reads: its first line is not the version line/ })),
  ...[[], ['--lenient']].map((extra) => ({ id: '20b', file: '20b-ops-empty-line-lenient-exit4.ops.csv', args: ['import', '--format', 'ops', '--json', ...extra], code: 5, stderr: /20b-ops-empty-line-lenient-exit4\.ops\.csv:1: not an op stream this version reads: its first line is not the version line/ })),
  // a quote inside an unquoted CSV field: csv-parse's INVALID_OPENING_QUOTE (no CSV_ prefix) was taken for a crash (exit 1)
  { id: '21', file: '21-csv-opening-quote-mid-field-crash.csv', args: ['import', '--preset', 'disksim', '--json'], code: 4, stderr: /21-csv-opening-quote-mid-field-crash\.csv:2: not valid CSV \(Invalid Opening Quote/ },
  { id: '21b', file: '21b-csv-opening-quote-cloudphysics-crash.csv', args: ['replay', '--preset', 'cloudphysics', '--strategy', 'range-lock', '--json'], code: 4, stderr: /21b-csv-opening-quote-cloudphysics-crash\.csv:1: not valid CSV \(Invalid Opening Quote/ },
  // a first timestamp of -1e308 s (-Infinity ns) passed TimeOrder's fast path (its limit started at -Infinity)
  { id: '24', file: '24-csv-first-ts-minus-infinity-accepted.csv', args: ['import', '--preset', 'cloudphysics', '--json'], code: 4, stderr: /24-csv-first-ts-minus-infinity-accepted\.csv:2: column ts=1: timestamp -Infinity ns is not a finite number/ },
  // an op stream's pid of -1 was taken (a task id is a whole number, 0 or more; so is a line)
  { id: '25', file: '25-ops-negative-pid-accepted.ops.csv', args: ['replay', '--strategy', 'i-mutex', '--json'], code: 4, stderr: /25-ops-negative-pid-accepted\.ops\.csv:3: column pid: -1 is not a task id/ },
];

describe('fast-check reproducers (test/fixtures/fuzz-repro/2*)', () => {
  for (const c of CASES) {
    it(`${c.id}: lockreplay ${c.args[0]} ${c.file} ${c.args.slice(1).join(' ')} exits ${c.code}`, () => {
      const r = cli([c.args[0], join(DIR, c.file), ...c.args.slice(1)]);
      expect(r.code, r.stderr).toBe(c.code);
      expect(r.stderr).not.toContain('\n    at ');
      expect(r.stderr.split('\n')[0]).toMatch(/^lockreplay: /);
      expect(r.stderr.split('\n')[0]).toMatch(c.stderr);
    });
  }
});

describe('fast-check reproducers with --lenient', () => {
  it('21: the line with the quote is bad, the others are read', () => {
    const r = cli(['import', join(DIR, '21-csv-opening-quote-mid-field-crash.csv'), '--preset', 'disksim', '--lenient', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { lines: { total: number; used: number; bad: number }; ops: { total: number } };
    expect([s.lines.total, s.lines.used, s.lines.bad, s.ops.total]).toEqual([3, 2, 1, 2]);
  });
});

describe('22: a lone CR is no line break in CSV either', () => {
  it('the lines of a CSV with lone CRs add up to its LF count (csv-parse counted each CR as a line)', () => {
    const r = cli(['import', join(DIR, '22-csv-lone-cr-counted-as-line.csv'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { lines: { total: number; used: number; skipped: Record<string, number> }; ops: { total: number } };
    expect([s.lines.total, s.lines.used, s.lines.skipped, s.ops.total]).toEqual([4, 3, { header: 1 }, 3]);
  });

  it('LoneCrToSpace: CR LF kept, a lone CR a space, across chunk boundaries and at the end', () => {
    const run = (chunks: string[]): string => {
      const c = new LoneCrToSpace();
      const out = chunks.map((x) => c.push(Buffer.from(x, 'latin1')).toString('latin1')).join('');
      return out + (c.end()?.toString('latin1') ?? '');
    };
    expect(run(['a\r\nb\rc\n'])).toBe('a\r\nb c\n');
    expect(run(['a\r', '\nb'])).toBe('a\r\nb');
    expect(run(['a\r', 'b'])).toBe('a b');
    expect(run(['a\r', '\r', '\n'])).toBe('a \r\n');
    expect(run(['a\r'])).toBe('a ');
    expect(run(['\r\r\n', ''])).toBe(' \r\n');
    const input = Buffer.from('x\ny');
    expect(new LoneCrToSpace().push(input)).toBe(input);
  });
});

describe('23: an import that stops at a bad line closes its input file', () => {
  // importTrace reads through a generator (`all`) that calls the source iterator's next() by hand:
  // when a parser threw, the source's return() (closeSync) never ran and the descriptor leaked (a
  // long fuzz campaign ran out of them, EMFILE). `all` now returns the source in a finally.
  it('fio iolog, blkparse and op streams leave no descriptor open after exit 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-fd-'));
    const cases: [string, string, Parameters<typeof importTrace>[2]][] = [
      ['a.iolog', 'fio version 3 iolog\n1 f add\n2 f open\n3 f read x 1\n', { format: 'fio-iolog' }],
      ['b.blkparse.txt', 'garbage\n', { format: 'blkparse' }],
      ['c.ops.csv', '# lockreplay-ops v1\nrec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller\nop,x\n', { format: 'ops' }],
    ];
    for (const [name, text, options] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      await expect(importTrace(path, { op: () => undefined, lock: () => undefined }, options)).rejects.toMatchObject({ exitCode: 4 });
      const open = readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      });
      expect(open, name).toEqual([]);
    }
  });
});
