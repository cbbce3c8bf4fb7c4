// Defects a demanding user found in session 32's audit of the CLI on the bundled captures: each test
// failed before its fix.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-audit32-'));

/** the first ops of traces/loop0-dio-randrw.blkparse.txt.gz: a read and a write, 0.635996 ms apart end to end */
const BLKPARSE = [
  '  7,0    1        1     0.000000000 14364  Q  RS 133248 + 8 [(null)]',
  '  7,0    1        2     0.000075770 14364  G  RS 133248 + 8 [(null)]',
  '  7,0    1        3     0.000082674 14364  D  RS 133248 + 8 [(null)]',
  '  7,0    1        4     0.000491617    22  C  RS 133248 + 8 [0]',
  '  7,0    1        5     0.000574020 14364  Q  WS 155528 + 8 [(null)]',
  '  7,0    1        6     0.000606150 14364  G  WS 155528 + 8 [(null)]',
  '  7,0    1        7     0.000608605 14364  D  WS 155528 + 8 [(null)]',
  '  7,0    1        8     1.000635996    22  C  WS 155528 + 8 [0]',
  '',
].join('\n');

/** the same kind of IO as the ftrace `blk` tracer prints it (traces/xfs-dio-blk-tracer.trace.gz) */
const BLK_TRACER = [
  '# tracer: blk',
  '#',
  '             fio-10134   [001] d..1.   397.108559:   7,0    Q  RS 133248 + 8 [fio]',
  '             fio-10134   [001] d..1.   397.108574:   7,0    D  RS 133248 + 8 [fio]',
  '     ksoftirqd/1-22      [001] d.s1.   397.108616:   7,0    C  RS 133248 + 8 [0]',
  '             fio-10134   [000] d..1.   397.108724:   7,0    Q  WS 155528 + 8 [fio]',
  '             fio-10134   [000] d..1.   397.108729:   7,0    D  WS 155528 + 8 [fio]',
  '     ksoftirqd/0-14      [000] d.s1.   398.108760:   7,0    C  WS 155528 + 8 [0]',
  '',
].join('\n');

describe('block traces: the import summary has the trace time span every other format has', () => {
  for (const [name, text, first, last, span] of [['blkparse', BLKPARSE, 0, 1_000_635_996, '1.001'], ['ftrace blk tracer', BLK_TRACER, 397_108_559_000, 398_108_760_000, '1.000']] as const) {
    it(`${name}: --json gives firstTsNs/lastTsNs, the table the span`, () => {
      const file = join(tmp, `${name.replace(/ /g, '-')}.txt`);
      writeFileSync(file, text);
      const j = cli(['import', file, '--json']);
      expect(j.code).toBe(0);
      const s = JSON.parse(j.stdout) as { firstTsNs?: number; lastTsNs?: number; ops: { total: number } };
      expect(s.ops.total).toBe(2);
      expect([s.firstTsNs, s.lastTsNs]).toEqual([first, last]);
      const t = cli(['import', file]);
      expect(t.stdout).toContain(`\nops: 2 over ${span} s;`);
    });

    it(`${name}: a --time-scale that stretches the trace past 2^53 ns is a usage error naming the flag, as for other formats`, () => {
      const file = join(tmp, `${name.replace(/ /g, '-')}-2.txt`);
      writeFileSync(file, text);
      const r = cli(['replay', file, '-s', 'none', '--mode', 'open', '--time-scale', '1e8', '--cpus', '1']);
      expect(r.stderr).toMatch(/--time-scale 100000000 stretches the trace's/);
      expect(r.code).toBe(2);
    });
  }
});

describe('usage errors from the flag parser read as one sentence', () => {
  it('a missing required flag is named without oclif\'s preamble or a doubled colon', () => {
    const r = cli(['check', 'result.json']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('lockreplay: Missing required flag baseline');
  });

  it('a missing argument: its name and description, no doubled colon', () => {
    const r = cli(['synth']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lockreplay: Missing 1 required arg: scenario');
    expect(r.stderr).not.toContain('::');
  });
});

describe('--perfetto of a run that deadlocked shows the deadlock', () => {
  it('the blocked waits up to the deadlock, the ops left unfinished and the moment it stopped', () => {
    const tracePath = join(tmp, 'deadlock.trace');
    expect(cli(['synth', 'seed-deadlock', '--out', tracePath]).code).toBe(0);
    const out = join(tmp, 'deadlock.perfetto.json');
    const resultPath = join(tmp, 'deadlock.json');
    const r = cli(['compare', tracePath, '-s', 'range-lock,i-mutex', '--perfetto', out, '--out', resultPath]);
    expect(r.code).toBe(0);
    type Ev = { ph: string; name: string; cat?: string; pid: number; tid?: number; ts?: number; dur?: number; args?: Record<string, unknown> };
    const ev = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Ev[] }).traceEvents.filter((e) => e.pid === 1 && e.ph !== 'M');
    const deadlock = (JSON.parse(readFileSync(resultPath, 'utf8')) as { results: { deadlock: { atNs: number; blocked: { pid: number; opId: number; sinceNs: number }[] } }[] }).results[0].deadlock;
    // before: range-lock's process had no event at all (only completed ops and finished waits were written)
    const blocked = ev.filter((e) => e.cat === 'deadlock' && e.ph === 'X');
    expect(blocked.map((e) => [e.tid, e.args?.op, e.ts, (e.ts as number) + (e.dur as number)]).sort()).toEqual(
      deadlock.blocked.map((b) => [b.pid, b.opId, b.sinceNs / 1000, deadlock.atNs / 1000]).sort(),
    );
    expect(ev.filter((e) => e.ph === 'i' && e.cat === 'deadlock').map((e) => [e.name, e.ts])).toEqual([['deadlock: 2-task cycle', deadlock.atNs / 1000]]);
    // the write (op 0) holds its range, its fault (op 2) and the punch (op 1) wait: none completed
    const unfinished = ev.filter((e) => e.cat === 'op-unfinished').map((e) => [e.args?.op, e.name, (e.ts as number) + (e.dur as number)]).sort();
    expect(unfinished).toEqual([[0, 'write (unfinished)', 50], [1, 'punch (unfinished)', 50], [2, 'fault-read (unfinished)', 50]]);
    expect(ev.filter((e) => e.cat === 'op')).toEqual([]);
  });
});
