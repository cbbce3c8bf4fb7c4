/**
 * Inputs a session-22 hostile-input pass (result files fed to report, check and merge; the
 * selection flags; the human outputs) found to crash or mislead, each as a regression test. The
 * inputs are made here: a small trace, a result replayed from it, then edited.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, trace as bundledTrace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz22-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** a fio v3 iolog of `n` writes, one every 100 µs, to `path` */
function iolog(path: string, n: number): string {
  const lines = ['fio version 3 iolog', `0 ${path} add`, `0 ${path} open`];
  for (let i = 0; i < n; i++) lines.push(`${100 * i} ${path} write ${4096 * i} 4096`);
  lines.push(`${100 * n} ${path} close`);
  return `${lines.join('\n')}\n`;
}

interface Result {
  input: { trace: string; lines: { total: number; used: number } };
  results: { strategy: string; strategyOptions: Record<string, string> }[];
  comparison: { strategy: string }[];
  baseline: string | null;
  verdict: { safe: string[]; unsafe: string[] };
  warnings: string[];
}

let resultPath = '';
let result: Result;

beforeAll(() => {
  const trace = write('w.iolog', iolog('/data/f', 40));
  resultPath = join(tmp, 'base.json');
  const r = cli(['compare', trace, '-s', 'none,i-mutex', '--out', resultPath]);
  expect(r.code, r.stderr).toBe(0);
  result = JSON.parse(readFileSync(resultPath, 'utf8')) as Result;
});

/** the base result with its strategies renamed (a user module names itself anything) and edited further */
function edited(name: string, labels: [string, string], edit: (r: Result) => void = () => undefined): string {
  const r = JSON.parse(JSON.stringify(result)) as Result;
  const renamed = new Map(r.results.map((s, i) => [s.strategy, labels[i]]));
  r.results.forEach((s, i) => (s.strategy = labels[i]));
  r.comparison.forEach((c, i) => (c.strategy = labels[i]));
  r.baseline = labels[0];
  // (report checks the verdict's lists against the strategies: renamed there too)
  r.verdict.safe = r.verdict.safe.map((l) => renamed.get(l) ?? l);
  r.verdict.unsafe = r.verdict.unsafe.map((l) => renamed.get(l) ?? l);
  edit(r);
  return write(name, JSON.stringify(r));
}

describe('session 22 fuzz findings', () => {
  it('56: strategies whose labels make one file name (mine:a, mine_a) get a .hgrm file each (was: the second replaced the first\'s, "3 .hgrm files" for 6 histograms)', () => {
    const path = edited('same-file-name.json', ['mine:a', 'mine_a']);
    const dir = join(tmp, 'hgrm');
    const r = cli(['report', path, '--format', 'hgrm', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['mine_a-2.all.hgrm', 'mine_a-2.write.hgrm', 'mine_a.all.hgrm', 'mine_a.write.hgrm']);
    expect(r.stdout).toContain('4 .hgrm files');
    // (names that differ only in case are one file on a file system that ignores case)
    const cased = edited('same-name-but-case.json', ['Mine', 'mine']);
    const dir2 = join(tmp, 'hgrm-case');
    expect(cli(['report', cased, '--format', 'hgrm', '--out', dir2]).code).toBe(0);
    expect(readdirSync(dir2).sort()).toEqual(['Mine.all.hgrm', 'Mine.write.hgrm', 'mine-2.all.hgrm', 'mine-2.write.hgrm']);
  });

  it('57: control characters from a result or a trace (a strategy, a trace path, a warning) reach no terminal and break no Markdown row (was: ESC sequences and CRs printed as they were)', () => {
    const evil = 'mine\u001b[31mred\r\nX|y\u009b2J';
    const path = edited('control-characters.json', ['none', evil], (r) => {
      r.input.trace = `trace\u001b]0;title\u0007${evil}`;
      r.warnings.push(evil);
    });
    const table = cli(['report', path]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table.stdout).toContain('mine?[31mred?');
    const md = cli(['report', path, '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    // the strategy's row is one line of the table, its | escaped
    expect(md.stdout.split('\n').filter((l) => l.startsWith('| mine'))).toHaveLength(1);
    expect(md.stdout).toContain('| mine?\\[31mred? X\\|y?2J |');
    // a trace's own names: a fio iolog's file path in the import summary
    const trace = write('escape-path.iolog', iolog('/data/\u001b[2Jf', 3));
    const summary = cli(['import', trace]);
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toContain('file:/data/?[2Jf');
    expect(summary.stdout).not.toMatch(/\u001b/);
    // fidelity's table names the trace as given
    const capture = join(tmp, 'xfs\u001b[31mmix.trace.gz');
    writeFileSync(capture, readFileSync(bundledTrace('xfs-mix.trace.gz')));
    const fidelity = cli(['fidelity', capture]);
    expect(fidelity.code, fidelity.stderr).toBe(0);
    expect(fidelity.stdout).toContain('xfs?[31mmix.trace.gz');
    expect(fidelity.stdout).not.toMatch(/\u001b/);
  });

  it('58: --from/--to that are no decimal seconds ("" from an unset variable, 0x10), --from after --to and an empty --task are usage errors (was: 1 op of 40 replayed, or none, exit 0)', () => {
    const trace = write('selection.iolog', iolog('/data/f', 40));
    const refused: [string[], RegExp][] = [
      [['--to', ''], /--to "": expected seconds/],
      [['--from', ' '], /--from  : expected seconds/],
      [['--from', '0x10'], /--from 0x10: expected seconds/],
      [['--to', '+0b1'], /--to \+0b1: expected seconds/],
      [['--from', '+0.002', '--to', '+0.001'], /--from \+0\.002 is after --to \+0\.001/],
      [['--task', ''], /--task "": expected a PID or a COMM/],
    ];
    for (const [flags, message] of refused) {
      const r = cli(['import', trace, ...flags, '--json']);
      expect(r.code, `${flags.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // (one filter for every command)
    const replayed = cli(['replay', trace, '-s', 'none', '--to', '', '--json']);
    expect(replayed.code, replayed.stderr).toBe(2);
    expect(replayed.stderr).toMatch(/--to "": expected seconds/);
    // decimal seconds as before: a fraction, an exponent, one instant (--from = --to), relative or not
    const used = (flags: string[]): number => {
      const r = cli(['import', trace, ...flags, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { ops: { total: number } }).ops.total;
    };
    expect(used(['--from', '+.0001', '--to', '+2e-3'])).toBe(20);
    expect(used(['--from', '0.0005', '--to', '0.0005'])).toBe(1);
    expect(used(['--to', '1E-3'])).toBe(11);
    expect(existsSync(trace)).toBe(true);
  });
  it('59: a --cost above 1 s for one lock operation, or given twice, is a usage error; the library\'s costs are checked too (was: 10^20 ns an internal error, 2^53 ns a makespan of 7e17 ns with exit 0, the second of two values silently won)', async () => {
    const trace = write('costs.iolog', iolog('/data/f', 40));
    const refused: [string, RegExp][] = [
      ['atomicNs=100000000000000000000', /--cost atomicNs=100000000000000000000: more than 1,000,000,000 ns \(1 s\)/],
      ['wakeupNs=9007199254740993', /--cost wakeupNs=9007199254740993: more than 1,000,000,000 ns/],
      ['atomicNs=1,atomicNs=2', /--cost atomicNs=2: atomicNs is given twice/],
    ];
    for (const [cost, message] of refused) {
      const r = cli(['replay', trace, '-s', 'i-mutex', '--cost', cost, '--json']);
      expect(r.code, `${cost}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error/);
    }
    const ok = cli(['replay', trace, '-s', 'i-mutex', '--cost', 'atomicNs=1000000000', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const { importTrace, replay, DEFAULT_COSTS } = await import('../src/index.js');
    const loaded = await importTrace(trace);
    for (const costs of [{ ...DEFAULT_COSTS, atomicNs: Number.NaN }, { ...DEFAULT_COSTS, wakeupNs: -1 }, { atomicNs: 5 }]) {
      await expect(replay(loaded, 'i-mutex', { costs: costs as typeof DEFAULT_COSTS })).rejects.toMatchObject({ exitCode: 2 });
    }
  });

  it('60: ops whose service times add up past 2^53 ns of virtual time are a bad line naming the op where it happens (was: 3,000 ops of 2^53-1 ns on one CPU an internal error; two of one task a makespan of 2^54 ns, exit 0)', () => {
    const stream = (name: string, ops: number, pidOf: (i: number) => number): string => {
      const rows = ['# lockreplay-ops v2', 'rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns'];
      for (let i = 0; i < ops; i++) rows.push(`op,${i},${i},9007199254740991,${pidOf(i)},pid:${pidOf(i)},fio,7:0:1,write,0,4096,,${i + 3},,,`);
      return write(name, `${rows.join('\n')}\n`);
    };
    // tasks queued for one CPU: the second's latency is past 2^53 ns (the 3,000th's past 2^63)
    const queued = stream('queued.ops.csv', 3000, (i) => 100 + i);
    for (const mode of ['closed', 'open']) {
      const r = cli(['replay', queued, '-s', 'none', '--mode', mode, '--json']);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/queued\.ops\.csv:4: this op's replayed latency, 1\.801e\+16 ns, is beyond 2\^53 ns/);
      expect(r.stdout).toBe('');
    }
    // (the same from worker processes)
    const both = cli(['compare', queued, '-s', 'none,i-mutex', '--threads', '2', '--json']);
    expect(both.code, both.stderr).toBe(4);
    expect(both.stderr).toMatch(/queued\.ops\.csv:4: this op's replayed latency/);
    // one task's two ops, one after the other: each latency exact, the makespan not
    const serial = stream('serial.ops.csv', 2, () => 7);
    const r = cli(['replay', serial, '-s', 'none', '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/serial\.ops\.csv:4: the replay's makespan, 1\.801e\+16 ns, is beyond 2\^53 ns/);
    // one op of 2^53-1 ns is exact
    const one = stream('one.ops.csv', 1, () => 7);
    const fine = cli(['replay', one, '-s', 'none', '--json']);
    expect(fine.code, fine.stderr).toBe(0);
    expect((JSON.parse(fine.stdout) as { results: { throughput: { makespanNs: number } }[] }).results[0].throughput.makespanNs).toBe(9007199254740991);
  });
});
