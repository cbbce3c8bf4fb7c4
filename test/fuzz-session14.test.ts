/**
 * Inputs a session-14 fuzzing campaign (real traces and result files mutated, run through the CLI)
 * found to hang, crash or mislead, each as a regression test (test/fixtures/fuzz-repro/README.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES, trace } from './helpers.js';

const DIR = join(FIXTURES, 'fuzz-repro');
const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz14-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** every line used, skipped or bad */
const expectLinesAddUp = (l: { total: number; used: number; bad: number; skipped: Record<string, number> }): void => {
  expect(l.used + l.bad + Object.values(l.skipped).reduce((a, b) => a + b, 0)).toBe(l.total);
};

const json = (args: string[]): { code: number; out: Record<string, unknown>; stderr: string } => {
  const r = cli([...args, '--json']);
  return { code: r.code, out: r.code === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr };
};

describe('session 14 fuzz findings', () => {
  it('30: a gzip stream followed by zero padding is read to its end (was: exit 13, no message), from a file and from stdin', () => {
    const one = json(['import', join(DIR, '30-gzip-zero-padding-exit13.trace.gz')]);
    expect([one.code, (one.out.lines as { total: number }).total, (one.out.ops as { total: number }).total]).toEqual([0, 1, 1]);
    const padded = join(tmp, 'padded.trace.gz');
    writeFileSync(padded, Buffer.concat([readFileSync(trace('xfs-mix.trace.gz')), Buffer.alloc(200_000)]));
    const plain = json(['import', trace('xfs-mix.trace.gz')]).out;
    expect(json(['import', padded]).out.ops).toEqual(plain.ops);
    const stdin = cli(['import', '-', '--json'], readFileSync(padded));
    expect([stdin.code, (JSON.parse(stdin.stdout) as { ops: unknown }).ops]).toEqual([0, plain.ops]);
  });

  it('31: the faults of an mmap(MAP_POPULATE) run after it has released mmap_lock (was: a 1-task deadlock under every strategy, none too)', () => {
    const r = json(['compare', join(DIR, '31-ftrace-mmap-populate-self-deadlock.trace'), '--all', '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const results = r.out.results as { strategy: string; completedOps: number; deadlock: unknown }[];
    expect(results.length).toBe(15);
    for (const s of results) expect([s.strategy, s.completedOps, s.deadlock]).toEqual([s.strategy, 2, null]);
    // the fault is a child of the mmap, as the kernel ran it
    const ops = cli(['import', join(DIR, '31-ftrace-mmap-populate-self-deadlock.trace'), '--out', '-']).stdout.split('\n').filter((l) => l.startsWith('op,'));
    expect(ops.map((l) => l.split(',')[8])).toEqual(['mmap', 'fault-read']);
    expect(ops[1].split(',')[11]).toBe('0');
  });

  it('a trace-cmd line later than the re-sort window is a bad line naming it (was: re-sorted in the note, but its op lost)', () => {
    const pad = (us: number): string => `          bash-8     [000]   ${(1 + us / 1e6).toFixed(6)}: sched_wakeup:         comm=x pid=9 prio=120 target_cpu=000`;
    const lines = [
      'cpus=1',
      '             fio-7     [000]   1.000000: sys_enter_pwrite64:   fd: 0x00000003, buf: 0x00000000, count: 0x00001000, pos: 0x0',
      '             fio-7     [000]   1.000020: sys_enter_pwrite64:   fd: 0x00000003, buf: 0x00000000, count: 0x00001000, pos: 0x1000',
      '             fio-7     [000]   1.000030: sys_exit_pwrite64:    0x1000',
      ...Array.from({ length: 4100 }, (_, k) => pad(40 + k)),
      // the first write's exit, 4,100 lines late
      '             fio-7     [000]   1.000010: sys_exit_pwrite64:    0x1000',
    ];
    const path = join(tmp, 'late.txt');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const strict = cli(['import', path, '--json']);
    expect([strict.code, strict.stderr.split('\n')[0]]).toEqual([4, `lockreplay: ${path}:4105: out of time order by more than the re-sort window of 4096 lines (0.000033 s older than a line already read)`]);
    const lenient = json(['import', path, '--lenient']).out as { lines: { total: number; used: number; bad: number; skipped: Record<string, number> } };
    const l = lenient.lines;
    expect([l.total, l.bad]).toEqual([4105, 1]);
    expectLinesAddUp(l);
    // within the window, the same late line is re-sorted and both writes are ops
    const near = join(tmp, 'near.txt');
    writeFileSync(near, `${[...lines.slice(0, 4 + 100), lines[lines.length - 1]].join('\n')}\n`);
    expect((json(['import', near]).out.ops as { byKind: Record<string, number> }).byKind.write).toBe(2);
  });

  it('32-38: op stream lock rows, summary footers and child ops that break the rules are bad lines naming why', () => {
    const cases: [string, string][] = [
      ['32-ops-negative-contention-wait.ops.csv', '4: column dur_ns (the lock wait): duration -5000000 ns is negative'],
      ['33-ops-lock-row-ts-unchecked.ops.csv', '5: column ts_ns: timestamp -5 ns is negative'],
      ['34-ops-footer-notes-not-array.ops.csv', '4: summary footer: notes must be array'],
      ['35-ops-footer-alias-null.ops.csv', '4: summary footer: fileAliases.7:0:133 must be string'],
      ['36-ops-footer-cpus-1e308.ops.csv', '4: summary footer: cpus must be <= 65536'],
      ['37-ops-footer-lines-unchecked.ops.csv', '4: summary footer: lostEvents must be >= 0'],
      ['38-ops-child-other-pid.ops.csv', "4: column parent: op 0 is task 10's, not task 11's (a child op runs inside its parent, on the same task)"],
    ];
    for (const [file, says] of cases) {
      const path = join(DIR, file);
      for (const cmd of [['import', path, '--json'], ['replay', path, '--strategy', 'linux:xfs', '--json']]) {
        const r = cli(cmd);
        expect([r.code, r.stderr.split('\n')[0]], `${cmd[0]} ${file}`).toEqual([4, `lockreplay: ${path}:${says}`]);
      }
    }
    // lenient: the footer is left out with a note, every line accounted for
    const lenient = json(['import', join(DIR, '36-ops-footer-cpus-1e308.ops.csv'), '--lenient']).out as { cpus?: number; notes: string[]; opStreamLines: { total: number; used: number; bad: number; skipped: Record<string, number> } };
    expect(lenient.cpus).toBeUndefined();
    expect(lenient.notes).toContain("line 4: the summary footer: cpus must be <= 65536 (the footer was left out: CPUs, the trace's line accounting and file aliases are unknown)");
    expectLinesAddUp(lenient.opStreamLines);
    // a footer whose lines do not add up
    const sums = join(tmp, 'sums.ops.csv');
    writeFileSync(sums, readFileSync(join(DIR, '37-ops-footer-lines-unchecked.ops.csv'), 'utf8').replace(',"lostEvents":-4', '').replace('"total":-3', '"total":9'));
    expect(cli(['import', sums, '--json']).stderr.split('\n')[0]).toBe(`lockreplay: ${sums}:4: summary footer: lines do not add up (used 7 + skipped + bad 0 = 7, total 9)`);
  });

  it('39: an open-mode --time-scale that stretches the trace beyond 2^53 ns is refused (was: an internal error at 1e306)', () => {
    const path = join(DIR, '39-time-scale-huge.ops.csv');
    for (const scale of ['1e306', '1e10']) {
      const r = cli(['replay', path, '--strategy', 'none', '--mode', 'open', '--time-scale', scale, '--json']);
      expect([r.code, r.stderr.trim()]).toEqual([2, `lockreplay: --time-scale ${Number(scale)} stretches the trace's 0.001 s beyond 2^53 ns (about 104 days) of virtual time: use a smaller scale`]);
    }
    // the largest scale that fits replays exactly
    const ok = json(['replay', path, '--strategy', 'none', '--mode', 'open', '--time-scale', '1e9']);
    expect([ok.code, (ok.out.results as { throughput: { makespanNs: number } }[])[0].throughput.makespanNs]).toEqual([0, 1e15 + 10_000]);
  });

  it('a UTF-8 byte order mark before any format is left out (was: exit 4 or 5 for ftrace, trace-cmd, blkparse and op streams)', () => {
    const opStream = join(tmp, 'plain.ops.csv');
    expect(cli(['import', trace('xfs-contended-writers.trace.gz'), '--out', opStream]).code).toBe(0);
    for (const [name, text] of [
      ['ftrace', gunzipSync(readFileSync(trace('xfs-mix.trace.gz')))],
      ['blkparse', gunzipSync(readFileSync(trace('loop0-dio-randrw.blkparse.txt.gz')))],
      ['ops', readFileSync(opStream)],
    ] as const) {
      const plain = join(tmp, `${name}.plain`);
      const bom = join(tmp, `${name}.bom`);
      writeFileSync(plain, text);
      writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]));
      const a = json(['import', plain]).out;
      const b = json(['import', bom]);
      expect([b.code, b.out.format, b.out.ops, b.out.lines], name).toEqual([0, a.format, a.ops, a.lines]);
    }
  });

  it('blkparse: a requeued request (R, then D again) and a split bio (X, two D, two C) are one op each (were two, with twice the bytes)', () => {
    const requeue = join(tmp, 'requeue.blkparse.txt');
    writeFileSync(requeue, [
      '  7,0    1        1     0.000200000 14364  Q  RS 100 + 8 [fio]',
      '  7,0    1        2     0.000201000 14364  D  RS 100 + 8 [fio]',
      '  7,0    1        3     0.000202000 14364  R  RS 100 + 8 [fio]',
      '  7,0    1        4     0.000203000 14364  D  RS 100 + 8 [fio]',
      '  7,0    1        5     0.000303000     0  C  RS 100 + 8 [0]',
      '',
    ].join('\n'));
    const split = join(tmp, 'split.blkparse.txt');
    writeFileSync(split, [
      '  7,0    1        1     0.000400000 14364  Q  WS 200 + 8 [fio]',
      '  7,0    1        2     0.000401000 14364  X  WS 200 / 204 [fio]',
      '  7,0    1        3     0.000402000 14364  D  WS 200 + 4 [fio]',
      '  7,0    1        4     0.000403000 14364  D  WS 204 + 4 [fio]',
      '  7,0    1        5     0.000500000     0  C  WS 200 + 4 [0]',
      '  7,0    1        6     0.000510000     0  C  WS 204 + 4 [0]',
      '',
    ].join('\n'));
    const ops = (path: string): string[] => cli(['import', path, '--out', '-']).stdout.split('\n').filter((l) => l.startsWith('op,'));
    // one read of 8 sectors, from its last dispatch to its completion
    expect(ops(requeue)).toEqual(['op,0,200000,100000,14364,pid:14364,fio,blk:7:0,read,51200,4096,,1,,,']);
    // one write of 8 sectors, from its first part's dispatch to its last part's completion
    expect(ops(split)).toEqual(['op,0,400000,108000,14364,pid:14364,fio,blk:7:0,write,102400,4096,,1,,,']);
    for (const path of [requeue, split]) expect((json(['import', path]).out.lines as { used: number; total: number })).toMatchObject({ used: path === requeue ? 5 : 6, total: path === requeue ? 5 : 6 });
  });

  it('page-lock: a write whose source is an mmap of the page it writes faults it in before locking the page (was: a 1-task deadlock)', () => {
    const path = join(tmp, 'same-page.ops.csv');
    writeFileSync(path, [
      '# lockreplay-ops v1',
      'rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller',
      'op,0,1000000,100000,10,tgid:10,a,7:0:101,write,0,4096,,1,,',
      'op,1,1010000,1000,10,tgid:10,a,7:0:101,fault-read,0,4096,0,2,,',
      '',
    ].join('\n'));
    const r = json(['replay', path, '--strategy', 'page-lock']);
    const res = (r.out.results as { completedOps: number; deadlock: unknown; locks: Record<string, { acquisitions: number; contentions: number }> }[])[0];
    expect([r.code, res.completedOps, res.deadlock, res.locks.page]).toEqual([0, 2, null, expect.objectContaining({ acquisitions: 2, contentions: 0 })]);
  });

  it('a task id too long for a double (an ftrace pid of 23 digits) is a bad line (was: an op of pid Infinity, null in the result JSON)', () => {
    const path = join(tmp, 'big-pid.trace');
    writeFileSync(path, [
      '# tracer: nop',
      '#',
      '             fio-99999999999999999999999 [000] ..... 1.000000: sys_pwrite64(fd: 3, buf: 0x0, count: 0x1000, pos: 0x0)',
      '             fio-99999999999999999999999 [000] ..... 1.000010: sys_pwrite64 -> 0x1000',
      '             fio-7     [000] ..... 1.000020: sys_pwrite64(fd: 3, buf: 0x0, count: 0x1000, pos: 0x0)',
      '             fio-7     [000] ..... 1.000030: sys_pwrite64 -> 0x1000',
      '',
    ].join('\n'));
    const strict = cli(['import', path, '--json']);
    expect([strict.code, strict.stderr.split('\n')[0]]).toEqual([4, `lockreplay: ${path}:3: sys_pwrite64: task id 1.0000000000000003e+23 is not a whole number, 0 or more, below 2^53`]);
    const lenient = json(['import', path, '--lenient']).out as { ops: { total: number }; lines: { total: number; used: number; bad: number; skipped: Record<string, number> } };
    expect([lenient.ops.total, lenient.lines.bad]).toEqual([1, 1]);
    expectLinesAddUp(lenient.lines);
  });
});
