/**
 * The minimised fuzz inputs that hung, crashed or misled the tool (test/fixtures/fuzz-repro/README.md),
 * each run through the built CLI with the command that showed the problem: every run ends (cli()
 * fails a run that takes over a minute), with a documented exit code, no stack trace, a message
 * naming file:line for a bad line, and no NaN, Infinity or negative byte count in what it prints.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES } from './helpers.js';

const DIR = join(FIXTURES, 'fuzz-repro');
const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz-'));
const DOCUMENTED_EXIT_CODES = [0, 2, 3, 4, 5, 6];

function f(name: string): string {
  return join(DIR, name);
}

interface Case {
  id: string;
  file: string;
  args: string[];
  code: number;
  /** the first stderr line must match (a bad line: "FILE:LINE: reason") */
  stderr?: RegExp;
  /** checks on the JSON printed */
  json?: (out: Record<string, unknown>) => void;
}

const badLine = (file: string, line: number, reason: string): RegExp => new RegExp(`^lockreplay: .*${file.replace(/\./g, '\\.')}:${line}: .*${reason}`);

const CASES: Case[] = [
  ...['page-lock', 'linux:xfs'].map((s) => ({ id: '01', file: '01-page-lock-hang-pos-near-2e64.trace', args: ['replay', '--strategy', s, '--json'], code: 4, stderr: badLine('01-page-lock-hang-pos-near-2e64.trace', 5, 'beyond 2\\^63-1') })),
  ...['linux:xfs', 'linux:ext4', 'page-lock', 'range-lock:buffered=page'].map((s) => ({ id: '01b', file: '01b-linux-xfs-hang-fault-at-2e63.ops.csv', args: ['replay', '--strategy', s, '--json'], code: 4, stderr: badLine('01b-linux-xfs-hang-fault-at-2e63.ops.csv', 3, 'beyond 2\\^63-1') })),
  { id: '11', file: '11-csv-response-1e308-hang.csv', args: ['replay', '--strategy', 'none', '--json'], code: 4, stderr: badLine('11-csv-response-1e308-hang.csv', 2, 'response column 1: duration Infinity ns is not a finite number') },
  ...['none', 'range-lock', 'segment-bitmap', 'page-lock'].map((s) => ({ id: '12', file: '12-ftrace-overlong-hex-len-hang.trace', args: ['replay', '--strategy', s, '--json'], code: 4, stderr: badLine('12-ftrace-overlong-hex-len-hang.trace', 1, 'length is not a finite number') })),
  { id: '02', file: '02-csv-ts-1e308-crash.csv', args: ['replay', '--strategy', 'none', '--json'], code: 4, stderr: badLine('02-csv-ts-1e308-crash.csv', 2, 'timestamp Infinity ns is not a finite number') },
  { id: '02b', file: '02b-ftrace-huge-duration-crash.trace', args: ['replay', '--strategy', 'none', '--json'], code: 4, stderr: badLine('02b-ftrace-huge-duration-crash.trace', 6, 'timestamp .* is beyond 2\\^63 ns') },
  { id: '02c', file: '02c-iolog-trim-1e300-crash.iolog', args: ['replay', '--strategy', 'none', '--json'], code: 4, stderr: badLine('02c-iolog-trim-1e300-crash.iolog', 5, 'trim needs OFFSET and LENGTH') }, // (1e300 is no decimal digits: session 23b finding 71)
  { id: '02d', file: '02d-iolog-wait-1e308-infinite-ts.iolog', args: ['import', '--json'], code: 4, stderr: badLine('02d-iolog-wait-1e308-infinite-ts.iolog', 5, 'wait needs a time in µs') },
  { id: '02d', file: '02d-iolog-wait-1e308-infinite-ts.iolog', args: ['replay', '--strategy', 'none', '--json'], code: 4, stderr: badLine('02d-iolog-wait-1e308-infinite-ts.iolog', 5, 'wait needs a time in µs') },
  { id: '03', file: '03-ops-self-parent.ops.csv', args: ['replay', '--strategy', 'none', '--json'], code: 4, stderr: badLine('03-ops-self-parent.ops.csv', 4, 'op 1 names itself as its parent') },
  {
    id: '04', file: '04-header-P0-replay-exit2.trace', args: ['replay', '--strategy', 'none', '--json'], code: 0,
    json: (r) => {
      expect((r.options as { cpus: number; cpusSource: string })).toMatchObject({ cpus: 1, cpusSource: 'default' });
      expect(r.warnings).toContain('the trace header names 0 CPUs, which is ignored, and --cpus was not given: modelling 1 CPU');
    },
  },
  {
    id: '04', file: '04-header-P0-replay-exit2.trace', args: ['import', '--json'], code: 0,
    json: (s) => {
      expect(s.cpus).toBeUndefined();
      expect(s.notes).toContain('the trace header names 0 CPUs (#P:0, line 3): ignored, the CPU count is unknown');
    },
  },
  { id: '05', file: '05-csv-negative-length.csv', args: ['replay', '--strategy', 'none', '--json'], code: 4, stderr: badLine('05-csv-negative-length.csv', 2, 'is negative') },
  { id: '05b', file: '05b-ext4-writepages-negative-length.trace', args: ['import', '--out', join(tmp, '05b.ops')], code: 4, stderr: badLine('05b-ext4-writepages-negative-length.trace', 5, 'range_end 4095 is before range_start 67108864') },
  { id: '06', file: '06-csv-unclosed-quote-wrong-line.csv', args: ['import', '--json'], code: 4, stderr: badLine('06-csv-unclosed-quote-wrong-line.csv', 2, 'Quote Not Closed') },
  { id: '06b', file: '06b-csv-extra-column-accepted.csv', args: ['import', '--json'], code: 4, stderr: badLine('06b-csv-extra-column-accepted.csv', 3, 'a row of 6 columns, not 5') },
  { id: '07', file: '07-ops-grandchild-self-deadlock.ops.csv', args: ['replay', '--strategy', 'i-mutex', '--json'], code: 4, stderr: badLine('07-ops-grandchild-self-deadlock.ops.csv', 5, 'op 1 is itself a child op') },
  {
    id: '08', file: '08-selection-ignored.blkparse.txt', args: ['import', '--task', '999', '--from', '+1', '--json'], code: 0,
    json: (s) => expect([(s.ops as { total: number }).total, (s.lines as { skipped: Record<string, number> }).skipped]).toEqual([0, { 'filtered-task': 3 }]),
  },
  {
    id: '08b', file: '08b-selection-ignored.iolog', args: ['replay', '--strategy', 'none', '--task', '999', '--to', '+0.000001', '--json'], code: 0,
    json: (r) => expect((r.input as { ops: number }).ops).toBe(0),
  },
  // 08c: op streams apply --from/--to (op 1 names itself as parent: with --lenient it is a bad line)
  {
    id: '08c', file: '03-ops-self-parent.ops.csv', args: ['import', '--from', '+1', '--lenient', '--json'], code: 0,
    json: (s) => expect([(s.ops as { total: number }).total, (s.opStreamLines as { skipped: Record<string, number>; bad: number })]).toEqual([0, expect.objectContaining({ bad: 1, skipped: expect.objectContaining({ 'filtered-time': 1 }) })]),
  },
  {
    id: '08d', file: '08-selection-ignored.blkparse.txt', args: ['import', '--file', 'blk:7:0', '--json'], code: 0,
    json: (s) => expect((s.ops as { byFile: unknown }).byFile).toEqual({ 'blk:7:0': { read: 1 } }),
  },
  { id: '10', file: '10-csv-timestamps-backwards-accepted.csv', args: ['import', '--json'], code: 4, stderr: badLine('10-csv-timestamps-backwards-accepted.csv', 3, 'timestamp goes backwards') },
  { id: '09', file: '09-truncated.iolog.gz', args: ['import', '--json'], code: 3, stderr: /^lockreplay: .*09-truncated\.iolog\.gz: the gzip stream is truncated/ },
];

/**
 * every byte count, rate and time (keys naming bytes, mibPerSec or ending in Ns) is a number >= 0:
 * JSON writes NaN and Infinity as null
 */
function checkNumbers(text: string, where: string): void {
  if (!text.trim().startsWith('{')) return;
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        // (input.firstOpTsNs is null by definition when no op was replayed: the only null such a key may hold)
        if (/bytes|mibPerSec|Ns$/i.test(k) && (typeof x === 'number' || (x === null && !(path === '.input' && k === 'firstOpTsNs')))) {
          expect(x, `${where}: ${path}.${k} (null: NaN or Infinity)`).not.toBeNull();
          expect(x as number, `${where}: ${path}.${k}`).toBeGreaterThanOrEqual(0);
        }
        walk(x, `${path}.${k}`);
      }
    }
  };
  walk(JSON.parse(text), '');
}

describe('fuzz reproducers (test/fixtures/fuzz-repro)', () => {
  for (const c of CASES) {
    it(`${c.id}: lockreplay ${c.args[0]} ${c.file} ${c.args.slice(1).join(' ')} exits ${c.code}`, () => {
      const [command, ...rest] = c.args;
      const r = cli([command, f(c.file), ...rest]);
      const where = `${c.id} (${c.args.join(' ')}): ${r.stderr}`;
      expect(DOCUMENTED_EXIT_CODES, where).toContain(r.code);
      expect(r.code, where).toBe(c.code);
      expect(r.stderr, where).not.toMatch(/^ {4}at /m);
      if (c.stderr) expect(r.stderr.split('\n')[0], where).toMatch(c.stderr);
      checkNumbers(r.stdout, where);
      if (c.json) c.json(JSON.parse(r.stdout) as Record<string, unknown>);
      if (c.code !== 0 && c.args.includes('--out')) expect(existsSync(c.args[c.args.indexOf('--out') + 1])).toBe(false);
    }, 120_000);
  }

  it('with --lenient every reproducer imports (exit 0, the bad lines counted, every line accounted) and replays to the end', () => {
    const files = [...new Set(CASES.map((c) => c.file))].filter((n) => !n.startsWith('09-'));
    for (const file of files) {
      const imp = cli(['import', f(file), '--lenient', '--json']);
      expect(imp.code, `${file}: ${imp.stderr}`).toBe(0);
      const s = JSON.parse(imp.stdout) as { lines: { total: number; used: number; bad: number; skipped: Record<string, number> }; opStreamLines?: { total: number; bad: number }; notes: string[] };
      const own = s.opStreamLines ?? s.lines;
      if (!file.startsWith('04-') && !file.startsWith('08')) expect(own.bad, file).toBeGreaterThan(0);
      expect(s.notes.filter((n) => n.startsWith('internal')), file).toEqual([]);
      checkNumbers(imp.stdout, file);
      for (const strategy of ['page-lock', 'i-mutex']) {
        const rep = cli(['replay', f(file), '--lenient', '--strategy', strategy, '--json']);
        expect(rep.code, `${file} ${strategy}: ${rep.stderr}`).toBe(0);
        expect(rep.stderr).not.toMatch(/^ {4}at /m);
        checkNumbers(rep.stdout, `${file} ${strategy}`);
      }
    }
  }, 600_000);
});
